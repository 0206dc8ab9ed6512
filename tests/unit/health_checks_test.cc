#include "snapshot/health_checks.h"

#include <gtest/gtest.h>

#include "prom/family_builder.h"
#include "snapshot/health_metrics.h"
#include "snapshot/snapshot.h"
#include "tests/unit/exposition_checks.h"

namespace tikv_exporter {
namespace {

using testing::AllSeries;
using testing::ExpectWellFormed;
using testing::Series;

constexpr double kGiB = 1024.0 * 1024 * 1024;

// A node every check passes on: TiKV up and ready, 40 % of 500 GiB free, every signal quiet.
Snapshot HealthyNode() {
  Snapshot s;
  s.timestamp_ms = 1764500000000;
  s.sources[Source::kTikv] = SourceHealth{true, true, 1764500000000, ""};
  s.tikv_ready = true;
  s.pd_store_state = StoreState::kUp;
  s.storage.capacity_bytes = 500 * kGiB;
  s.storage.available_bytes = 200 * kGiB;
  s.disk_headroom = DiskHeadroom{25 * kGiB, "normal", 175 * kGiB};
  s.slow_store.tikv_score = {{"disk", 1}, {"network", 1}};
  s.slow_store.pd_score = 1;
  s.pressure.raft_write_p99_seconds = {{"append_log", 0.002}, {"apply_log", 0.004}, {"commit_log", 0.003}};
  s.pressure.scheduler_latch_wait_p99_seconds = 0.0001;
  s.pressure.scheduler_latch_wait_p99_by_type = {{"commit", 0.0001}, {"prewrite", 0.0001}};
  s.pressure.busy_rejections_per_second = {{"scheduler_too_busy", 0}, {"channel_full", 0}, {"coprocessor_full", 0}};
  s.window_seconds = 15;
  s.write_stall_seconds = {{"kv", 0}};
  s.pressure.flow_control_discard_ratio = 0;
  s.pressure.grpc_failure_ratio = 0.001;
  s.pressure.critical_errors = 0;
  s.pressure.tikv_start_time_seconds = 1764400000;
  s.pressure.thread_pools["raftstore"] = ThreadPoolCpu{0.5, 2};
  s.pressure.thread_pools["apply"] = ThreadPoolCpu{0.3, 2};
  s.pressure.cpu_cores_quota = 8;
  s.gc_safe_point_lag_seconds = 1200;
  s.min_resolved_ts_gap_seconds = 2;
  return s;
}

const HealthCheckResult& Check(const HealthVerdict& verdict, HealthCheck check) {
  for (const HealthCheckResult& result : verdict.checks) {
    if (result.check == check) return result;
  }
  static const HealthCheckResult kMissing;
  ADD_FAILURE() << "no result for " << NameOf(kHealthCheckNames, check);
  return kMissing;
}

TEST(HealthVerdict, AQuietNodeIsOkOnEveryCheck) {
  const HealthVerdict verdict = EvaluateHealth(HealthyNode(), HealthThresholds{});
  EXPECT_EQ(verdict.level, HealthLevel::kOk);
  ASSERT_EQ(verdict.checks.size(), std::size(kHealthCheckNames));
  for (const HealthCheckResult& check : verdict.checks) {
    EXPECT_EQ(check.level, HealthLevel::kOk) << NameOf(kHealthCheckNames, check.check) << ": " << check.reason;
  }
  EXPECT_TRUE(verdict.Reasons().empty());
  // 175 GiB before the reserve of 25 GiB; 200 / 500 = 40 % free.
  EXPECT_EQ(Check(verdict, HealthCheck::kDiskSpace).reason,
            "175 GiB left before TiKV refuses writes (reserve 25 GiB), 40 % of capacity free");
  // Every pool's CPU: 0.5 + 0.3 = 0.8 of 8 cores = 10 %.
  EXPECT_EQ(Check(verdict, HealthCheck::kCpuQuota).reason, "CPU 10 % (0.8 of 8 cores)");
  EXPECT_EQ(Check(verdict, HealthCheck::kCpuQuota).value, 0.1);
}

// Issue 20: out of file descriptors the poll failed as "connection refused" and the verdict said
// TiKV's status server does not answer, a false critical. The exporter's own shortage is no data.
TEST(HealthVerdict, TheExportersOwnDescriptorShortageIsNoDataNotTikvDown) {
  Snapshot s = HealthyNode();
  s.sources[Source::kTikv] = SourceHealth{true, false, 1764500000000,
                                          "out of file descriptors (EMFILE): the exporter could not open a socket"};
  const HealthVerdict verdict = EvaluateHealth(s, HealthThresholds{});
  const HealthCheckResult& reachable = Check(verdict, HealthCheck::kTikvReachable);
  EXPECT_FALSE(reachable.level.has_value());
  EXPECT_EQ(reachable.reason,
            "no data: the exporter cannot tell: out of file descriptors (EMFILE): the exporter could not open a socket");
  s.sources[Source::kTikv].last_error = "connection refused or unreachable";
  EXPECT_EQ(Check(EvaluateHealth(s, HealthThresholds{}), HealthCheck::kTikvReachable).level, HealthLevel::kCritical);
}

TEST(HealthVerdict, DiskAtTikvsReserveIsCriticalInWords) {
  Snapshot s = HealthyNode();
  s.storage.available_bytes = 20 * kGiB;
  s.disk_headroom = DiskHeadroom{25 * kGiB, "almost_full", 0};
  const HealthVerdict verdict = EvaluateHealth(s, HealthThresholds{});
  EXPECT_EQ(verdict.level, HealthLevel::kCritical);
  EXPECT_EQ(Check(verdict, HealthCheck::kDiskSpace).reason,
            "disk almost full: 20 GiB available ≤ the reserve 25 GiB, TiKV refuses writes");
  s.storage.available_bytes = 10 * kGiB;
  s.disk_headroom->state = "full";
  EXPECT_EQ(Check(EvaluateHealth(s, HealthThresholds{}), HealthCheck::kDiskSpace).reason,
            "disk full: 10 GiB available ≤ half the reserve 25 GiB, TiKV refuses writes");
}

TEST(HealthVerdict, DiskBelowTheFreeShareWarnsWithTheBytesLeft) {
  Snapshot s = HealthyNode();
  // 66 GiB free of 500 GiB = 13.2 % < 20 %; 66 - 25 = 41 GiB before TiKV refuses writes.
  s.storage.available_bytes = 66 * kGiB;
  s.disk_headroom = DiskHeadroom{25 * kGiB, "normal", 41 * kGiB};
  const HealthVerdict verdict = EvaluateHealth(s, HealthThresholds{});
  EXPECT_EQ(verdict.level, HealthLevel::kWarning);
  EXPECT_EQ(verdict.Reasons(),
            std::vector<std::string>{
                "disk low: 41 GiB left before TiKV refuses writes (reserve 25 GiB), 13.2 % of capacity free < 20 %"});
  HealthThresholds lower;
  lower.disk_available_ratio_warning = 0.1;
  EXPECT_EQ(EvaluateHealth(s, lower).level, HealthLevel::kOk) << "the threshold is configurable";
}

TEST(HealthVerdict, TheSlowestRaftStageNamesTheReason) {
  Snapshot s = HealthyNode();
  s.pressure.raft_write_p99_seconds["apply_log"] = 1.8;
  HealthVerdict verdict = EvaluateHealth(s, HealthThresholds{});
  EXPECT_EQ(verdict.level, HealthLevel::kCritical);
  const HealthCheckResult& raft = Check(verdict, HealthCheck::kRaftWritePath);
  EXPECT_TRUE(raft.reason.starts_with("apply log p99 1.8 s ≥ 1 s: wri")) << raft.reason;
  EXPECT_EQ(raft.value, 1.8);
  EXPECT_EQ(raft.warning_threshold, 0.5);
  EXPECT_EQ(raft.critical_threshold, 1);
  s.pressure.raft_write_p99_seconds["apply_log"] = 0.7;
  verdict = EvaluateHealth(s, HealthThresholds{});
  EXPECT_EQ(verdict.level, HealthLevel::kWarning);
  const std::string warning = Check(verdict, HealthCheck::kRaftWritePath).reason;
  EXPECT_TRUE(warning.starts_with("apply log p99 700 ms ≥ 500 ms")) << warning;
}

TEST(HealthVerdict, AZeroThresholdMeansAnyEvent) {
  Snapshot s = HealthyNode();
  EXPECT_EQ(Check(EvaluateHealth(s, {}), HealthCheck::kCriticalErrors).level, HealthLevel::kOk);
  s.pressure.critical_errors = 1;
  const HealthCheckResult errors = Check(EvaluateHealth(s, {}), HealthCheck::kCriticalErrors);
  EXPECT_EQ(errors.level, HealthLevel::kCritical);
  EXPECT_TRUE(errors.reason.starts_with("critical errors in the window 1 > 0")) << errors.reason;
  s.pressure.busy_rejections_per_second["scheduler_too_busy"] = 2.5;
  const HealthCheckResult busy = Check(EvaluateHealth(s, {}), HealthCheck::kServerBusy);
  EXPECT_EQ(busy.level, HealthLevel::kWarning) << "2.5/s is above 0 and under 10/s";
  EXPECT_NE(busy.reason.find("(scheduler too busy 2.5/s)"), std::string::npos) << busy.reason;
}

TEST(HealthVerdict, WriteStallIsGradedByTheShareOfTheWindow) {
  Snapshot s = HealthyNode();
  s.write_stall_seconds = {{"kv", 0.3}, {"raft", 0}};  // 0.3 s of 15 s = 2 %: stalled, not mostly
  HealthCheckResult stall = Check(EvaluateHealth(s, {}), HealthCheck::kWriteStall);
  EXPECT_EQ(stall.level, HealthLevel::kWarning);
  EXPECT_TRUE(stall.reason.starts_with("write stall in the kv db 2 % > 0: RocksDB")) << stall.reason;
  EXPECT_TRUE(stall.reason.ends_with("(300 ms of 15 s, the window of TiKV's /metrics)")) << stall.reason;
  s.write_stall_seconds["kv"] = 1.5;  // 10 %
  EXPECT_EQ(Check(EvaluateHealth(s, {}), HealthCheck::kWriteStall).level, HealthLevel::kCritical);
}

TEST(HealthVerdict, LargeRatesReadAsWholeNumbers) {
  Snapshot s = HealthyNode();
  s.pressure.busy_rejections_per_second["scheduler_too_busy"] = 12345.6;
  const HealthCheckResult busy = Check(EvaluateHealth(s, {}), HealthCheck::kServerBusy);
  EXPECT_TRUE(busy.reason.starts_with("busy rejections 12346/s ≥ 10/s")) << busy.reason;
}

TEST(HealthVerdict, AnyChannelFullIsCritical) {
  Snapshot s = HealthyNode();
  s.pressure.busy_rejections_per_second["channel_full"] = 0.2;
  EXPECT_EQ(Check(EvaluateHealth(s, {}), HealthCheck::kServerBusy).level, HealthLevel::kCritical);
}

TEST(HealthVerdict, TheWorstSlowScoreOfTikvAndPdCounts) {
  Snapshot s = HealthyNode();
  s.slow_store.tikv_score["disk"] = 100;
  const HealthCheckResult slow = Check(EvaluateHealth(s, {}), HealthCheck::kSlowStore);
  EXPECT_EQ(slow.level, HealthLevel::kCritical);
  EXPECT_EQ(slow.value, 100);
  EXPECT_NE(slow.reason.find("(PD 1, TiKV disk 100, TiKV network 1)"), std::string::npos) << slow.reason;
  s.slow_store.tikv_score["disk"] = 1;
  s.slow_store.pd_score = 80;  // PD's own line: a store is slow from 80
  EXPECT_EQ(Check(EvaluateHealth(s, {}), HealthCheck::kSlowStore).level, HealthLevel::kCritical);
  s.slow_store.pd_score = 79;
  EXPECT_EQ(Check(EvaluateHealth(s, {}), HealthCheck::kSlowStore).level, HealthLevel::kWarning);
}

TEST(HealthVerdict, PoolsAndQuota) {
  Snapshot s = HealthyNode();
  s.pressure.thread_pools["raftstore"] = ThreadPoolCpu{1.9, 2};  // 95 % of two threads
  s.pressure.thread_pools["other"] = ThreadPoolCpu{5.5, 1};       // unnamed threads are no pool
  const HealthVerdict verdict = EvaluateHealth(s, {});
  EXPECT_EQ(Check(verdict, HealthCheck::kThreadPools).level, HealthLevel::kCritical);
  EXPECT_EQ(Check(verdict, HealthCheck::kThreadPools).value, 0.95);
  // 1.9 + 0.3 + 5.5 = 7.7 of 8 cores = 96 %: critical from 90 %.
  EXPECT_EQ(Check(verdict, HealthCheck::kCpuQuota).level, HealthLevel::kCritical);
}

TEST(HealthVerdict, GcStuckForTwoDays) {
  Snapshot s = HealthyNode();
  HealthThresholds thresholds;
  thresholds.gc_life_time_seconds = 600;  // TiDB's default, stated
  s.gc_safe_point_lag_seconds = 48 * 3600;
  // 48 h - 10 min - the 10 min run interval = 47 h 40 min beyond: critical from 24 h.
  const HealthCheckResult gc = Check(EvaluateHealth(s, thresholds), HealthCheck::kGcSafePoint);
  EXPECT_EQ(gc.level, HealthLevel::kCritical);
  EXPECT_TRUE(gc.reason.starts_with("GC safe point 48 h old: 47.7 h beyond gc_life_time 10 min + the 10 min run "
                                    "interval ≥ 24 h: old"))
      << gc.reason;
  EXPECT_EQ(gc.critical_threshold, 600 + 600 + 86400);
  // PD names the service that holds GC back, and PD's later safe point is the one that counts.
  s.pd_gc = PdGcLag{50 * 3600, "ticdc-default-1", 50 * 3600, 5400, "", 0};
  const HealthCheckResult named = Check(EvaluateHealth(s, thresholds), HealthCheck::kGcSafePoint);
  EXPECT_EQ(named.value, 50 * 3600);
  EXPECT_TRUE(named.reason.ends_with("; the oldest service safe point is ticdc-default-1's, 50 h old, expiring in 90 min"))
      << named.reason;
}

// Issue 21 case 1: tidb_gc_life_time = 24 h is a documented setting. A GC that works with it
// trails by 24 h + up to the 10 min run interval and moves every run: that is ok, with or without
// the life time stated. Before: critical, "GC safe point behind by 24.1 h ≥ 24 h".
TEST(HealthVerdict, AWorkingGcWithA24HourLifeTimeIsOk) {
  Snapshot s = HealthyNode();
  s.gc_safe_point_lag_seconds = 86400 + 300;
  s.pd_gc = PdGcLag{86400 + 300, "gc_worker", 86400 + 300, std::nullopt, "", 0};
  s.gc_advance = GcAdvance{"PD", 240, 3 * 3600, true};  // moved 4 min ago, watched for 3 h
  for (double life_time : {0.0, 86400.0}) {
    HealthThresholds thresholds;
    thresholds.gc_life_time_seconds = life_time;
    const HealthCheckResult gc = Check(EvaluateHealth(s, thresholds), HealthCheck::kGcSafePoint);
    EXPECT_EQ(gc.level, HealthLevel::kOk) << life_time << ": " << gc.reason;
    EXPECT_EQ(gc.reason, "GC safe point 24.1 h old (advancing: PD's moved 4 min ago, window 30 min)");
  }
}

// A GC that stopped: the safe point stands still. Past the window (three of TiDB's 10 min runs)
// it warns, from a day (TiKV_GC_can_not_work's window) it is critical whatever the life time.
TEST(HealthVerdict, AGcThatStopsWarnsAfterTheWindowAndIsCriticalAfterADay) {
  Snapshot s = HealthyNode();
  s.gc_safe_point_lag_seconds = 86400 + 2400;
  s.gc_advance = GcAdvance{"TiKV", 2400, 3 * 3600, true};  // 40 min ≥ 30 min
  HealthCheckResult gc = Check(EvaluateHealth(s, {}), HealthCheck::kGcSafePoint);
  EXPECT_EQ(gc.level, HealthLevel::kWarning);
  EXPECT_TRUE(gc.reason.starts_with("GC safe point 24.7 h old: TiKV's safe point has not advanced for 40 min ≥ the "
                                    "30 min window (TiDB runs GC every 10 min): old versions"))
      << gc.reason;
  s.gc_advance = GcAdvance{"TiKV", 3 * 86400, 3 * 86400, false};  // stopped for days
  s.gc_safe_point_lag_seconds = 4 * 86400;
  gc = Check(EvaluateHealth(s, {}), HealthCheck::kGcSafePoint);
  EXPECT_EQ(gc.level, HealthLevel::kCritical);
  EXPECT_NE(gc.reason.find("TiKV's safe point has not advanced for 72 h ≥ 24 h (TiKV_GC_can_not_work's day)"),
            std::string::npos)
      << gc.reason;
}

// Whatever the life time, TiDB accepts none above 8760 h: a safe point older than that plus the
// run interval is stuck, on the first poll already.
TEST(HealthVerdict, ASafePointOlderThanAnyLifeTimeIsCritical) {
  Snapshot s = HealthyNode();
  s.gc_safe_point_lag_seconds = 8760.0 * 3600 + 601;
  const HealthCheckResult gc = Check(EvaluateHealth(s, {}), HealthCheck::kGcSafePoint);
  EXPECT_EQ(gc.level, HealthLevel::kCritical);
  EXPECT_NE(gc.reason.find("beyond any valid tidb_gc_life_time (8760 h + the 10 min run interval)"), std::string::npos)
      << gc.reason;
  s.gc_safe_point_lag_seconds = 8760.0 * 3600;  // the longest valid life time, just run
  EXPECT_EQ(Check(EvaluateHealth(s, {}), HealthCheck::kGcSafePoint).level, HealthLevel::kOk);
}

// Issue 21 case 2: PD's gc_safe_point in the future beside a service safe point two years old.
// The body is invalid; the service safe point counts. Before: the negative lag (-1.5e10 s) was the
// max with TiKV's, "ok".
TEST(HealthVerdict, AnInvalidPdBodyIsGradedByItsServiceSafePoints) {
  Snapshot s = HealthyNode();
  s.gc_safe_point_lag_seconds.reset();  // TiKV's copy of the future point is left out
  const double two_years = 2 * 8760.0 * 3600;
  s.pd_gc = PdGcLag{two_years, "br-1", two_years, std::nullopt,
                    "gc_safe_point 2510-01-01 00:00:00 UTC is after br-1's service safe point", 0};
  const HealthCheckResult gc = Check(EvaluateHealth(s, {}), HealthCheck::kGcSafePoint);
  EXPECT_EQ(gc.level, HealthLevel::kCritical);
  EXPECT_EQ(gc.value, two_years);
  EXPECT_NE(gc.reason.find("PD's /gc/safepoint is invalid: gc_safe_point 2510-01-01 00:00:00 UTC is after br-1's "
                           "service safe point, so the oldest service safe point counts"),
            std::string::npos)
      << gc.reason;
  // Without a service safe point there is nothing to grade.
  s.pd_gc = PdGcLag{std::nullopt, "", 0, std::nullopt, "gc_safe_point 2510-01-01 00:00:00 UTC is in the future", 0};
  const HealthCheckResult none = Check(EvaluateHealth(s, {}), HealthCheck::kGcSafePoint);
  EXPECT_FALSE(none.level);
  EXPECT_EQ(none.reason, "no data: PD's /gc/safepoint is invalid: gc_safe_point 2510-01-01 00:00:00 UTC is in the "
                         "future, and it lists no service safe point");
}

// Issue 21 case 2, TiKV's side: its safe point an hour in the future is left out, and the check
// says so. Before: "neither TiKV nor PD reports a GC safe point", as if GC had never run.
TEST(HealthVerdict, AFutureTikvSafePointIsNamedNotSilentlyDropped) {
  Snapshot s = HealthyNode();
  s.gc_safe_point_lag_seconds.reset();
  s.pd_gc.reset();
  s.gc_safe_point_ahead_seconds = 3600;
  const HealthCheckResult gc = Check(EvaluateHealth(s, {}), HealthCheck::kGcSafePoint);
  EXPECT_FALSE(gc.level);
  EXPECT_NE(gc.reason.find("TiKV's GC safe point is 60 min in the future"), std::string::npos) << gc.reason;
}

// Issue 21 case 3: TiKV's rule takes the p99 of each command type. Prewrite at 0.5 % of the
// commands waiting 2 s: the merged p99 stays 1 ms. Before: ok, "scheduler latch wait p99 1 ms".
TEST(HealthVerdict, TheWorstCommandTypesLatchWaitCounts) {
  Snapshot s = HealthyNode();
  s.pressure.scheduler_latch_wait_p99_seconds = 0.001;
  s.pressure.scheduler_latch_wait_p99_by_type = {{"commit", 0.001}, {"get", 0.0005}, {"prewrite", 2.0}};
  const HealthCheckResult latch = Check(EvaluateHealth(s, {}), HealthCheck::kSchedulerLatchWait);
  EXPECT_EQ(latch.level, HealthLevel::kCritical);
  EXPECT_EQ(latch.value, 2.0);
  EXPECT_TRUE(latch.reason.starts_with("scheduler latch wait p99 of prewrite 2 s ≥ 1 s")) << latch.reason;
}

// Issue 21 case 4: a stall from the RocksDB LOG spans the time between its two dumps. 1.5 s
// between dumps a day apart is 0.0017 %, a warning (any stall), not 10 % of a 15 s window.
// Before: critical, "write stall in the kv db 10 % ≥ 10 %".
TEST(HealthVerdict, AStallFromTheLogIsDividedByTheTimeBetweenDumps) {
  Snapshot s = HealthyNode();
  s.write_stall_seconds = {{"kv", 1.5}};
  s.signal_sources["write_stall"] = "rocksdb_log";
  s.write_stall_log_dumps_seconds = 86400;
  const HealthCheckResult stall = Check(EvaluateHealth(s, {}), HealthCheck::kWriteStall);
  EXPECT_EQ(stall.level, HealthLevel::kWarning);
  EXPECT_NEAR(*stall.value, 1.5 / 86400, 1e-12);
  EXPECT_TRUE(stall.reason.ends_with("(1.5 s of 24 h between the RocksDB LOG's last two stats dumps)")) << stall.reason;
}

// The same span for a stall from two answers of TiKV's debug service (issue 25), a minute apart.
TEST(HealthVerdict, AStallFromTheDebugServiceIsDividedByTheTimeBetweenItsAnswers) {
  Snapshot s = HealthyNode();
  s.write_stall_seconds = {{"kv", 0.6}};
  s.signal_sources["write_stall"] = "rocksdb_debug_service";
  s.write_stall_log_dumps_seconds = 60;
  s.window_seconds = 15;
  const HealthCheckResult stall = Check(EvaluateHealth(s, {}), HealthCheck::kWriteStall);
  EXPECT_NEAR(*stall.value, 0.6 / 60, 1e-12);
  EXPECT_TRUE(stall.reason.ends_with("(600 ms of 60 s between the last two answers of TiKV's debug service)"))
      << stall.reason;
}

// Issue 21 case 8: PD's slow score 0 is "none reported" (PD < 5.3 over gRPC), not a score on
// the 1..100 scale. Before: ok, "slow score 0 (PD 0)".
TEST(HealthVerdict, PdsSlowScoreZeroIsNoScore) {
  Snapshot s = HealthyNode();
  s.slow_store.tikv_score.clear();
  s.slow_store.pd_score = 0;
  const HealthCheckResult slow = Check(EvaluateHealth(s, {}), HealthCheck::kSlowStore);
  EXPECT_FALSE(slow.level) << slow.reason;
}

// Issue 21 case 7: with the TiKV collector off and no PD, no check has its inputs. That verdict
// checked nothing: it is not passing, and the reasons say the collector is off, not failing.
// Before: Passing (200 "ok"), "no data: TiKV is not answering".
TEST(HealthVerdict, AVerdictThatCheckedNothingDoesNotPass) {
  Snapshot s;
  s.timestamp_ms = 1764500000000;
  const HealthVerdict verdict = EvaluateHealth(s, {});
  EXPECT_TRUE(verdict.Evaluated().empty());
  EXPECT_FALSE(verdict.Passing());
  EXPECT_EQ(Check(verdict, HealthCheck::kRaftWritePath).reason, "no data: the TiKV collector is off");
  Snapshot pd_only = s;
  pd_only.pd_store_state = StoreState::kUp;
  const HealthVerdict checked = EvaluateHealth(pd_only, {});
  EXPECT_EQ(checked.Evaluated(), std::vector<HealthCheck>{HealthCheck::kPdStoreState});
  EXPECT_TRUE(checked.Passing());
}

TEST(HealthVerdict, PdsViewOfTheStore) {
  Snapshot s = HealthyNode();
  s.pd_store_state = StoreState::kDisconnected;
  EXPECT_EQ(Check(EvaluateHealth(s, {}), HealthCheck::kPdStoreState).level, HealthLevel::kWarning);
  s.pd_store_state = StoreState::kDown;
  EXPECT_EQ(Check(EvaluateHealth(s, {}), HealthCheck::kPdStoreState).level, HealthLevel::kCritical);
  s.pd_store_state.reset();
  EXPECT_FALSE(Check(EvaluateHealth(s, {}), HealthCheck::kPdStoreState).level);
}

TEST(HealthVerdict, TikvDownIsCriticalAndItsSignalsHaveNoData) {
  Snapshot s;
  s.sources[Source::kTikv] = SourceHealth{true, false, 0, "GET http://127.0.0.1:20180/metrics: connection refused"};
  s.pd_store_state = StoreState::kUp;
  const HealthVerdict verdict = EvaluateHealth(s, {});
  EXPECT_EQ(verdict.level, HealthLevel::kCritical);
  EXPECT_EQ(verdict.Reasons(), std::vector<std::string>{"TiKV's status server does not answer: GET "
                                                        "http://127.0.0.1:20180/metrics: connection refused"});
  const HealthCheckResult& raft = Check(verdict, HealthCheck::kRaftWritePath);
  EXPECT_FALSE(raft.level);
  EXPECT_EQ(raft.reason, "no data: TiKV is not answering");
  EXPECT_EQ(Check(verdict, HealthCheck::kPdStoreState).level, HealthLevel::kOk) << "PD still answers";
}

TEST(HealthVerdict, AnOldTikvLacksInputsWithoutFailing) {
  Snapshot s;
  s.sources[Source::kTikv] = SourceHealth{true, true, 1, ""};
  const HealthVerdict verdict = EvaluateHealth(s, {});
  EXPECT_EQ(verdict.level, HealthLevel::kOk);
  EXPECT_EQ(Check(verdict, HealthCheck::kFlowControl).reason, "no data: this TiKV has no flow control (< 5.2)");
  EXPECT_EQ(Check(verdict, HealthCheck::kTikvReady).reason, "no data: this TiKV has no GET /ready");
}

TEST(HealthVerdict, ADisabledCheckDoesNotCount) {
  Snapshot s = HealthyNode();
  s.min_resolved_ts_gap_seconds = 3600;
  EXPECT_EQ(EvaluateHealth(s, {}).level, HealthLevel::kCritical);
  HealthThresholds thresholds;
  thresholds.disabled.insert(HealthCheck::kResolvedTs);
  const HealthVerdict verdict = EvaluateHealth(s, thresholds);
  EXPECT_EQ(verdict.level, HealthLevel::kOk);
  EXPECT_EQ(Check(verdict, HealthCheck::kResolvedTs).reason, "no data: disabled in [health]");
}

TEST(HealthVerdict, CriticalReasonsComeFirst) {
  Snapshot s = HealthyNode();
  s.pressure.tikv_restarted = true;  // warning
  s.tikv_ready = false;              // critical
  const HealthVerdict verdict = EvaluateHealth(s, {});
  ASSERT_EQ(verdict.Reasons().size(), 2u);
  EXPECT_TRUE(verdict.Reasons()[0].starts_with("TiKV says it is not ready (G")) << verdict.Reasons()[0];
  EXPECT_EQ(verdict.Reasons()[1], "TiKV restarted in the window (its process start time changed)");
}

TEST(HealthSeries, OneSeriesPerCheckWithInputsAndTheVerdict) {
  Snapshot s;
  s.sources[Source::kTikv] = SourceHealth{true, true, 1, ""};
  s.tikv_ready = false;
  s.pressure.tikv_start_time_seconds = 1;
  s.pressure.tikv_restarted = true;
  Families families;
  AddHealthSeries(EvaluateHealth(s, {}), families);
  EXPECT_EQ(AllSeries(families), (Series{{"tikv_exporter_health_level{}", 2},
                                         {"tikv_exporter_health_check_level{check=\"tikv_reachable\"}", 0},
                                         {"tikv_exporter_health_check_level{check=\"tikv_ready\"}", 2},
                                         {"tikv_exporter_health_check_level{check=\"restarts\"}", 1}}));
  ExpectWellFormed(families);
  Families none;
  AddHealthSeries(HealthVerdict{}, none);
  EXPECT_TRUE(AllSeries(none).empty()) << "no verdict before the first poll";
}

}  // namespace
}  // namespace tikv_exporter
