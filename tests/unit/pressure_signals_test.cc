#include <gtest/gtest.h>

#include <tuple>

#include "snapshot/pressure_builder.h"
#include "snapshot/pressure_metrics.h"
#include "snapshot/snapshot_builder.h"
#include "tests/unit/exposition_checks.h"
#include "tests/unit/test_files.h"
#include "tests/unit/snapshot_inputs.h"

namespace tikv_exporter {
namespace {

TikvScrape Scrape(const std::string& text, int64_t at_ms) { return testing::ScrapeOf(text, at_ms); }

TikvScrape FixtureAt(const char* name, int64_t at_ms) {
  return Scrape(testing::ReadFile(testing::Fixture(name)), at_ms);
}

// The fixture 10 s later with every value doubled except the process start time (no restart): the
// increase in the window of every counter and bucket is then the fixture's own value.
TikvScrape DoubledTenSecondsLater(const TikvScrape& before) {
  return testing::EditedLater(before, 10000, [](Exposition& metrics) {
    for (const MetricFamily& family : metrics.families()) {
      if (family.name == "process_start_time_seconds") continue;
      for (Sample& sample : metrics.Find(family.name)->samples) sample.value *= 2;
    }
  });
}

// `scrape` with TiKV's start time set to `seconds` (a restart when it changes).
TikvScrape StartedAt(const TikvScrape& scrape, double seconds) {
  return testing::EditedLater(scrape, 0, [seconds](Exposition& metrics) {
    metrics.Find("process_start_time_seconds")->samples.front().value = seconds;
  });
}

Snapshot Build(const TikvScrape* before, const TikvScrape& after) {
  Snapshot s;
  AddTikvMetrics(before, after, &s);
  return s;
}

constexpr double kEps = 1e-12;

// p99 = lower + (upper - lower) * (0.99 * count - cumulative below) / (bucket's own count), within
// the bucket the rank 0.99 * count falls in, as histogram_quantile() interpolates. The buckets
// below are the fixture's (cumulative), read off the dump.
TEST(PressureSignals, RaftWritePathP99sFromTheV53Dump) {
  const TikvScrape before = FixtureAt("tikv-v5.3.0-alpha-metrics.prom", 0);
  const Snapshot s = Build(&before, DoubledTenSecondsLater(before));
  const auto& p99 = s.pressure.raft_write_p99_seconds;
  ASSERT_EQ(p99.size(), 5u);
  // append_log: 1380 in all, rank 1366.2 in (0.016, 0.032] holding 1358 -> 1377.
  EXPECT_NEAR(p99.at("append_log"), 0.016 + 0.016 * (1366.2 - 1358) / (1377 - 1358), kEps);
  // commit_log: 323, rank 319.77 in (0.032, 0.064]: 319 -> 323.
  EXPECT_NEAR(p99.at("commit_log"), 0.032 + 0.032 * (319.77 - 319) / (323 - 319), kEps);
  // apply_log: 351, rank 347.49 in (0.016, 0.032]: 346 -> 351.
  EXPECT_NEAR(p99.at("apply_log"), 0.016 + 0.016 * (347.49 - 346) / (351 - 346), kEps);
  // apply_wait: 374, rank 370.26 in (0.004, 0.008]: 359 -> 371.
  EXPECT_NEAR(p99.at("apply_wait"), 0.004 + 0.004 * (370.26 - 359) / (371 - 359), kEps);
  // request_wait: 465, rank 460.35 in (0.008, 0.016]: 458 -> 462.
  EXPECT_NEAR(p99.at("request_wait"), 0.008 + 0.008 * (460.35 - 458) / (462 - 458), kEps);
  // Latch wait summed over its 34 command types: 289 in all, rank 286.11 in (0.0005, 0.001]: 286 ->
  // 289.
  ASSERT_TRUE(s.pressure.scheduler_latch_wait_p99_seconds.has_value());
  EXPECT_NEAR(*s.pressure.scheduler_latch_wait_p99_seconds, 0.0005 + 0.0005 * (286.11 - 286) / 3,
              kEps);
}

TEST(PressureSignals, RaftWritePathAndLatchWaitFromTheV50Dump) {
  const TikvScrape before = FixtureAt("tikv-v5.0-nightly-metrics-truncated.prom", 0);
  const Snapshot s = Build(&before, DoubledTenSecondsLater(before));
  // append_log: 4672, rank 4625.28 in (0.001, 0.002]: 4618 -> 4659.
  EXPECT_NEAR(s.pressure.raft_write_p99_seconds.at("append_log"),
              0.001 + 0.001 * (4625.28 - 4618) / 41, kEps);
  // commit_log: all 123 at or below 0.0005: rank 121.77 of the first bucket, from 0.
  EXPECT_NEAR(s.pressure.raft_write_p99_seconds.at("commit_log"), 0.0005 * 121.77 / 123, kEps);
  // request_wait: 1910, rank 1890.9 in (0.001, 0.002]: 1882 -> 1897.
  EXPECT_NEAR(s.pressure.raft_write_p99_seconds.at("request_wait"),
              0.001 + 0.001 * (1890.9 - 1882) / 15, kEps);
  // Latch wait: 163, rank 161.37 in (0.0005, 0.001]: 161 -> 163.
  EXPECT_NEAR(*s.pressure.scheduler_latch_wait_p99_seconds, 0.0005 + 0.0005 * (161.37 - 161) / 2,
              kEps);
}

// Latch wait by command type, as TiKV_scheduler_latch_wait_duration_seconds groups it. In the
// 10 s window: 597 commits within 0.5 ms and 3 prewrites (0.5 %) each in (1.024, 2.048]. Merged:
// rank 594 of 600 falls in the first bucket, 0.0005 * 594 / 597. Prewrite alone: rank 2.97 of 3
// in (1.024, 2.048]: 1.024 + 1.024 * 2.97 / 3 (issue 21 case 3).
TEST(PressureSignals, LatchWaitP99OfEachCommandType) {
  auto latch = [](double commits, double prewrites) {
    const std::string c = std::to_string(commits), p = std::to_string(prewrites);
    std::string text = "# TYPE tikv_scheduler_latch_wait_duration_seconds histogram\n";
    for (const auto& [type, fast, slow] : {std::tuple{"commit", c, std::string("0")}, std::tuple{"prewrite", std::string("0"), p}}) {
      const std::string t = std::string("type=\"") + type + "\"";
      text += "tikv_scheduler_latch_wait_duration_seconds_bucket{" + t + ",le=\"0.0005\"} " + fast + "\n";
      text += "tikv_scheduler_latch_wait_duration_seconds_bucket{" + t + ",le=\"1.024\"} " + fast + "\n";
      text += "tikv_scheduler_latch_wait_duration_seconds_bucket{" + t + ",le=\"2.048\"} " + (fast == "0" ? slow : fast) + "\n";
      text += "tikv_scheduler_latch_wait_duration_seconds_bucket{" + t + ",le=\"+Inf\"} " + (fast == "0" ? slow : fast) + "\n";
      text += "tikv_scheduler_latch_wait_duration_seconds_count{" + t + "} " + (fast == "0" ? slow : fast) + "\n";
      text += "tikv_scheduler_latch_wait_duration_seconds_sum{" + t + "} 0\n";
    }
    return text;
  };
  const TikvScrape before = Scrape(latch(1000, 10), 0);
  const Snapshot s = Build(&before, Scrape(latch(1597, 13), 10000));
  EXPECT_NEAR(*s.pressure.scheduler_latch_wait_p99_seconds, 0.0005 * 594 / 597, kEps);
  ASSERT_EQ(s.pressure.scheduler_latch_wait_p99_by_type.size(), 2u);
  EXPECT_NEAR(s.pressure.scheduler_latch_wait_p99_by_type.at("commit"), 0.0005 * 591.03 / 597, kEps);
  EXPECT_NEAR(s.pressure.scheduler_latch_wait_p99_by_type.at("prewrite"), 1.024 + 1.024 * 2.97 / 3, kEps);
}

TEST(PressureSignals, ThreadPoolsFromTheV53Dump) {
  const TikvScrape before = FixtureAt("tikv-v5.3.0-alpha-metrics.prom", 0);
  const Snapshot s = Build(&before, DoubledTenSecondsLater(before));
  const auto& pools = s.pressure.thread_pools;
  // The CPU seconds of each pool's threads in the dump, over the 10 s window.
  EXPECT_NEAR(pools.at("raftstore").cpu_seconds_per_second, (0.26 + 0.26) / 10,
              kEps);  // raftstore_1_0, _1_1
  EXPECT_EQ(pools.at("raftstore").threads, 2);
  EXPECT_NEAR(*pools.at("raftstore").ShareOfThreads(), 0.052 / 2, kEps);
  EXPECT_NEAR(pools.at("apply").cpu_seconds_per_second, (0.11 + 0.11 + 0) / 10,
              kEps);  // apply_0, _1, apply_low_0
  EXPECT_EQ(pools.at("apply").threads, 3);
  // sched_high_pri_ 0.02 x 2 and sched_worker_po 0, 0.01 x 3.
  EXPECT_NEAR(pools.at("scheduler").cpu_seconds_per_second, (0.02 * 2 + 0.01 * 3) / 10, kEps);
  EXPECT_EQ(pools.at("scheduler").threads, 6);
  // grpc_server_0..4; the two grpc_global_tim threads are "other".
  EXPECT_NEAR(pools.at("grpc").cpu_seconds_per_second, (0.13 + 0.12 + 0.11 + 0.12 + 0.12) / 10,
              kEps);
  EXPECT_EQ(pools.at("grpc").threads, 5);
  EXPECT_NEAR(pools.at("unified_read_pool").cpu_seconds_per_second,
              (0.08 + 0.09 + 0.08 + 0.09) / 10, kEps);
  EXPECT_EQ(pools.at("unified_read_pool").threads, 4);
  EXPECT_EQ(pools.at("rocksdb").threads, 6);
  // 85 threads with 5.65 CPU seconds in all: the other 59 hold 5.65 - 1.75.
  EXPECT_EQ(pools.at("other").threads, 85 - 2 - 3 - 6 - 5 - 4 - 6);
  EXPECT_NEAR(pools.at("other").cpu_seconds_per_second, (5.65 - 1.75) / 10, 1e-9);
  EXPECT_EQ(pools.size(), 7u);
  // A gauge, read from the latest scrape alone: the dump says 2 (the doubled copy 4).
  EXPECT_DOUBLE_EQ(*Build(nullptr, before).pressure.cpu_cores_quota, 2);
  EXPECT_DOUBLE_EQ(*s.pressure.cpu_cores_quota, 4);
}

TEST(PressureSignals, ThreadPoolsFromTheV50Dump) {
  const TikvScrape before = FixtureAt("tikv-v5.0-nightly-metrics-truncated.prom", 0);
  const Snapshot s = Build(&before, DoubledTenSecondsLater(before));
  const auto& pools = s.pressure.thread_pools;
  EXPECT_NEAR(pools.at("raftstore").cpu_seconds_per_second, (0.66 + 0.67) / 10, kEps);
  EXPECT_NEAR(pools.at("grpc").cpu_seconds_per_second, (0.25 + 0.26 + 0.26 + 0.25) / 10, kEps);
  // store_read_high 0.12 x 4, store_read_low_ 0 x 4, store_read_norm 0.06 + 0.05 x 3.
  EXPECT_NEAR(pools.at("storage_read").cpu_seconds_per_second, (0.12 * 4 + 0.06 + 0.05 * 3) / 10,
              kEps);
  EXPECT_EQ(pools.at("storage_read").threads, 12);
  EXPECT_EQ(pools.at("scheduler").threads, 6);           // sched_high_pri_ x 2, sched_worker_po x 4
  EXPECT_FALSE(s.pressure.cpu_cores_quota.has_value());  // not exported before v5.3
}

TEST(PressureSignals, PoolNamesAreMatchedTolerantlyAndBounded) {
  const std::pair<const char*, const char*> kNames[] = {
      {"raftstore_1_0", "raftstore"},   {"rs_3", "raftstore"},
      {"apply_low_0", "apply"},         {"sched-worker-pool", "scheduler"},
      {"sched_worker_po", "scheduler"}, {"grpc-server-2", "grpc"},
      {"grpc_global_tim", "other"},     {"Unified-Read-Po", "unified_read_pool"},
      {"cop_normal_0", "coprocessor"},  {"store_write_0", "store_write"},
      {"rocksdb:low0", "rocksdb"},      {"a thread nobody knows", "other"}};
  for (const auto& [thread, pool] : kNames) EXPECT_EQ(PoolOfThread(thread), pool) << thread;
}

TEST(PressureSignals, EventCountersAreZeroInTheQuietFixturesAndNeedNoPreviousSeries) {
  // Neither dump carries tikv_grpc_msg_fail_total, tikv_scheduler_too_busy_total,
  // tikv_channel_full_total or tikv_critical_error_total: TiKV registers them with their first
  // event.
  const TikvScrape before = FixtureAt("tikv-v5.3.0-alpha-metrics.prom", 0);
  const Snapshot s = Build(&before, DoubledTenSecondsLater(before));
  EXPECT_EQ(*s.pressure.grpc_failure_ratio, 0);
  EXPECT_EQ(*s.pressure.critical_errors, 0);
  EXPECT_EQ(s.pressure.busy_rejections_per_second,
            (std::map<std::string, double>{
                {"channel_full", 0}, {"coprocessor_full", 0}, {"scheduler_too_busy", 0}}));
  EXPECT_FALSE(s.pressure.flow_control_discard_ratio.has_value());  // not in v5.3.0-alpha
  EXPECT_DOUBLE_EQ(*s.pressure.tikv_start_time_seconds, 1634094873.15);
  EXPECT_FALSE(s.pressure.tikv_restarted);
}

TEST(PressureSignals, RejectionsFailuresAndDiscardRatio) {
  const std::string grpc =
      "# TYPE tikv_grpc_msg_duration_seconds histogram\n"
      "tikv_grpc_msg_duration_seconds_bucket{type=\"kv_get\",le=\"+Inf\"} %d\n"
      "tikv_grpc_msg_duration_seconds_sum{type=\"kv_get\"} 1\n"
      "tikv_grpc_msg_duration_seconds_count{type=\"kv_get\"} %d\n";
  auto at = [&](int requests, const std::string& more) {
    std::string text = grpc;
    for (int i = 0; i < 2; ++i) text.replace(text.find("%d"), 2, std::to_string(requests));
    return text + more;
  };
  const TikvScrape before = Scrape(at(1000,
                                      "tikv_scheduler_too_busy_total{type=\"prewrite\"} 5\n"
                                      "tikv_grpc_msg_fail_total{type=\"kv_get\"} 10\n"),
                                   0);
  const TikvScrape after = Scrape(at(1400,
                                     "tikv_scheduler_too_busy_total{type=\"prewrite\"} 45\n"
                                     "tikv_scheduler_too_busy_total{type=\"commit\"} 20\n"
                                     "tikv_grpc_msg_fail_total{type=\"kv_get\"} 30\n"
                                     "tikv_channel_full_total{type=\"raftstore\"} 4\n"
                                     "tikv_coprocessor_request_error{reason=\"full\"} 8\n"
                                     "tikv_coprocessor_request_error{reason=\"lock\"} 100\n"
                                     "tikv_critical_error_total{type=\"disk\"} 2\n"
                                     "tikv_scheduler_discard_ratio 2500000\n"),
                                  20000);
  const Snapshot s = Build(&before, after);
  // 20 s window: too busy 40 + 20 (commit is new: counted from 0), channel full 4, coprocessor
  // full 8.
  EXPECT_DOUBLE_EQ(s.pressure.busy_rejections_per_second.at("scheduler_too_busy"), 60.0 / 20);
  EXPECT_DOUBLE_EQ(s.pressure.busy_rejections_per_second.at("channel_full"), 4.0 / 20);
  EXPECT_DOUBLE_EQ(s.pressure.busy_rejections_per_second.at("coprocessor_full"), 8.0 / 20);
  EXPECT_DOUBLE_EQ(*s.pressure.grpc_failure_ratio, 20.0 / 400);  // 20 failed of 400 handled
  EXPECT_DOUBLE_EQ(*s.pressure.critical_errors, 2);
  EXPECT_DOUBLE_EQ(*s.pressure.flow_control_discard_ratio, 0.25);  // 2500000 / 10^7
}

TEST(PressureSignals, ARestartIsCountedOnceAndCarriedAcrossPolls) {
  const TikvScrape first = FixtureAt("tikv-v5.0-nightly-metrics-truncated.prom", 0);
  TikvScrape second = DoubledTenSecondsLater(first);
  Snapshot s1 = Build(nullptr, first);
  CountTikvRestarts(nullptr, &s1);
  EXPECT_DOUBLE_EQ(*s1.pressure.tikv_start_time_seconds, 1618821848.22);
  EXPECT_EQ(*s1.pressure.tikv_restarts, 0u);
  Snapshot s2 = Build(&first, second);
  CountTikvRestarts(&s1, &s2);
  EXPECT_EQ(*s2.pressure.tikv_restarts, 0u);
  // TiKV restarted: a new start time, and counters back near zero (the whole of `third` is the
  // increase, Prometheus' reset rule: append_log p99 is the fixture's again).
  TikvScrape third = StartedAt(FixtureAt("tikv-v5.0-nightly-metrics-truncated.prom", 20000), 1618821900);
  Snapshot s3 = Build(&second, third);
  CountTikvRestarts(&s2, &s3);
  EXPECT_TRUE(s3.pressure.tikv_restarted);
  EXPECT_EQ(*s3.pressure.tikv_restarts, 1u);
  EXPECT_DOUBLE_EQ(*s3.pressure.tikv_start_time_seconds, 1618821900);
  EXPECT_NEAR(s3.pressure.raft_write_p99_seconds.at("append_log"),
              0.001 + 0.001 * (4625.28 - 4618) / 41, kEps);
  // A poll while TiKV is down has no start time; the count survives it.
  Snapshot down;
  CountTikvRestarts(&s3, &down);
  EXPECT_EQ(*down.pressure.tikv_restarts, 1u);
}

TEST(PressureSignals, AbsentWhenTheNodeDoesNotExportTheirInputs) {
  // Only gRPC durations (no raftstore, scheduler, thread or process metrics).
  const std::string text =
      "tikv_grpc_msg_duration_seconds_bucket{type=\"kv_get\",le=\"+Inf\"} 10\n"
      "tikv_grpc_msg_duration_seconds_sum{type=\"kv_get\"} 1\n"
      "tikv_grpc_msg_duration_seconds_count{type=\"kv_get\"} 10\n";
  const TikvScrape before = Scrape(text, 0);
  const TikvScrape after = Scrape(text, 10000);
  Snapshot s = Build(&before, after);
  CountTikvRestarts(nullptr, &s);
  EXPECT_TRUE(s.pressure.raft_write_p99_seconds.empty());
  EXPECT_FALSE(s.pressure.scheduler_latch_wait_p99_seconds.has_value());
  EXPECT_TRUE(s.pressure.thread_pools.empty());
  EXPECT_FALSE(s.pressure.tikv_start_time_seconds.has_value());
  EXPECT_FALSE(s.pressure.tikv_restarts.has_value());
  EXPECT_FALSE(s.pressure.flow_control_discard_ratio.has_value());
  EXPECT_FALSE(s.pressure.grpc_failure_ratio.has_value()) << "no request in the window";
  // Without gRPC durations it is not a TiKV scrape: the lazily registered counters stay unknown.
  const TikvScrape empty_before = Scrape("", 0);
  const TikvScrape empty_after = Scrape("", 10000);
  Snapshot none = Build(&empty_before, empty_after);
  EXPECT_TRUE(none.pressure.busy_rejections_per_second.empty());
  EXPECT_FALSE(none.pressure.critical_errors.has_value());
  // No window on the first poll: only the start time, which needs none.
  const TikvScrape first = FixtureAt("tikv-v5.3.0-alpha-metrics.prom", 0);
  Snapshot only = Build(nullptr, first);
  EXPECT_TRUE(only.pressure.tikv_start_time_seconds.has_value());
  EXPECT_TRUE(only.pressure.raft_write_p99_seconds.empty());
  EXPECT_TRUE(only.pressure.thread_pools.empty());
  EXPECT_TRUE(only.pressure.busy_rejections_per_second.empty());
}

TEST(PressureSignals, KeptRateInputsGiveTheSameSignals) {
  const TikvScrape before = FixtureAt("tikv-v5.3.0-alpha-metrics.prom", 0);
  const TikvScrape doubled = DoubledTenSecondsLater(before);
  const TikvScrape after = StartedAt(doubled, doubled.metrics.Find("process_start_time_seconds")->samples.front().value + 60);  // a restart too
  const TikvScrape kept = KeepRateInputs(before);
  const Snapshot from_whole = Build(&before, after);
  const Snapshot from_kept = Build(&kept, after);
  EXPECT_EQ(from_kept.pressure.raft_write_p99_seconds, from_whole.pressure.raft_write_p99_seconds);
  EXPECT_EQ(from_kept.pressure.scheduler_latch_wait_p99_seconds,
            from_whole.pressure.scheduler_latch_wait_p99_seconds);
  EXPECT_EQ(from_kept.pressure.thread_pools.size(), from_whole.pressure.thread_pools.size());
  EXPECT_EQ(from_kept.pressure.thread_pools.at("grpc").cpu_seconds_per_second,
            from_whole.pressure.thread_pools.at("grpc").cpu_seconds_per_second);
  EXPECT_TRUE(from_kept.pressure.tikv_restarted);
  EXPECT_EQ(from_kept.pressure.busy_rejections_per_second,
            from_whole.pressure.busy_rejections_per_second);
}

PressureSignals FullPressure() {
  PressureSignals p;
  p.raft_write_p99_seconds = {{"append_log", 0.002}, {"apply_log", 1.5}};
  p.scheduler_latch_wait_p99_seconds = 0.0005;
  p.busy_rejections_per_second = {{"scheduler_too_busy", 3}};
  p.flow_control_discard_ratio = 0.25;
  p.grpc_failure_ratio = 0.05;
  p.critical_errors = 0;
  p.tikv_start_time_seconds = 1634094873.15;
  p.tikv_restarts = 2;
  p.cpu_cores_quota = 4;
  p.thread_pools["apply"] = ThreadPoolCpu{1.5, 2};
  p.thread_pools["other"] = ThreadPoolCpu{0.25, 0};
  return p;
}

TEST(PressureSeries, EverySignalInBaseUnits) {
  Families families;
  AddPressureSeries(FullPressure(), families);
  EXPECT_EQ(
      testing::AllSeries(families),
      (testing::Series{
          {"tikv_exporter_raft_write_duration_seconds{quantile=\"0.99\",stage=\"append_log\"}",
           0.002},
          {"tikv_exporter_raft_write_duration_seconds{quantile=\"0.99\",stage=\"apply_log\"}", 1.5},
          {"tikv_exporter_scheduler_latch_wait_seconds{quantile=\"0.99\"}", 0.0005},
          {"tikv_exporter_busy_rejections_per_second{reason=\"scheduler_too_busy\"}", 3},
          {"tikv_exporter_flow_control_discard_ratio{}", 0.25},
          {"tikv_exporter_grpc_failure_ratio{}", 0.05},
          {"tikv_exporter_critical_errors{}", 0},
          {"tikv_exporter_tikv_start_time_seconds{}", 1634094873.15},
          {"tikv_exporter_tikv_restarts_total{}", 2},
          {"tikv_exporter_tikv_cpu_cores_quota{}", 4},
          {"tikv_exporter_thread_pool_cpu_seconds_per_second{pool=\"apply\"}", 1.5},
          {"tikv_exporter_thread_pool_cpu_seconds_per_second{pool=\"other\"}", 0.25},
          {"tikv_exporter_thread_pool_threads{pool=\"apply\"}", 2},
          {"tikv_exporter_thread_pool_threads{pool=\"other\"}", 0},
          {"tikv_exporter_thread_pool_busy_ratio{pool=\"apply\"}", 0.75}}));
  EXPECT_EQ(families.exposition().Find("tikv_exporter_raft_write_duration_seconds")->type,
            MetricType::kSummary);
  testing::ExpectWellFormed(families);
}

TEST(PressureSeries, AbsentSignalsGiveNoSeries) {
  Families families;
  AddPressureSeries(PressureSignals{}, families);
  EXPECT_TRUE(testing::AllSeries(families).empty());
}

}  // namespace
}  // namespace tikv_exporter
