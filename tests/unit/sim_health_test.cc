// The simulated node's health series (tools/tikv-sim/sim_health_*.h): healthy by default, and
// each unhealthy state moves the signal the exporter computes from them — read back through the
// exporter's own snapshot code, over a window of the node's clock.
#include <algorithm>
#include <chrono>
#include <functional>

#include <gtest/gtest.h>

#include "snapshot/health_checks.h"
#include "snapshot/snapshot_builder.h"
#include "tests/unit/snapshot_inputs.h"
#include "tools/tikv-sim/sim_health_series.h"
#include "tools/tikv-sim/sim_node.h"

namespace tikv_exporter::testing {
namespace {

using sim::HealthState;
using sim::HealthTimeline;
using std::chrono::seconds;

int64_t WallMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// The built-in node serving the default request loads, as tikv-sim runs it.
std::unique_ptr<sim::SimNode> BuiltInNode() {
  auto node = sim::SimNode::BuiltIn();
  for (const sim::RequestLoad& load : sim::SimNode::DefaultRequestLoads())
    node->SetRequestLoad(load);
  return node;
}

// The snapshot the exporter makes of two scrapes of `node`, `from` and `to` seconds from now.
Snapshot Window(const sim::SimNode& node, int from = 10, int to = 20) {
  const auto now = std::chrono::steady_clock::now();
  const auto wall = std::chrono::system_clock::now();
  const TikvConfig config = {{"storage.reserve-space", "5GiB"}};
  auto scrape = [&](int at) {
    TikvScrape s =
        ScrapeOf(node.RenderAt(now + seconds(at), wall + seconds(at)), at * 1000LL, config);
    s.timestamp_ms = WallMs(wall + seconds(at));
    s.ready = node.Ready();
    return s;
  };
  const TikvScrape previous = scrape(from);
  const TikvScrape current = scrape(to);
  Snapshot snapshot;
  AddTikvMetrics(&previous, current, &snapshot);
  return snapshot;
}

double RaftP99(const Snapshot& s, const std::string& stage) {
  auto found = s.pressure.raft_write_p99_seconds.find(stage);
  return found == s.pressure.raft_write_p99_seconds.end() ? -1 : found->second;
}

double PoolShare(const Snapshot& s, const std::string& pool) {
  auto found = s.pressure.thread_pools.find(pool);
  if (found == s.pressure.thread_pools.end()) return -1;
  return found->second.ShareOfThreads().value_or(-1);
}

// Every node-health input present, at a healthy value, and every check with data ok.
void ExpectHealthy(const Snapshot& s) {
  const HealthVerdict verdict = EvaluateHealth(s, HealthThresholds{});
  EXPECT_EQ(verdict.level, HealthLevel::kOk) << ::testing::PrintToString(verdict.Reasons());
  // All but tikv_reachable and pd_store_state, which need the poller and PD.
  EXPECT_EQ(std::count_if(verdict.checks.begin(), verdict.checks.end(),
                          [](const HealthCheckResult& r) { return r.level.has_value(); }),
            std::ssize(verdict.checks) - 2);
  for (const char* stage :
       {"append_log", "commit_log", "apply_log", "apply_wait", "request_wait"}) {
    EXPECT_GT(RaftP99(s, stage), 0) << stage;
    EXPECT_LE(RaftP99(s, stage), 0.002) << stage;
  }
  ASSERT_TRUE(s.pressure.scheduler_latch_wait_p99_seconds);
  EXPECT_LE(*s.pressure.scheduler_latch_wait_p99_seconds, 0.0005);
  for (const char* reason : {"scheduler_too_busy", "channel_full", "coprocessor_full"}) {
    ASSERT_TRUE(s.pressure.busy_rejections_per_second.contains(reason)) << reason;
    EXPECT_EQ(s.pressure.busy_rejections_per_second.at(reason), 0) << reason;
  }
  EXPECT_EQ(s.pressure.flow_control_discard_ratio, 0.0);
  EXPECT_EQ(s.pressure.grpc_failure_ratio, 0.0);
  EXPECT_EQ(s.pressure.critical_errors, 0.0);
  ASSERT_TRUE(s.pressure.tikv_start_time_seconds);
  EXPECT_FALSE(s.pressure.tikv_restarted);
  EXPECT_EQ(s.pressure.cpu_cores_quota, 8.0);
  for (const char* pool :
       {"raftstore", "apply", "scheduler", "grpc", "unified_read_pool", "rocksdb"}) {
    EXPECT_GT(PoolShare(s, pool), 0) << pool;
    EXPECT_LT(PoolShare(s, pool), 0.5) << pool;
  }
  EXPECT_EQ(s.slow_store.tikv_score, (std::map<std::string, double>{{"disk", 1}, {"network", 1}}));
  ASSERT_TRUE(s.gc_safe_point_lag_seconds);
  EXPECT_NEAR(*s.gc_safe_point_lag_seconds, 600, 0.01);
  EXPECT_EQ(s.min_resolved_ts_gap_seconds, 1.0);
  ASSERT_TRUE(s.disk_headroom);
  EXPECT_EQ(s.disk_headroom->state, "normal");
  EXPECT_EQ(s.disk_headroom->reserve_bytes, sim::kSimReserveBytes);
  EXPECT_EQ(s.storage.available_bytes, sim::kSimAvailableBytes);
  EXPECT_EQ(s.storage.used_source, "tikv");
  EXPECT_EQ(s.write_stall_seconds.at("kv"), 0);
  EXPECT_EQ(s.tikv_ready, true);
}

TEST(SimHealth, TheBuiltInNodeCarriesEveryHealthInputAtAHealthyValue) {
  auto node = BuiltInNode();
  EXPECT_EQ(node->Ready(), true);
  EXPECT_TRUE(node->health_states().empty());
  ExpectHealthy(Window(*node));
}

TEST(SimHealth, EachStateMovesItsSignalAndTurnsItsCheck) {
  struct Case {
    HealthState state;
    HealthCheck check;
    HealthLevel level;  // with the default thresholds and the cluster's GC life time stated
    std::function<void(const Snapshot&)> expect;
    double gc_life_time_seconds = 600;  // TiDB's default, which the simulated cluster runs with
  };
  const Case cases[] = {
      {HealthState::kSlowScore, HealthCheck::kSlowStore, HealthLevel::kCritical,
       [](const Snapshot& s) { EXPECT_EQ(s.slow_store.tikv_score.at("disk"), 100); }},
      {HealthState::kDiskAlmostFull, HealthCheck::kDiskSpace, HealthLevel::kCritical,
       [](const Snapshot& s) {
         ASSERT_TRUE(s.disk_headroom);
         EXPECT_EQ(s.disk_headroom->state, "almost_full");
         EXPECT_EQ(s.disk_headroom->bytes_before_write_refusal, 0);
         EXPECT_GT(*s.storage.available_bytes, s.disk_headroom->reserve_bytes / 2);
       }},
      {HealthState::kDiskFull, HealthCheck::kDiskSpace, HealthLevel::kCritical,
       [](const Snapshot& s) {
         ASSERT_TRUE(s.disk_headroom);
         EXPECT_EQ(s.disk_headroom->state, "full");
       }},
      {HealthState::kApplyLatency, HealthCheck::kRaftWritePath, HealthLevel::kCritical,
       [](const Snapshot& s) {
         EXPECT_NEAR(RaftP99(s, "apply_log"), 2.0, 0.05);
         EXPECT_LE(RaftP99(s, "append_log"), 0.002);
       }},
      {HealthState::kBusy, HealthCheck::kServerBusy, HealthLevel::kCritical,
       [](const Snapshot& s) {
         EXPECT_EQ(s.pressure.busy_rejections_per_second.at("scheduler_too_busy"), 50);
       }},
      {HealthState::kGcStuck, HealthCheck::kGcSafePoint, HealthLevel::kCritical,
       [](const Snapshot& s) {
         // Frozen when the state went on (about now), 48 h + the 10 min life time back; the
         // scrape is 20 s later.
         ASSERT_TRUE(s.gc_safe_point_lag_seconds);
         EXPECT_GE(*s.gc_safe_point_lag_seconds, 48 * 3600 + 600 + 20 - 0.01);
         EXPECT_LT(*s.gc_safe_point_lag_seconds, 48 * 3600 + 600 + 30);
       }},
      {HealthState::kResolvedTs, HealthCheck::kResolvedTs, HealthLevel::kCritical,
       [](const Snapshot& s) { EXPECT_EQ(s.min_resolved_ts_gap_seconds, 1200.0); }},
      {HealthState::kNotReady, HealthCheck::kTikvReady, HealthLevel::kCritical,
       [](const Snapshot& s) { EXPECT_EQ(s.tikv_ready, false); }},
      {HealthState::kCriticalError, HealthCheck::kCriticalErrors, HealthLevel::kCritical,
       [](const Snapshot& s) { EXPECT_EQ(s.pressure.critical_errors, 20.0); }},
      {HealthState::kThreadPools, HealthCheck::kThreadPools, HealthLevel::kCritical,
       [](const Snapshot& s) {
         EXPECT_NEAR(PoolShare(s, "raftstore"), 0.99, 1e-9);
         EXPECT_LT(PoolShare(s, "apply"), 0.5);
       }},
      {HealthState::kWriteStall, HealthCheck::kWriteStall, HealthLevel::kWarning,
       [](const Snapshot& s) { EXPECT_NEAR(s.write_stall_seconds.at("kv"), 0.2, 1e-9); }},
      {HealthState::kLatchWait, HealthCheck::kSchedulerLatchWait, HealthLevel::kCritical,
       [](const Snapshot& s) {
         // Half of the latch waits (the prewrites) take 1.8 s: the p99 is in (1.024, 2.048].
         ASSERT_TRUE(s.pressure.scheduler_latch_wait_p99_seconds);
         EXPECT_NEAR(*s.pressure.scheduler_latch_wait_p99_seconds, 2.0, 0.05);
       }},
      {HealthState::kGrpcErrors, HealthCheck::kGrpcErrors, HealthLevel::kCritical,
       [](const Snapshot& s) {
         ASSERT_TRUE(s.pressure.grpc_failure_ratio);
         EXPECT_GT(*s.pressure.grpc_failure_ratio, 0.1);
       }},
      {HealthState::kFlowControl, HealthCheck::kFlowControl, HealthLevel::kCritical,
       [](const Snapshot& s) { EXPECT_EQ(s.pressure.flow_control_discard_ratio, 0.6); }},
      {HealthState::kCpuQuota, HealthCheck::kCpuQuota, HealthLevel::kCritical,
       [](const Snapshot& s) {
         EXPECT_EQ(s.pressure.cpu_cores_quota, 3.5);
         EXPECT_LT(PoolShare(s, "raftstore"), 0.5) << "the threads are as busy as before";
       }},
      // A setting, not trouble: 24 h behind with tidb_gc_life_time = 24 h stated is ok.
      {HealthState::kGcLongLifeTime, HealthCheck::kGcSafePoint, HealthLevel::kOk,
       [](const Snapshot& s) {
         ASSERT_TRUE(s.gc_safe_point_lag_seconds);
         EXPECT_NEAR(*s.gc_safe_point_lag_seconds, 86400, 0.01);
       },
       86400},
      // TiKV's copy of PD's safe point in 2510 is no lag at all (PD's body says why; no PD here).
      {HealthState::kGcFutureSafePoint, HealthCheck::kGcSafePoint, HealthLevel::kOk,
       [](const Snapshot& s) { EXPECT_FALSE(s.gc_safe_point_lag_seconds); }},
      {HealthState::kLatchWaitOneType, HealthCheck::kSchedulerLatchWait, HealthLevel::kCritical,
       [](const Snapshot& s) {
         // 3 of 603 latch waits a second take 1.8 s: the merged p99 stays in the first bucket.
         ASSERT_TRUE(s.pressure.scheduler_latch_wait_p99_seconds);
         EXPECT_LT(*s.pressure.scheduler_latch_wait_p99_seconds, 0.001);
         EXPECT_NEAR(s.pressure.scheduler_latch_wait_p99_by_type.at("acquire_pessimistic_lock"), 2.0, 0.05);
       }},
      // simplify-metrics drops the stall counter: without the LOG the check has no data.
      {HealthState::kSimplifyMetrics, HealthCheck::kWriteStall, HealthLevel::kOk,
       [](const Snapshot& s) { EXPECT_TRUE(s.write_stall_seconds.empty()); }},
  };
  static_assert(std::size(cases) == sim::kHealthStateCount);
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(sim::HealthStateName(c.state)));
    auto node = BuiltInNode();
    node->SetHealthState(c.state, true);
    EXPECT_EQ(node->health_states(), std::vector<HealthState>{c.state});
    const Snapshot unhealthy = Window(*node);
    c.expect(unhealthy);
    // The state's own check turns, and no other.
    HealthThresholds thresholds;
    thresholds.gc_life_time_seconds = c.gc_life_time_seconds;
    const HealthVerdict verdict = EvaluateHealth(unhealthy, thresholds);
    EXPECT_EQ(verdict.level, c.level);
    for (const HealthCheckResult& result : verdict.checks) {
      SCOPED_TRACE(result.reason);
      EXPECT_EQ(result.level.value_or(HealthLevel::kOk),
                result.check == c.check ? c.level : HealthLevel::kOk);
    }
    // Healed, the next window is healthy again.
    node->SetHealthState(c.state, false);
    EXPECT_TRUE(node->health_states().empty());
    ExpectHealthy(Window(*node, 30, 40));
  }
}

TEST(SimHealth, NoneHealsEveryState) {
  auto node = BuiltInNode();
  for (int i = 0; i < sim::kHealthStateCount; ++i)
    node->SetHealthState(static_cast<HealthState>(i), true);
  EXPECT_EQ(node->health_states().size(), static_cast<size_t>(sim::kHealthStateCount));
  node->ClearHealth();
  EXPECT_TRUE(node->health_states().empty());
  ExpectHealthy(Window(*node));
}

TEST(SimHealth, AFixtureNodeHasNoReadinessAndKeepsItsDump) {
  const std::string dump = "# TYPE tikv_raftstore_slow_score gauge\ntikv_raftstore_slow_score 1\n";
  auto raw = sim::SimNode::Raw(dump);
  raw->SetHealthState(HealthState::kSlowScore, true);
  EXPECT_EQ(raw->Ready(), std::nullopt);
  EXPECT_EQ(raw->Render(), dump);
  sim::SimNode parsed(ScrapeOf(dump, 0).metrics.ToExposition());
  parsed.SetHealthState(HealthState::kSlowScore, true);
  EXPECT_EQ(parsed.Ready(), std::nullopt);
  EXPECT_EQ(sim::SimNode::BuiltIn(false)->Ready(), std::nullopt);
  EXPECT_NE(parsed.Render().find("tikv_raftstore_slow_score 1\n"), std::string::npos)
      << parsed.Render();
}

TEST(SimHealth, StateNamesRoundTrip) {
  for (int i = 0; i < sim::kHealthStateCount; ++i) {
    const auto state = static_cast<HealthState>(i);
    EXPECT_EQ(sim::ParseHealthState(sim::HealthStateName(state)), state);
    EXPECT_NE(sim::HealthStateNames().find(sim::HealthStateName(state)), std::string::npos);
  }
  EXPECT_FALSE(sim::ParseHealthState("none"));
  EXPECT_FALSE(sim::ParseHealthState("Busy"));
}

TEST(SimHealthTimeline, AStateChangeNeverRewritesWhatWasCounted) {
  const auto t0 = std::chrono::steady_clock::now();
  HealthTimeline timeline(t0);
  auto rate = [](HealthTimeline::Mask mask) {
    return HealthTimeline::On(mask, HealthState::kBusy) ? 50.0 : 1.0;
  };
  timeline.Set(HealthState::kBusy, true, t0 + seconds(5), {});
  EXPECT_EQ(timeline.Integral(t0 + seconds(10), rate, true), 5 + 250);
  timeline.Set(HealthState::kBusy, false, t0 + seconds(10), {});
  EXPECT_EQ(timeline.Integral(t0 + seconds(10), rate, true), 5 + 250);
  EXPECT_EQ(timeline.Integral(t0 + seconds(20), rate, true), 5 + 250 + 10);
  // On and off again at one instant leaves no segment behind.
  timeline.Set(HealthState::kBusy, true, t0 + seconds(20), {});
  timeline.Set(HealthState::kBusy, false, t0 + seconds(20), {});
  EXPECT_EQ(timeline.Integral(t0 + seconds(30), rate, true), 5 + 250 + 20);
  // A restart forgets the past.
  timeline.Restart(t0 + seconds(30));
  EXPECT_EQ(timeline.Integral(t0 + seconds(31), rate, true), 1);
}

TEST(SimHealth, TheGcSafePointIsATsoALifeTimeBehindOrFrozen48HoursMoreBeforeGcStuck) {
  const auto now = std::chrono::system_clock::now();
  EXPECT_EQ(static_cast<int64_t>(sim::SimGcSafePoint(now, std::nullopt) >> 18),
            WallMs(now) - 600'000);
  EXPECT_EQ(static_cast<int64_t>(sim::SimGcSafePoint(now, std::nullopt, sim::SimGcLifeTime(true)) >> 18),
            WallMs(now) - 86'400'000);
  const auto stuck = now - seconds(30);
  EXPECT_EQ(static_cast<int64_t>(sim::SimGcSafePoint(now, stuck) >> 18),
            WallMs(stuck) - 48LL * 3600 * 1000 - 600'000);
  EXPECT_EQ(sim::SimGcSafePoint(now + seconds(60), stuck), sim::SimGcSafePoint(now, stuck));
  EXPECT_EQ(sim::SimFutureGcSafePoint() >> 18, 17'040'758'400'000u) << "2510-01-01";
}

TEST(SimHealthTimeline, OnSinceIsWhenTheStateLastWentOn) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto wall = std::chrono::system_clock::now();
  HealthTimeline timeline(t0);
  EXPECT_FALSE(timeline.OnSince(HealthState::kGcStuck));
  timeline.Set(HealthState::kGcStuck, true, t0, wall);
  timeline.Set(HealthState::kGcStuck, true, t0 + seconds(5),
               wall + seconds(5));  // already on: kept
  EXPECT_EQ(timeline.OnSince(HealthState::kGcStuck), wall);
  timeline.Set(HealthState::kGcStuck, false, t0 + seconds(6), wall + seconds(6));
  EXPECT_FALSE(timeline.OnSince(HealthState::kGcStuck));
}

}  // namespace
}  // namespace tikv_exporter::testing
