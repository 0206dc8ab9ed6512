#include "snapshot/snapshot_builder.h"

#include <gtest/gtest.h>

#include "snapshot/snapshot_json.h"
#include "tests/unit/snapshot_inputs.h"
#include "tests/unit/test_files.h"

namespace tikv_exporter {
namespace {

TikvScrape Scrape(const std::string& text, int64_t at_ms) { return testing::ScrapeOf(text, at_ms); }

std::string Grpc(const std::string& type, const std::string& extra_label, double b1, double b2,
                 double b4, double sum) {
  std::string labels = extra_label + "type=\"" + type + "\"";
  return "tikv_grpc_msg_duration_seconds_bucket{" + labels + ",le=\"0.001\"} " + std::to_string(b1) +
         "\ntikv_grpc_msg_duration_seconds_bucket{" + labels + ",le=\"0.002\"} " + std::to_string(b2) +
         "\ntikv_grpc_msg_duration_seconds_bucket{" + labels + ",le=\"0.004\"} " + std::to_string(b4) +
         "\ntikv_grpc_msg_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " + std::to_string(b4) +
         "\ntikv_grpc_msg_duration_seconds_sum{" + labels + "} " + std::to_string(sum) +
         "\ntikv_grpc_msg_duration_seconds_count{" + labels + "} " + std::to_string(b4) + "\n";
}

const char* kHeader = "# TYPE tikv_grpc_msg_duration_seconds histogram\n";

TEST(SnapshotBuilder, ComputesRatesAndQuantilesOverTheWindow) {
  TikvScrape before = Scrape(std::string(kHeader) + Grpc("kv_get", "", 10, 20, 30, 0.05) +
                                 Grpc("kv_gc", "", 0, 0, 100, 10),
                             1000);
  TikvScrape after = Scrape(std::string(kHeader) + Grpc("kv_get", "", 110, 220, 330, 0.65) +
                                Grpc("kv_gc", "", 0, 0, 900, 90),
                            11000);
  Snapshot s;
  AddTikvMetrics(&before, after, &s);
  ASSERT_TRUE(s.window_seconds.has_value());
  EXPECT_DOUBLE_EQ(*s.window_seconds, 10);
  // kv_get: 300 requests in 10 s, 0.6 s of latency; kv_gc is left out as the dashboards do.
  ASSERT_TRUE(s.qps.has_value());
  EXPECT_DOUBLE_EQ(*s.qps, 30);
  EXPECT_FALSE(s.by_type.contains("kv_gc"));
  EXPECT_DOUBLE_EQ(s.by_type.at("kv_get").qps, 30);
  EXPECT_DOUBLE_EQ(*s.latency_average_seconds, 0.002);
  // Increase per bucket: 100 <= 1 ms, 100 in (1, 2], 100 in (2, 4].
  EXPECT_DOUBLE_EQ(*s.latency_seconds.p50, 0.0015);
  EXPECT_DOUBLE_EQ(*s.latency_seconds.p95, 0.0037);
  EXPECT_DOUBLE_EQ(*s.latency_seconds.p99, 0.00394);
  EXPECT_DOUBLE_EQ(*s.by_type.at("kv_get").quantiles_seconds.p99, 0.00394);
}

TEST(SnapshotBuilder, SumsOverPriority) {
  TikvScrape before = Scrape(std::string(kHeader) + Grpc("kv_get", "priority=\"high\",", 0, 0, 0, 0) +
                                 Grpc("kv_get", "priority=\"normal\",", 0, 0, 0, 0),
                             0);
  TikvScrape after = Scrape(std::string(kHeader) + Grpc("kv_get", "priority=\"high\",", 10, 10, 10, 0.005) +
                                Grpc("kv_get", "priority=\"normal\",", 0, 30, 30, 0.045),
                            1000);
  Snapshot s;
  AddTikvMetrics(&before, after, &s);
  EXPECT_DOUBLE_EQ(*s.qps, 40);
  EXPECT_DOUBLE_EQ(*s.latency_average_seconds, 0.05 / 40);
  EXPECT_EQ(s.by_type.size(), 1u);
}

TEST(SnapshotBuilder, ACounterThatGoesDownIsARestartNotANegativeRate) {
  TikvScrape before = Scrape(std::string(kHeader) + Grpc("kv_get", "", 1000, 2000, 3000, 6) +
                                 "tikv_engine_stall_micro_seconds{db=\"kv\"} 900000000\n",
                             0);
  TikvScrape after = Scrape(std::string(kHeader) + Grpc("kv_get", "", 5, 10, 20, 0.04) +
                                "tikv_engine_stall_micro_seconds{db=\"kv\"} 500000\n",
                            2000);
  Snapshot s;
  AddTikvMetrics(&before, after, &s);
  EXPECT_DOUBLE_EQ(*s.qps, 10);  // all 20 requests since the restart, over 2 s
  EXPECT_DOUBLE_EQ(*s.latency_average_seconds, 0.002);
  EXPECT_DOUBLE_EQ(s.write_stall_seconds.at("kv"), 0.5);
}

TEST(SnapshotBuilder, ASeriesMissingBeforeCountsFromZero) {
  // server.simplify-metrics leaves out histograms with no observations yet.
  TikvScrape before = Scrape(std::string(kHeader) + Grpc("kv_get", "", 0, 0, 10, 0.01), 0);
  TikvScrape after = Scrape(std::string(kHeader) + Grpc("kv_get", "", 0, 0, 10, 0.01) +
                                Grpc("kv_scan", "", 0, 5, 5, 0.0075),
                            1000);
  Snapshot s;
  AddTikvMetrics(&before, after, &s);
  EXPECT_DOUBLE_EQ(s.by_type.at("kv_scan").qps, 5);
  EXPECT_DOUBLE_EQ(s.by_type.at("kv_get").qps, 0);
  EXPECT_FALSE(s.by_type.at("kv_get").average_seconds.has_value());
  EXPECT_DOUBLE_EQ(*s.qps, 5);
}

TEST(SnapshotBuilder, NoRatesBeforeTheFirstWindow) {
  TikvScrape only = Scrape(std::string(kHeader) + Grpc("kv_get", "", 0, 0, 10, 0.01) +
                               "tikv_store_size_bytes{type=\"capacity\"} 100\n",
                           0);
  Snapshot s;
  AddTikvMetrics(nullptr, only, &s);
  EXPECT_FALSE(s.window_seconds.has_value());
  EXPECT_FALSE(s.qps.has_value());
  EXPECT_TRUE(s.by_type.empty());
  EXPECT_DOUBLE_EQ(*s.storage.capacity_bytes, 100);
}

TEST(SnapshotBuilder, RatiosWithAZeroDenominatorAreLeftOut) {
  const std::string text =
      "tikv_engine_cache_efficiency{db=\"kv\",type=\"block_cache_hit\"} 10\n"
      "tikv_engine_cache_efficiency{db=\"kv\",type=\"block_cache_miss\"} 5\n"
      "tikv_engine_bloom_efficiency{db=\"kv\",type=\"bloom_prefix_checked\"} 7\n"
      "tikv_engine_bloom_efficiency{db=\"kv\",type=\"bloom_prefix_useful\"} 3\n";
  TikvScrape before = Scrape(text, 0);
  TikvScrape after = Scrape(text, 1000);
  Snapshot s;
  AddTikvMetrics(&before, after, &s);
  EXPECT_TRUE(s.block_cache_hit_ratio.empty());
  EXPECT_TRUE(s.bloom_filter_useful_ratio.empty());
}

TEST(SnapshotBuilder, SelectsTickersByTypeNeverSummingAFamily) {
  // As in TiKV v5.3, every ticker type also appears under the other families.
  auto text = [](int hit, int miss, int useful, int checked) {
    std::string t;
    for (const char* family : {"tikv_engine_cache_efficiency", "tikv_engine_bloom_efficiency"}) {
      t += std::string(family) + "{db=\"kv\",type=\"block_cache_hit\"} " + std::to_string(hit) + "\n";
      t += std::string(family) + "{db=\"kv\",type=\"block_cache_miss\"} " + std::to_string(miss) + "\n";
      t += std::string(family) + "{db=\"kv\",type=\"bloom_prefix_useful\"} " + std::to_string(useful) + "\n";
      t += std::string(family) + "{db=\"kv\",type=\"bloom_prefix_checked\"} " + std::to_string(checked) + "\n";
    }
    return t;
  };
  TikvScrape before = Scrape(text(100, 10, 50, 100), 0);
  TikvScrape after = Scrape(text(190, 20, 80, 140), 1000);
  Snapshot s;
  AddTikvMetrics(&before, after, &s);
  EXPECT_DOUBLE_EQ(s.block_cache_hit_ratio.at("kv").at("all"), 0.9);
  EXPECT_DOUBLE_EQ(s.bloom_filter_useful_ratio.at("kv"), 0.75);
}

TEST(SnapshotBuilder, PrefersTheRocksDb810BloomTickers) {
  auto text = [](int filtered, int matched) {
    return "tikv_engine_bloom_efficiency{db=\"kv\",type=\"last_level_seek_filtered\"} " +
           std::to_string(filtered) +
           "\ntikv_engine_bloom_efficiency{db=\"kv\",type=\"non_last_level_seek_filtered\"} " +
           std::to_string(filtered) +
           "\ntikv_engine_bloom_efficiency{db=\"kv\",type=\"last_level_seek_filter_match\"} " +
           std::to_string(matched) +
           "\ntikv_engine_bloom_efficiency{db=\"kv\",type=\"non_last_level_seek_filter_match\"} 0\n";
  };
  TikvScrape before = Scrape(text(0, 0), 0);
  TikvScrape after = Scrape(text(30, 40), 1000);
  Snapshot s;
  AddTikvMetrics(&before, after, &s);
  EXPECT_DOUBLE_EQ(s.bloom_filter_useful_ratio.at("kv"), 0.6);  // 60 / (60 + 40)
}

TEST(SnapshotBuilder, ReadsLevelsFromTheV53Dump) {
  TikvScrape scrape = Scrape(testing::ReadFile(testing::Fixture("tikv-v5.3.0-alpha-metrics.prom")), 0);
  Snapshot s;
  AddTikvMetrics(nullptr, scrape, &s);
  EXPECT_EQ(s.tikv_version, "v5.3.0-alpha");
  EXPECT_DOUBLE_EQ(*s.storage.capacity_bytes, 62725623808);
  EXPECT_DOUBLE_EQ(*s.storage.available_bytes, 24446681088);
  // No type="used" before TiKV 5.4: the sum of the engine sizes stands in, and says so.
  EXPECT_DOUBLE_EQ(*s.storage.used_bytes, 589776 + 4075656 + 14716200 + 14871280 + 1180424);
  EXPECT_EQ(s.storage.used_source, "engine_size_sum");
  EXPECT_DOUBLE_EQ(s.engine_size_bytes.at("kv"), 589776 + 4075656 + 14716200 + 14871280);
  EXPECT_DOUBLE_EQ(s.engine_size_bytes.at("raft"), 1180424);
  EXPECT_DOUBLE_EQ(s.compaction_pending_bytes.at("kv"), 0);
}

TEST(SnapshotBuilder, ComputesRatiosFromTheV50Dump) {
  // The v5.0 dump has non-zero tickers; compare it with itself at zero and at its values.
  TikvScrape real = Scrape(testing::ReadFile(testing::Fixture("tikv-v5.0-nightly-metrics-truncated.prom")), 10000);
  TikvScrape zero = Scrape(
      "tikv_engine_cache_efficiency{db=\"kv\",type=\"block_cache_hit\"} 0\n"
      "tikv_engine_cache_efficiency{db=\"kv\",type=\"block_cache_miss\"} 0\n",
      0);
  Snapshot s;
  AddTikvMetrics(&zero, real, &s);
  // metric-names.md: kv block_cache_hit 12081, miss 31; data 3280/14; index 5352/10;
  // filter 3449/7; bloom_prefix_useful 2499 of bloom_prefix_checked 3449.
  EXPECT_DOUBLE_EQ(s.block_cache_hit_ratio.at("kv").at("all"), 12081.0 / (12081 + 31));
  EXPECT_DOUBLE_EQ(s.block_cache_hit_ratio.at("kv").at("data"), 3280.0 / (3280 + 14));
  EXPECT_DOUBLE_EQ(s.block_cache_hit_ratio.at("kv").at("index"), 5352.0 / (5352 + 10));
  EXPECT_DOUBLE_EQ(s.block_cache_hit_ratio.at("kv").at("filter"), 3449.0 / (3449 + 7));
  EXPECT_DOUBLE_EQ(s.block_cache_hit_ratio.at("raft").at("all"), 130.0 / (130 + 18));
  EXPECT_DOUBLE_EQ(s.bloom_filter_useful_ratio.at("kv"), 2499.0 / 3449);
  EXPECT_DOUBLE_EQ(s.write_stall_seconds.at("kv"), 0);
  EXPECT_GT(*s.qps, 0);
  EXPECT_DOUBLE_EQ(*s.window_seconds, 10);
}

// The poller keeps only KeepRateInputs() of a scrape for the next poll: the snapshot must come
// out exactly as from the whole scrape. The real v5.0 dump, then the same with every value
// doubled plus 100 (not a pure scaling: ratios of counters would survive it), so every counter
// grew and a family missing from the kept copy changes a rate or a ratio.
TEST(SnapshotBuilder, TheRateInputsAloneGiveTheSameSnapshot) {
  TikvScrape before = Scrape(testing::ReadFile(testing::Fixture("tikv-v5.0-nightly-metrics-truncated.prom")), 0);
  const TikvScrape after = testing::EditedLater(before, 15000, [](Exposition& metrics) {
    for (const MetricFamily& family : metrics.families()) {
      for (Sample& sample : metrics.Find(family.name)->samples) sample.value = sample.value * 2 + 100;
    }
  });
  const TikvScrape kept = KeepRateInputs(before);
  EXPECT_LT(kept.metrics.SampleCount() * 3, before.metrics.SampleCount()) << "most series should be dropped";
  EXPECT_EQ(kept.monotonic_ms, before.monotonic_ms);
  Snapshot from_whole;
  AddTikvMetrics(&before, after, &from_whole);
  Snapshot from_kept;
  AddTikvMetrics(&kept, after, &from_kept);
  ASSERT_TRUE(from_whole.qps.has_value());
  EXPECT_EQ(SnapshotToJson(from_kept), SnapshotToJson(from_whole));
}

}  // namespace
}  // namespace tikv_exporter
