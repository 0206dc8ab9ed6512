// The simulator's unhealthy states (POST /control/unhealthy) seen through the exporter: each
// moves the node-health series it feeds, and healing brings them back.

#include <functional>

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
         return Above(m, "tikv_exporter_gc_safe_point_lag_seconds", {}, 47 * 3600);
       },
       [](const std::string& m) {
         return Below(m, "tikv_exporter_gc_safe_point_lag_seconds", {}, 700);
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
      {"thread_pools",
       [](const std::string& m) {
         return Above(m, "tikv_exporter_thread_pool_busy_ratio", {{"pool", "raftstore"}}, 0.9);
       },
       [](const std::string& m) {
         return Below(m, "tikv_exporter_thread_pool_busy_ratio", {{"pool", "raftstore"}}, 0.5);
       }},
  };
}

class HealthIntegration : public ::testing::Test {
 protected:
  // The built-in node with a one-member PD, polled every 500 ms.
  void Start() {
    pd_port_ = FreePort();
    env_.StartSim({"--pd-address", "127.0.0.1:" + std::to_string(pd_port_)});
    env_.StartExporter(500, 400, {pd_port_});
  }
  bool Until(const std::function<bool(const std::string&)>& condition) {
    return WaitFor([&] { return condition(env_.Metrics()); }, std::chrono::seconds(10));
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
    if (c.state != std::string("disk_full"))
      EXPECT_TRUE(Until(c.unhealthy)) << c.state << "\n" << env_.Metrics();
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
