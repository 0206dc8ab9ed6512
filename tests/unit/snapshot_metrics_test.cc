#include "snapshot/snapshot_metrics.h"

#include <set>

#include <gtest/gtest.h>

#include "tests/unit/exposition_checks.h"

namespace tikv_exporter::testing {
namespace {

// The named sources enabled, each up or down.
std::map<Source, SourceHealth> Enabled(const std::map<Source, bool>& up) {
  std::map<Source, SourceHealth> sources;
  for (const auto& [source, is_up] : up) {
    sources[source].enabled = true;
    sources[source].up = is_up;
  }
  return sources;
}

// A snapshot with every field set, TiKV and PD up, RocksDB enabled but down.
Snapshot Full() {
  Snapshot s;
  s.timestamp_ms = 1764000000250;
  s.window_seconds = 15;
  s.qps = 30;
  RequestTypeStats get;
  get.qps = 20;
  get.average_seconds = 0.002;
  get.quantiles_seconds = {0.001, 0.004, 0.008};
  RequestTypeStats put;
  put.qps = 10;
  put.average_seconds = 0.005;
  put.quantiles_seconds = {0.003, 0.01, 0.02};
  s.by_type = {{"kv_get", get}, {"kv_prewrite", put}};
  s.latency_average_seconds = 0.003;
  s.latency_seconds = {0.0015, 0.009, 0.018};
  s.storage = {1000, 600, 400, "pd"};
  s.engine_size_bytes = {{"kv", 300}, {"raft", 100}};
  s.compaction_pending_bytes = {{"kv", 64}};
  s.block_cache_hit_ratio = {{"kv", {{"all", 0.75}, {"data", 0.5}}}};
  s.bloom_filter_useful_ratio = {{"kv", 0.25}};
  s.write_stall_seconds = {{"kv", 1.5}};
  s.signal_sources = {{"block_cache", "tikv"}, {"write_stall", "rocksdb_log"}};
  s.tikv_version = "8.5.0";
  s.sources = Enabled({{Source::kTikv, true}, {Source::kPd, true}, {Source::kRocksDb, false}});
  return s;
}

TEST(SnapshotMetrics, UpIsExportedForEnabledSourcesOnly) {
  Snapshot s;
  s.sources = Enabled({{Source::kTikv, false}, {Source::kPd, true}});
  s.sources[Source::kRocksDb] = SourceHealth{};  // known, not enabled
  Families families;
  AddSnapshotSeries(s, false, families);
  // Before the first poll there is no snapshot time either.
  EXPECT_EQ(AllSeries(families), (Series{{"tikv_exporter_up{source=\"pd\"}", 1},
                                         {"tikv_exporter_up{source=\"tikv\"}", 0}}));
}

TEST(SnapshotMetrics, TikvDerivedSeriesAreAbsentWhileTikvIsDown) {
  // The snapshot still holds the last values; exporting them would look healthy.
  Snapshot s = Full();
  s.sources[Source::kTikv].up = false;
  Families families;
  AddSnapshotSeries(s, false, families);
  EXPECT_EQ(AllSeries(families),
            (Series{{"tikv_exporter_up{source=\"pd\"}", 1},
                    {"tikv_exporter_up{source=\"rocksdb\"}", 0},
                    {"tikv_exporter_up{source=\"tikv\"}", 0},
                    {"tikv_exporter_snapshot_timestamp_seconds{}", 1764000000.25}}));
}

TEST(SnapshotMetrics, TikvDerivedSeriesCarryTheSnapshotsValuesWhileTikvIsUp) {
  Families families;
  AddSnapshotSeries(Full(), true, families);
  // Every series, so that none this test does not know of slips in.
  EXPECT_EQ(
      AllSeries(families),
      (Series{
          {"tikv_exporter_up{source=\"pd\"}", 1},
          {"tikv_exporter_up{source=\"rocksdb\"}", 0},
          {"tikv_exporter_up{source=\"tikv\"}", 1},
          {"tikv_exporter_snapshot_timestamp_seconds{}", 1764000000.25},
          {"tikv_exporter_snapshot_window_seconds{}", 15},
          {"tikv_exporter_qps{type=\"kv_get\"}", 20},
          {"tikv_exporter_qps{type=\"kv_prewrite\"}", 10},
          {"tikv_exporter_type_latency_average_seconds{type=\"kv_get\"}", 0.002},
          {"tikv_exporter_type_latency_average_seconds{type=\"kv_prewrite\"}", 0.005},
          {"tikv_exporter_type_latency_seconds{quantile=\"0.5\",type=\"kv_get\"}", 0.001},
          {"tikv_exporter_type_latency_seconds{quantile=\"0.95\",type=\"kv_get\"}", 0.004},
          {"tikv_exporter_type_latency_seconds{quantile=\"0.99\",type=\"kv_get\"}", 0.008},
          {"tikv_exporter_type_latency_seconds{quantile=\"0.5\",type=\"kv_prewrite\"}", 0.003},
          {"tikv_exporter_type_latency_seconds{quantile=\"0.95\",type=\"kv_prewrite\"}", 0.01},
          {"tikv_exporter_type_latency_seconds{quantile=\"0.99\",type=\"kv_prewrite\"}", 0.02},
          {"tikv_exporter_latency_average_seconds{}", 0.003},
          {"tikv_exporter_latency_seconds{quantile=\"0.5\"}", 0.0015},
          {"tikv_exporter_latency_seconds{quantile=\"0.95\"}", 0.009},
          {"tikv_exporter_latency_seconds{quantile=\"0.99\"}", 0.018},
          {"tikv_exporter_storage_size_bytes{type=\"available\"}", 600},
          {"tikv_exporter_storage_size_bytes{type=\"capacity\"}", 1000},
          {"tikv_exporter_storage_size_bytes{type=\"used\"}", 400},
          {"tikv_exporter_storage_used_source_info{source=\"pd\"}", 1},
          {"tikv_exporter_engine_size_bytes{db=\"kv\"}", 300},
          {"tikv_exporter_engine_size_bytes{db=\"raft\"}", 100},
          {"tikv_exporter_compaction_pending_bytes{db=\"kv\"}", 64},
          {"tikv_exporter_block_cache_hit_ratio{block=\"all\",db=\"kv\"}", 0.75},
          {"tikv_exporter_block_cache_hit_ratio{block=\"data\",db=\"kv\"}", 0.5},
          {"tikv_exporter_bloom_filter_useful_ratio{db=\"kv\"}", 0.25},
          {"tikv_exporter_write_stall_seconds{db=\"kv\"}", 1.5},
          {"tikv_exporter_signal_source_info{signal=\"block_cache\",source=\"tikv\"}", 1},
          {"tikv_exporter_signal_source_info{signal=\"write_stall\",source=\"rocksdb_log\"}", 1},
          {"tikv_exporter_tikv_info{version=\"8.5.0\"}", 1}}));
}

TEST(SnapshotMetrics, QuantileFamiliesAreSummariesWithTheThreeQuantiles) {
  Families families;
  AddSnapshotSeries(Full(), true, families);
  for (const char* name : {"tikv_exporter_latency_seconds", "tikv_exporter_type_latency_seconds"}) {
    const MetricFamily* family = families.exposition().Find(name);
    ASSERT_NE(family, nullptr) << name;
    EXPECT_EQ(family->type, MetricType::kSummary) << name;
    std::set<std::string> quantiles;
    for (const Sample& sample : family->samples)
      quantiles.insert(std::string(sample.LabelValue("quantile")));
    EXPECT_EQ(quantiles, (std::set<std::string>{"0.5", "0.95", "0.99"})) << name;
  }
  const std::string text = WriteExposition(families.exposition());
  EXPECT_NE(text.find("# TYPE tikv_exporter_latency_seconds summary\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE tikv_exporter_type_latency_seconds summary\n"), std::string::npos);
}

TEST(SnapshotMetrics, AbsentFieldsGiveNoSampleRatherThanZero) {
  // The first poll: TiKV up, no window yet, so no rates; a request type seen without latency.
  Snapshot s;
  s.timestamp_ms = 1000;
  s.sources = Enabled({{Source::kTikv, true}});
  RequestTypeStats get;
  get.qps = 0;
  get.quantiles_seconds.p99 = 0.5;
  s.by_type = {{"kv_get", get}};
  s.latency_seconds.p95 = 0.25;
  s.storage.capacity_bytes = 1000;
  Families families;
  AddSnapshotSeries(s, true, families);
  // A measured 0 stays 0; only the unknown is left out.
  EXPECT_EQ(AllSeries(families),
            (Series{{"tikv_exporter_up{source=\"tikv\"}", 1},
                    {"tikv_exporter_snapshot_timestamp_seconds{}", 1},
                    {"tikv_exporter_qps{type=\"kv_get\"}", 0},
                    {"tikv_exporter_type_latency_seconds{quantile=\"0.99\",type=\"kv_get\"}", 0.5},
                    {"tikv_exporter_latency_seconds{quantile=\"0.95\"}", 0.25},
                    {"tikv_exporter_storage_size_bytes{type=\"capacity\"}", 1000}}));
}

TEST(SnapshotMetrics, HelpNamesEverySourceAValueCanComeFrom) {
  // The bloom ratio and the stall time come from the RocksDB LOG when TiKV's /metrics lacks them,
  // and the used size from PD or the engine sizes: the HELP must not name TiKV alone.
  Families families;
  AddSnapshotSeries(Full(), true, families);
  const Exposition& e = families.exposition();
  for (const char* name :
       {"tikv_exporter_bloom_filter_useful_ratio", "tikv_exporter_write_stall_seconds"}) {
    EXPECT_NE(e.Find(name)->help.find("RocksDB LOG"), std::string::npos) << name;
    EXPECT_NE(e.Find(name)->help.find("tikv_exporter_signal_source_info"), std::string::npos)
        << name;
  }
  EXPECT_NE(e.Find("tikv_exporter_write_stall_seconds")->help.find("rocksdb.stall.micros"),
            std::string::npos);
  EXPECT_NE(e.Find("tikv_exporter_storage_size_bytes")
                ->help.find("tikv_exporter_storage_used_source_info"),
            std::string::npos);
}

TEST(SnapshotMetrics, PassesPromtoolWithNoSeriesTwice) {
  Families families;
  AddSnapshotSeries(Full(), true, families);
  ExpectWellFormed(families);
}

}  // namespace
}  // namespace tikv_exporter::testing
