// The simulator's unhealthy states (POST /control/unhealthy) seen through the exporter: each
// moves the node-health series it feeds and turns its check of the health verdict
// (GET /api/v1/health), and healing brings both back.

#include <functional>
#include <regex>
#include <thread>
#include <tuple>

#include <gtest/gtest.h>

#include "tests/integration/sim_and_exporter.h"

namespace tikv_exporter::testing {
namespace {

using Labels = std::map<std::string, std::string>;

// One unhealthy state of the simulator and how the exporter's series show it, and its healing.
struct StateCase {
  const char* state;
  std::function<bool(const std::string& metrics)> unhealthy;
  std::function<bool(const std::string& metrics)> healthy;
};

bool Equals(const std::string& metrics, const std::string& name, const Labels& labels,
            double value) {
  return SampleValue(metrics, name, labels) == value;
}
bool Above(const std::string& metrics, const std::string& name, const Labels& labels,
           double value) {
  return SampleValue(metrics, name, labels).value_or(-1e300) > value;
}
bool Below(const std::string& metrics, const std::string& name, const Labels& labels,
           double value) {
  return SampleValue(metrics, name, labels).value_or(1e300) < value;
}

const Labels kApplyP99 = {{"stage", "apply_log"}, {"quantile", "0.99"}};

std::vector<StateCase> StateCases() {
  return {
      {"slow_score",
       [](const std::string& m) {
         return Equals(m, "tikv_exporter_tikv_slow_score", {{"type", "disk"}}, 100) &&
                Equals(m, "tikv_exporter_pd_local_slow_score", {}, 100);
       },
       [](const std::string& m) {
         return Equals(m, "tikv_exporter_tikv_slow_score", {{"type", "disk"}}, 1) &&
                Equals(m, "tikv_exporter_pd_local_slow_score", {}, 1);
       }},
      {"disk_almost_full",
       [](const std::string& m) {
         return Equals(m, "tikv_exporter_disk_state", {{"state", "almost_full"}}, 1);
       },
       [](const std::string& m) {
         return Equals(m, "tikv_exporter_disk_state", {{"state", "normal"}}, 1);
       }},
      {"disk_full",
       [](const std::string& m) {
         return Equals(m, "tikv_exporter_disk_state", {{"state", "full"}}, 1);
       },
       [](const std::string& m) {
         return Equals(m, "tikv_exporter_disk_state", {{"state", "normal"}}, 1);
       }},
      {"apply_latency",
       [](const std::string& m) {
         return Above(m, "tikv_exporter_raft_write_duration_seconds", kApplyP99, 1.5);
       },
       [](const std::string& m) {
         return Below(m, "tikv_exporter_raft_write_duration_seconds", kApplyP99, 0.01);
       }},
      {"busy",
       [](const std::string& m) {
         return Above(m, "tikv_exporter_busy_rejections_per_second",
                      {{"reason", "scheduler_too_busy"}}, 10);
       },
       [](const std::string& m) {
         return Equals(m, "tikv_exporter_busy_rejections_per_second",
                       {{"reason", "scheduler_too_busy"}}, 0);
       }},
      {"gc_stuck",
       [](const std::string& m) {
         return Above(m, "tikv_exporter_gc_safe_point_lag_seconds", {}, 47 * 3600) &&
                Above(m, "tikv_exporter_pd_gc_safe_point_lag_seconds", {}, 47 * 3600) &&
                Above(m, "tikv_exporter_pd_oldest_service_safe_point_lag_seconds",
                      {{"service", "ticdc-default-sim"}}, 47 * 3600);
       },
       [](const std::string& m) {
         return Below(m, "tikv_exporter_gc_safe_point_lag_seconds", {}, 700) &&
                Below(m, "tikv_exporter_pd_gc_safe_point_lag_seconds", {}, 700) &&
                Below(m, "tikv_exporter_pd_oldest_service_safe_point_lag_seconds",
                      {{"service", "gc_worker"}}, 700);
       }},
      {"resolved_ts",
       [](const std::string& m) {
         return Equals(m, "tikv_exporter_min_resolved_ts_gap_seconds", {}, 1200);
       },
       [](const std::string& m) {
         return Equals(m, "tikv_exporter_min_resolved_ts_gap_seconds", {}, 1);
       }},
      {"not_ready",
       [](const std::string& m) { return Equals(m, "tikv_exporter_tikv_ready", {}, 0); },
       [](const std::string& m) { return Equals(m, "tikv_exporter_tikv_ready", {}, 1); }},
      {"critical_error",
       [](const std::string& m) { return Above(m, "tikv_exporter_critical_errors", {}, 0); },
       [](const std::string& m) { return Equals(m, "tikv_exporter_critical_errors", {}, 0); }},
      {"write_stall",
       [](const std::string& m) {
         return Above(m, "tikv_exporter_write_stall_seconds", {{"db", "kv"}}, 0);
       },
       [](const std::string& m) {
         return Equals(m, "tikv_exporter_write_stall_seconds", {{"db", "kv"}}, 0);
       }},
      {"thread_pools",
       [](const std::string& m) {
         return Above(m, "tikv_exporter_thread_pool_busy_ratio", {{"pool", "raftstore"}}, 0.9);
       },
       [](const std::string& m) {
         return Below(m, "tikv_exporter_thread_pool_busy_ratio", {{"pool", "raftstore"}}, 0.5);
       }},
      {"latch_wait",
       [](const std::string& m) {
         return Above(m, "tikv_exporter_scheduler_latch_wait_seconds", {{"quantile", "0.99"}}, 1.5);
       },
       [](const std::string& m) {
         return Below(m, "tikv_exporter_scheduler_latch_wait_seconds", {{"quantile", "0.99"}}, 0.01);
       }},
      {"grpc_errors",
       [](const std::string& m) { return Above(m, "tikv_exporter_grpc_failure_ratio", {}, 0.1); },
       [](const std::string& m) { return Equals(m, "tikv_exporter_grpc_failure_ratio", {}, 0); }},
      {"flow_control",
       [](const std::string& m) { return Equals(m, "tikv_exporter_flow_control_discard_ratio", {}, 0.6); },
       [](const std::string& m) { return Equals(m, "tikv_exporter_flow_control_discard_ratio", {}, 0); }},
      {"cpu_quota",
       [](const std::string& m) { return Equals(m, "tikv_exporter_tikv_cpu_cores_quota", {}, 3.5); },
       [](const std::string& m) { return Equals(m, "tikv_exporter_tikv_cpu_cores_quota", {}, 8); }},
  };
}

class HealthIntegration : public ::testing::Test {
 protected:
  // The built-in node with a one-member PD, polled every 500 ms; the simulated cluster's
  // tidb_gc_life_time (TiDB's default 10 min) is stated in [health] unless `health` says otherwise.
  void Start(const std::string& health = "[health]\ngc_life_time_seconds = 600\n") {
    pd_port_ = FreePort();
    env_.StartSim({"--pd-address", "127.0.0.1:" + std::to_string(pd_port_)});
    env_.StartExporterWithConfig(env_.ConfigText(500, 400, {pd_port_}, "", health));
  }
  HttpResult Health() { return HttpGet(env_.exporter_port(), "/api/v1/health"); }
  bool Until(const std::function<bool(const std::string&)>& condition) {
    return WaitFor([&] { return condition(env_.Metrics()); }, std::chrono::seconds(30));
  }

  SimAndExporter env_;
  int pd_port_ = 0;
};

TEST_F(HealthIntegration, EverySimulatedStateMovesItsSeriesAndHeals) {
  Start();
  const std::vector<StateCase> cases = StateCases();
  // Healthy at first: every check's healthy side holds at once.
  ASSERT_TRUE(Until([&](const std::string& m) {
    for (const StateCase& c : cases) {
      if (!c.healthy(m)) return false;
    }
    return true;
  })) << env_.Metrics();
  // All states at once (disk_full last: it hides disk_almost_full), then healed together: each
  // series moves and comes back.
  for (const StateCase& c : cases) {
    if (c.state == std::string("disk_full")) continue;
    const std::string answer = env_.Control(std::string("/control/unhealthy?state=") + c.state);
    EXPECT_NE(answer.find(std::string("unhealthy ") + c.state), std::string::npos) << answer;
  }
  for (const StateCase& c : cases) {
    if (c.state != std::string("disk_full")) {
      EXPECT_TRUE(Until(c.unhealthy)) << c.state << "\n" << env_.Metrics();
    }
  }
  env_.Control("/control/unhealthy?state=disk_full");
  EXPECT_TRUE(Until([](const std::string& m) {
    return Equals(m, "tikv_exporter_disk_state", {{"state", "full"}}, 1);
  })) << env_.Metrics();
  EXPECT_EQ(HttpGet(env_.sim_port(), "/ready").status, 500);
  EXPECT_EQ(env_.Control("/control/unhealthy?state=none").find("unhealthy "), std::string::npos);
  for (const StateCase& c : cases)
    EXPECT_TRUE(Until(c.healthy)) << c.state << "\n" << env_.Metrics();
  EXPECT_EQ(HttpGet(env_.sim_port(), "/ready").status, 200);
}

// One state's expected verdict with the default thresholds.
struct VerdictCase {
  const char* state;
  const char* check;
  const char* level;
  int status;          // of GET /api/v1/health: 503 when critical, 200 when a warning
  const char* reason;  // words the check's reason starts with
  const char* more;    // words further on in it
};
constexpr VerdictCase kVerdicts[] = {
    {"slow_score", "slow_store", "critical", 503, "slow score 100 ≥ 80", "(PD 100, TiKV disk 100"},
    {"disk_almost_full", "disk_space", "critical", 503,
     "disk almost full: 24 GiB available ≤ the reserve 25 GiB", "TiKV refuses writes"},
    {"disk_full", "disk_space", "critical", 503, "disk full: ", "≤ half the reserve 25 GiB"},
    {"apply_latency", "raft_write_path", "critical", 503, "apply log p99 2.04 s ≥ 1 s", "apply"},
    {"busy", "server_busy", "critical", 503, "busy rejections ", "scheduler too busy 50/s"},
    {"gc_stuck", "gc_safe_point", "critical", 503,
     "GC safe point 48.2 h old: 47.8 h beyond gc_life_time 10 min + the 10 min run interval ≥ 24 h",
     "the oldest service safe point is ticdc-default-sim's, 48.2 h old"},
    {"gc_future_safe_point", "gc_safe_point", "critical", 503,
     "GC safe point 17520 h old: beyond any valid tidb_gc_life_time (8760 h + the 10 min run interval)",
     "PD's /gc/safepoint is invalid: gc_safe_point 2510-01-01 00:00:00 UTC is after br-sim's service safe point"},
    {"resolved_ts", "resolved_ts", "critical", 503, "min resolved-ts gap 20 min ≥ 10 min",
     "stale reads"},
    {"not_ready", "tikv_ready", "critical", 503, "TiKV says it is not ready",
     "GET /ready answers 500"},
    {"critical_error", "critical_errors", "critical", 503, "critical errors in the window ",
     "read its log"},
    {"thread_pools", "thread_pools", "critical", 503, "raftstore threads busy 99 % ≥ 90 %",
     "saturated"},
    {"write_stall", "write_stall", "warning", 200, "write stall in the kv db 2 % > 0",
     "compaction"},
    {"latch_wait", "scheduler_latch_wait", "critical", 503, "scheduler latch wait p99 of prewrite 2.0",
     " s ≥ 1 s: transactions contend for the same keys"},
    {"latch_wait_one_type", "scheduler_latch_wait", "critical", 503,
     "scheduler latch wait p99 of acquire_pessimistic_lock 2.0", " s ≥ 1 s"},
    {"grpc_errors", "grpc_errors", "critical", 503, "gRPC failures ", "% ≥ 10 %"},
    {"flow_control", "flow_control", "critical", 503, "flow control discards 60 % ≥ 50 %",
     "throttles writes"},
    {"cpu_quota", "cpu_quota", "critical", 503, "CPU 9", "% ≥ 90 %: TiKV is short of CPU (3."},
};

// The reason of `check` in a /api/v1/health body when the check is at `level`; "" otherwise.
std::string ReasonAt(const std::string& body, const std::string& check, const std::string& level) {
  std::smatch match;
  const std::regex entry("\\{\"name\":\"" + check + "\",\"level\":\"" + level +
                         "\",\"reason\":\"([^\"]*)\"");
  return std::regex_search(body, match, entry) ? match[1].str() : "";
}

TEST_F(HealthIntegration, EachStateTurnsItsVerdictAndHealing200sAgain) {
  Start();
  auto healthy = [&] {
    const HttpResult health = HttpGet(env_.exporter_port(), "/api/v1/health");
    return health.status == 200 &&
           health.body.find(R"("level":"ok","reasons":[])") != std::string::npos;
  };
  // Once a window is in, every check has data and is ok on the healthy simulated node.
  auto all_ok = [](const std::string& metrics) {
    for (const char* check :
         {"tikv_reachable", "tikv_ready", "pd_store_state", "disk_space", "slow_store",
          "raft_write_path", "scheduler_latch_wait", "server_busy", "write_stall", "flow_control",
          "grpc_errors", "critical_errors", "restarts", "thread_pools", "cpu_quota",
          "gc_safe_point", "resolved_ts"}) {
      if (SampleValue(metrics, "tikv_exporter_health_check_level", {{"check", check}}) != 0)
        return false;
    }
    return true;
  };
  ASSERT_TRUE(Until(all_ok)) << env_.Metrics();
  ASSERT_TRUE(healthy()) << HttpGet(env_.exporter_port(), "/api/v1/health").body;
  for (const VerdictCase& c : kVerdicts) {
    SCOPED_TRACE(c.state);
    env_.Control(std::string("/control/unhealthy?state=") + c.state);
    HttpResult health;
    EXPECT_TRUE(WaitFor(
        [&] {
          health = HttpGet(env_.exporter_port(), "/api/v1/health");
          const std::string reason = ReasonAt(health.body, c.check, c.level);
          return health.status == c.status && reason.starts_with(c.reason) &&
                 reason.find(c.more) != std::string::npos;
        },
        std::chrono::seconds(30)))
        << health.status << " " << health.body;
    EXPECT_NE(
        health.body.find(std::string(R"("level":")") + c.level + R"(","reasons":[")" + c.reason),
        std::string::npos)
        << health.body;
    env_.Control(std::string("/control/unhealthy?state=") + c.state + "&on=false");
    EXPECT_TRUE(WaitFor(healthy, std::chrono::seconds(30)))
        << HttpGet(env_.exporter_port(), "/api/v1/health").body;
  }
  // PD's view of this node's store (store 1, matched by its status address): Disconnected warns,
  // Down is critical, Up again heals.
  for (const auto& [state, level, status] :
       {std::tuple{"Disconnected", "warning", 200}, std::tuple{"Down", "critical", 503}}) {
    SCOPED_TRACE(state);
    env_.Control(std::string("/control/pd/store?id=1&state=") + state);
    HttpResult health;
    EXPECT_TRUE(WaitFor(
        [&] {
          health = HttpGet(env_.exporter_port(), "/api/v1/health");
          return health.status == status &&
                 ReasonAt(health.body, "pd_store_state", level).starts_with(std::string("PD sees this store ") + state);
        },
        std::chrono::seconds(30)))
        << health.body;
  }
  env_.Control("/control/pd/store?id=1&state=Up");
  EXPECT_TRUE(WaitFor(healthy, std::chrono::seconds(30))) << HttpGet(env_.exporter_port(), "/api/v1/health").body;

  // A TiKV restart (its process start time moves) warns for the window that sees it, then heals.
  env_.Control("/control/restart");
  HttpResult restarted;
  EXPECT_TRUE(WaitFor(
      [&] {
        restarted = HttpGet(env_.exporter_port(), "/api/v1/health");
        return restarted.status == 200 &&
               ReasonAt(restarted.body, "restarts", "warning").starts_with("TiKV restarted in the window");
      },
      std::chrono::seconds(30)))
      << restarted.body;
  EXPECT_TRUE(WaitFor(healthy, std::chrono::seconds(30))) << HttpGet(env_.exporter_port(), "/api/v1/health").body;
}

// Issue 21 case 1: tidb_gc_life_time = 24 h, stated in [health], with a GC that works: the safe
// point trails by 24 h and advances, so the verdict stays ok poll after poll. Before: critical,
// "GC safe point behind by 24 h ≥ 24 h" (503).
TEST_F(HealthIntegration, AWorkingGcWithA24HourLifeTimeStaysOk) {
  Start("[health]\ngc_life_time_seconds = 86400\n");
  env_.Control("/control/unhealthy?state=gc_long_life_time");
  ASSERT_TRUE(Until([](const std::string& m) {
    return Above(m, "tikv_exporter_pd_gc_safe_point_lag_seconds", {}, 86000) &&
           Above(m, "tikv_exporter_gc_safe_point_lag_seconds", {}, 86000);
  })) << env_.Metrics();
  for (int poll = 0; poll < 6; ++poll) {
    const HttpResult health = Health();
    EXPECT_EQ(health.status, 200) << health.body;
    EXPECT_TRUE(ReasonAt(health.body, "gc_safe_point", "ok").starts_with("GC safe point 24 h old (")) << health.body;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_TRUE(WaitFor([&] { return ReasonAt(Health().body, "gc_safe_point", "ok").find("(advancing: ") != std::string::npos; },
                      std::chrono::seconds(30)))
      << Health().body;
}

// A GC that stops, with no life time stated: the safe point stands still across polls, and
// past the advance window (3 s here) the check warns, naming the window. A reload starts the watch
// again.
TEST_F(HealthIntegration, AGcThatStopsIsSeenStandingStillAcrossPolls) {
  Start("[health]\ngc_advance_window_seconds = 3\n");
  EXPECT_TRUE(WaitFor([&] { return ReasonAt(Health().body, "gc_safe_point", "ok").find("advancing") != std::string::npos; },
                      std::chrono::seconds(30)))
      << Health().body;
  env_.Control("/control/unhealthy?state=gc_stuck");
  std::string reason;
  EXPECT_TRUE(WaitFor(
      [&] {
        reason = ReasonAt(Health().body, "gc_safe_point", "warning");
        return reason.find("safe point has not advanced for ") != std::string::npos &&
               reason.find(" ≥ the 3 s window (TiDB runs GC every 10 min)") != std::string::npos;
      },
      std::chrono::seconds(30)))
      << Health().body;
  env_.Control("/control/unhealthy?state=gc_stuck&on=false");
  EXPECT_TRUE(WaitFor([&] { return ReasonAt(Health().body, "gc_safe_point", "ok").find("advancing") != std::string::npos; },
                      std::chrono::seconds(30)))
      << Health().body;
}

// Issue 21 case 5: TiKV down, PD still answers. PD's GC lag and its view of this store stay on
// /metrics, so the GC alert quotes a value. Before: both series gone while TiKV was down.
TEST_F(HealthIntegration, PdsWitnessesStayOnMetricsWhileTikvIsDown) {
  Start();
  ASSERT_TRUE(Until([](const std::string& m) { return Below(m, "tikv_exporter_pd_gc_safe_point_lag_seconds", {}, 700); }))
      << env_.Metrics();
  env_.Control("/control/unhealthy?state=gc_stuck");
  env_.Control("/control/fault?mode=down");
  ASSERT_TRUE(Until([](const std::string& m) {
    return Equals(m, "tikv_exporter_up", {{"source", "tikv"}}, 0) &&
           Above(m, "tikv_exporter_pd_gc_safe_point_lag_seconds", {}, 47 * 3600) &&
           Equals(m, "tikv_exporter_pd_local_slow_score", {}, 1) &&
           !SampleValue(m, "tikv_exporter_gc_safe_point_lag_seconds", {});
  })) << env_.Metrics();
  EXPECT_TRUE(ReasonAt(Health().body, "gc_safe_point", "critical").starts_with("GC safe point 48.2 h old")) << Health().body;
}

// Issue 21 case 6: a path-filtering proxy in front of PD passes /config and /gc/safepoint but not
// /status, the region checks or the hot spots. The GC check keeps PD's safe point. Before: "no
// data" (the whole refresh was dropped) and nothing in the log.
TEST_F(HealthIntegration, PdBehindAProxyThatPassesSomeEndpointsStillFeedsTheGcCheck) {
  pd_port_ = FreePort();
  env_.StartSim({"--pd-address", "127.0.0.1:" + std::to_string(pd_port_)});
  env_.Control("/control/pd/proxy?on=true");
  env_.StartExporterWithConfig(env_.ConfigText(500, 400, {pd_port_}, "", "[health]\ngc_life_time_seconds = 600\n"));
  env_.Control("/control/fault?mode=down");  // only PD's safe point is left to grade
  EXPECT_TRUE(WaitFor([&] { return ReasonAt(Health().body, "gc_safe_point", "ok").starts_with("GC safe point 10 min old"); },
                      std::chrono::seconds(30)))
      << Health().body;
  EXPECT_TRUE(Until([](const std::string& m) { return Below(m, "tikv_exporter_pd_gc_safe_point_lag_seconds", {}, 700); }))
      << env_.Metrics();
}

// Issue 21 case 7: with the TiKV collector off and no PD, no check has its inputs. The verdict
// says so and a readiness probe on /api/v1/health fails. Before: 200 "ok", the reasons "TiKV is
// not answering".
TEST_F(HealthIntegration, AVerdictThatChecksNothingIsNotOk) {
  env_.StartSim({});
  env_.StartExporterWithConfig(env_.ConfigText(500, 400, {}, "", "[collectors.tikv]\nenabled = false\n"));
  HttpResult health;
  EXPECT_TRUE(WaitFor(
      [&] {
        health = Health();
        return health.body.find(R"("level":"unknown","reasons":["no checks evaluated: every check lacks its inputs or is disabled"])") != std::string::npos;
      },
      std::chrono::seconds(30)))
      << health.body;
  EXPECT_EQ(health.status, 503);
  EXPECT_NE(health.body.find(R"("evaluated":[])"), std::string::npos) << health.body;
  EXPECT_NE(health.body.find(R"({"name":"raft_write_path","level":"no_data","reason":"no data: the TiKV collector is off"})"),
            std::string::npos)
      << health.body;
  EXPECT_FALSE(SampleValue(env_.Metrics(), "tikv_exporter_health_level", {})) << "no level to give";
}

TEST_F(HealthIntegration, OneStateHealsAloneAndUnknownStatesAreRefused) {
  Start();
  env_.Control("/control/unhealthy?state=busy");
  env_.Control("/control/unhealthy?state=resolved_ts");
  env_.Control("/control/unhealthy?state=busy&on=false");
  const std::string state = HttpGet(env_.control_port(), "/control/state").body;
  EXPECT_NE(state.find("unhealthy resolved_ts"), std::string::npos) << state;
  EXPECT_EQ(state.find("unhealthy busy"), std::string::npos) << state;
  const HttpResult unknown = HttpPost(env_.control_port(), "/control/unhealthy?state=on_fire");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("thread_pools"), std::string::npos) << unknown.body;
}

}  // namespace
}  // namespace tikv_exporter::testing
