#include "collectors/rocksdb/rocksdb_metrics.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "tests/unit/exposition_checks.h"

namespace tikv_exporter::testing {
namespace {

// A dump of one column family (L0, Sum and the interval row), DB-wide and per-CF stall counts,
// two tickers and one histogram.
RocksDbLogData Log() {
  RocksDbLogData log;
  log.log_path = "/data/rocksdb.info";
  log.dumps = 4;
  log.stall_warnings = 2;
  log.stop_warnings = 1;
  log.latest_read_ms = 1764000000500;
  RocksDbStats d;
  d.db.uptime_seconds = 600;
  d.db.writes = 1000;
  d.db.keys_written = 3000;
  d.db.wal_writes = 900;
  d.db.wal_syncs = 0;
  d.db.wal_bytes = 2048;
  d.db.stall_seconds = 6;
  d.db.stall_percent = 1;
  std::vector<RocksDbLevelStats>& rows = d.levels["default"];
  rows.resize(3);
  rows[0].level = "L0";
  rows[1].level = "Sum";
  rows[2].level = "Int";
  rows[0].files = rows[1].files = 3;
  rows[2].files = 1;
  rows[0].files_compacting = 1;
  rows[0].size_bytes = rows[1].size_bytes = 4096;
  rows[0].score = 0.75;
  rows[0].write_amplification = 1;
  rows[0].read_bytes = 0;
  rows[0].write_bytes = 8192;
  rows[0].compaction_seconds = 0.5;
  rows[0].compactions = rows[1].compactions = 2;
  rows[2].compactions = 1;
  d.write_stalls[""] = {{"level0_slowdown", 3}};
  d.write_stalls["default"] = {{"memtable_limit_stops", 1}};
  d.pending_compaction_bytes["default"] = 65536;
  d.tickers = {{"rocksdb.block.cache.hit", 10}, {"rocksdb.stall.micros", 6000000}};
  d.histograms["rocksdb.db.get.micros"] = {2, 5, 9, 40, 100, 350};
  d.unknown_lines = 1;
  log.latest = d;
  return log;
}

TEST(RocksDbMetrics, BeforeTheFirstDumpOnlyTheLogCountersAndTheSourceAreExported) {
  RocksDbLogData log = Log();
  log.latest.reset();
  Families families;
  AddRocksDbSeries(log, families);
  EXPECT_EQ(AllSeries(families),
            (Series{{"tikv_exporter_rocksdb_dumps_total{}", 4},
                    {"tikv_exporter_rocksdb_log_stall_warnings_total{kind=\"slowdown\"}", 2},
                    {"tikv_exporter_rocksdb_log_stall_warnings_total{kind=\"stop\"}", 1},
                    {"tikv_exporter_rocksdb_source_info{source=\"log\"}", 1}}));
}

TEST(RocksDbMetrics, TheDebugServiceHasNoLogStallWarnings) {
  RocksDbLogData answers = Log();
  answers.source = RocksDbSource::kDebugService;
  answers.latest.reset();
  Families families;
  AddRocksDbSeries(answers, families);
  EXPECT_EQ(AllSeries(families), (Series{{"tikv_exporter_rocksdb_dumps_total{}", 4},
                                         {"tikv_exporter_rocksdb_source_info{source=\"debug_service\"}", 1}}));
}

const std::vector<std::string_view> kDbFamilies = {
    "tikv_exporter_rocksdb_last_dump_timestamp_seconds",
    "tikv_exporter_rocksdb_log_unknown_lines",
    "tikv_exporter_rocksdb_uptime_seconds",
    "tikv_exporter_rocksdb_writes_total",
    "tikv_exporter_rocksdb_keys_written_total",
    "tikv_exporter_rocksdb_wal_writes_total",
    "tikv_exporter_rocksdb_wal_syncs_total",
    "tikv_exporter_rocksdb_wal_written_bytes_total",
    "tikv_exporter_rocksdb_stall_seconds_total",
    "tikv_exporter_rocksdb_stall_ratio"};

TEST(RocksDbMetrics, ExportsTheDbStats) {
  Families families;
  AddRocksDbSeries(Log(), families);
  EXPECT_EQ(SeriesOf(families, kDbFamilies),
            (Series{{"tikv_exporter_rocksdb_last_dump_timestamp_seconds{}", 1764000000.5},
                    {"tikv_exporter_rocksdb_log_unknown_lines{db=\"kv\"}", 1},
                    {"tikv_exporter_rocksdb_uptime_seconds{db=\"kv\"}", 600},
                    {"tikv_exporter_rocksdb_writes_total{db=\"kv\"}", 1000},
                    {"tikv_exporter_rocksdb_keys_written_total{db=\"kv\"}", 3000},
                    {"tikv_exporter_rocksdb_wal_writes_total{db=\"kv\"}", 900},
                    {"tikv_exporter_rocksdb_wal_syncs_total{db=\"kv\"}", 0},
                    {"tikv_exporter_rocksdb_wal_written_bytes_total{db=\"kv\"}", 2048},
                    {"tikv_exporter_rocksdb_stall_seconds_total{db=\"kv\"}", 6},
                    // the dump prints a percentage
                    {"tikv_exporter_rocksdb_stall_ratio{db=\"kv\"}", 0.01}}));

  // A dump without a DB Stats section (cut short): no sample rather than 0.
  RocksDbLogData bare = Log();
  bare.latest->db = {};
  Families without;
  AddRocksDbSeries(bare, without);
  EXPECT_EQ(SeriesOf(without, kDbFamilies),
            (Series{{"tikv_exporter_rocksdb_last_dump_timestamp_seconds{}", 1764000000.5},
                    {"tikv_exporter_rocksdb_log_unknown_lines{db=\"kv\"}", 1}}));
}

TEST(RocksDbMetrics, LevelsLeaveOutTheIntervalRow) {
  Families families;
  AddRocksDbSeries(Log(), families);
  // Optional columns give a sample only where the row has them (L0 here, not Sum).
  EXPECT_EQ(
      SeriesOf(families,
               {"tikv_exporter_rocksdb_level_files", "tikv_exporter_rocksdb_level_compacting_files",
                "tikv_exporter_rocksdb_level_size_bytes", "tikv_exporter_rocksdb_level_score",
                "tikv_exporter_rocksdb_level_write_amplification",
                "tikv_exporter_rocksdb_compaction_read_bytes_total",
                "tikv_exporter_rocksdb_compaction_written_bytes_total",
                "tikv_exporter_rocksdb_compaction_seconds_total",
                "tikv_exporter_rocksdb_compactions_total"}),
      (Series{{"tikv_exporter_rocksdb_level_files{cf=\"default\",db=\"kv\",level=\"L0\"}", 3},
              {"tikv_exporter_rocksdb_level_files{cf=\"default\",db=\"kv\",level=\"Sum\"}", 3},
              {"tikv_exporter_rocksdb_level_compacting_files{cf=\"default\",db=\"kv\",level=\"L0\"}", 1},
              {"tikv_exporter_rocksdb_level_compacting_files{cf=\"default\",db=\"kv\",level=\"Sum\"}", 0},
              {"tikv_exporter_rocksdb_level_size_bytes{cf=\"default\",db=\"kv\",level=\"L0\"}", 4096},
              {"tikv_exporter_rocksdb_level_size_bytes{cf=\"default\",db=\"kv\",level=\"Sum\"}", 4096},
              {"tikv_exporter_rocksdb_level_score{cf=\"default\",db=\"kv\",level=\"L0\"}", 0.75},
              {"tikv_exporter_rocksdb_level_write_amplification{cf=\"default\",db=\"kv\",level=\"L0\"}", 1},
              {"tikv_exporter_rocksdb_compaction_read_bytes_total{cf=\"default\",db=\"kv\",level=\"L0\"}", 0},
              {"tikv_exporter_rocksdb_compaction_written_bytes_total{cf=\"default\",db=\"kv\",level=\"L0\"}",
               8192},
              {"tikv_exporter_rocksdb_compaction_seconds_total{cf=\"default\",db=\"kv\",level=\"L0\"}", 0.5},
              {"tikv_exporter_rocksdb_compactions_total{cf=\"default\",db=\"kv\",level=\"L0\"}", 2},
              {"tikv_exporter_rocksdb_compactions_total{cf=\"default\",db=\"kv\",level=\"Sum\"}", 2}}));
}

TEST(RocksDbMetrics, DbWideStallCausesAreLabelledCfDb) {
  Families families;
  AddRocksDbSeries(Log(), families);
  EXPECT_EQ(
      SeriesOf(families, {"tikv_exporter_rocksdb_write_stalls_total",
                          "tikv_exporter_rocksdb_pending_compaction_bytes"}),
      (Series{{"tikv_exporter_rocksdb_write_stalls_total{cause=\"level0_slowdown\",cf=\"db\",db=\"kv\"}", 3},
              {"tikv_exporter_rocksdb_write_stalls_total{cause=\"memtable_limit_stops\",cf="
               "\"default\",db=\"kv\"}",
               1},
              {"tikv_exporter_rocksdb_pending_compaction_bytes{cf=\"default\",db=\"kv\"}", 65536}}));
}

TEST(RocksDbMetrics, TickersLoseTheRocksDbPrefix) {
  Families families;
  AddRocksDbSeries(Log(), families);
  EXPECT_EQ(SeriesOf(families, {"tikv_exporter_rocksdb_ticker_total"}),
            (Series{{"tikv_exporter_rocksdb_ticker_total{db=\"kv\",ticker=\"block.cache.hit\"}", 10},
                    {"tikv_exporter_rocksdb_ticker_total{db=\"kv\",ticker=\"stall.micros\"}", 6000000}}));
}

TEST(RocksDbMetrics, HistogramsAreSummariesWithQuantilesSumAndCount) {
  Families families;
  AddRocksDbSeries(Log(), families);
  const MetricFamily* family = families.exposition().Find("tikv_exporter_rocksdb_stat_percentiles");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->type, MetricType::kSummary);
  EXPECT_EQ(
      SeriesOf(families, {"tikv_exporter_rocksdb_stat_percentiles"}),
      (Series{
          {"tikv_exporter_rocksdb_stat_percentiles{db=\"kv\",quantile=\"0.5\",stat=\"db.get.micros\"}", 2},
          {"tikv_exporter_rocksdb_stat_percentiles{db=\"kv\",quantile=\"0.95\",stat=\"db.get.micros\"}", 5},
          {"tikv_exporter_rocksdb_stat_percentiles{db=\"kv\",quantile=\"0.99\",stat=\"db.get.micros\"}", 9},
          {"tikv_exporter_rocksdb_stat_percentiles{db=\"kv\",quantile=\"1\",stat=\"db.get.micros\"}", 40},
          {"tikv_exporter_rocksdb_stat_percentiles_count{db=\"kv\",stat=\"db.get.micros\"}", 100},
          {"tikv_exporter_rocksdb_stat_percentiles_sum{db=\"kv\",stat=\"db.get.micros\"}", 350}}));
}

// Two distinct caches (a dump names a shared one once per column family, the parser keeps it
// once): capacity, usage and each role's entries are their sums.
TEST(RocksDbMetrics, BlockCachesAreSummedByRole) {
  RocksDbLogData log = Log();
  RocksDbBlockCache& first = log.latest->block_caches["LRUCache@0x1#7"];
  first.capacity_bytes = 1 << 20;
  first.usage_bytes = 4096;
  first.entries["DataBlock"] = {10, 2048};
  first.entries["Misc"] = {1, 0};
  RocksDbBlockCache& second = log.latest->block_caches["LRUCache@0x2#7"];
  second.capacity_bytes = 1 << 20;
  second.entries["DataBlock"] = {5, 1024};
  Families families;
  AddRocksDbSeries(log, families);
  EXPECT_EQ(SeriesOf(families, {"tikv_exporter_rocksdb_block_cache_capacity_bytes", "tikv_exporter_rocksdb_block_cache_usage_bytes",
                                "tikv_exporter_rocksdb_block_cache_entries", "tikv_exporter_rocksdb_block_cache_entry_bytes"}),
            (Series{{"tikv_exporter_rocksdb_block_cache_capacity_bytes{db=\"kv\"}", 2 << 20},
                    {"tikv_exporter_rocksdb_block_cache_usage_bytes{db=\"kv\"}", 4096},
                    {"tikv_exporter_rocksdb_block_cache_entries{db=\"kv\",role=\"DataBlock\"}", 15},
                    {"tikv_exporter_rocksdb_block_cache_entries{db=\"kv\",role=\"Misc\"}", 1},
                    {"tikv_exporter_rocksdb_block_cache_entry_bytes{db=\"kv\",role=\"DataBlock\"}", 3072},
                    {"tikv_exporter_rocksdb_block_cache_entry_bytes{db=\"kv\",role=\"Misc\"}", 0}}));
}

// TiKV's raftdb (raft-engine off) answers the same statistics: its series come beside kv's,
// labelled db="raft", and no series is the same as one of kv's.
TEST(RocksDbMetrics, TheRaftDbIsExportedBesideKvWithItsOwnDbLabel) {
  RocksDbLogData answers = Log();
  answers.source = RocksDbSource::kDebugService;
  answers.raft = answers.latest;
  answers.raft->tickers = {{"rocksdb.block.cache.hit", 4}};
  Families families;
  AddRocksDbSeries(answers, families);
  EXPECT_EQ(SeriesOf(families, {"tikv_exporter_rocksdb_ticker_total"}),
            (Series{{"tikv_exporter_rocksdb_ticker_total{db=\"kv\",ticker=\"block.cache.hit\"}", 10},
                    {"tikv_exporter_rocksdb_ticker_total{db=\"kv\",ticker=\"stall.micros\"}", 6000000},
                    {"tikv_exporter_rocksdb_ticker_total{db=\"raft\",ticker=\"block.cache.hit\"}", 4}}));
  EXPECT_EQ(SeriesOf(families, {"tikv_exporter_rocksdb_level_files"}),
            (Series{{"tikv_exporter_rocksdb_level_files{cf=\"default\",db=\"kv\",level=\"L0\"}", 3},
                    {"tikv_exporter_rocksdb_level_files{cf=\"default\",db=\"kv\",level=\"Sum\"}", 3},
                    {"tikv_exporter_rocksdb_level_files{cf=\"default\",db=\"raft\",level=\"L0\"}", 3},
                    {"tikv_exporter_rocksdb_level_files{cf=\"default\",db=\"raft\",level=\"Sum\"}", 3}}));
  // One answer, one timestamp and one count of dumps: not per db.
  EXPECT_EQ(SeriesOf(families, {"tikv_exporter_rocksdb_last_dump_timestamp_seconds", "tikv_exporter_rocksdb_dumps_total"}),
            (Series{{"tikv_exporter_rocksdb_dumps_total{}", 4},
                    {"tikv_exporter_rocksdb_last_dump_timestamp_seconds{}", 1764000000.5}}));
  ExpectWellFormed(families);
}

// The raft db gets what kv's dump left of the source's share of max_series_per_poll, and what
// both left out is noted once.
TEST(RocksDbMetrics, TheRaftDbSharesTheSeriesBoundWithKv) {
  RocksDbStats kv = *Log().latest;
  RocksDbStats raft = kv;
  for (int i = 0; i < 100; ++i) raft.tickers["flood." + std::to_string(i)] = i;
  RocksDbStats alone = kv;
  const size_t kv_series = KeepSeries(SIZE_MAX, &alone);
  RocksDbLogData data;
  PushDump(kv, raft, 1, kv_series + 10, &data);
  ASSERT_TRUE(data.raft);
  EXPECT_EQ(data.latest->series_left_out, 0u);
  EXPECT_GT(data.raft->series_left_out, 0u);
  RocksDbStats kept = *data.raft;
  EXPECT_EQ(KeepSeries(SIZE_MAX, &kept), 10u);
  NoteSeriesLeftOut("http://127.0.0.1:20160", kv_series + 10, &data);
  ASSERT_EQ(data.limit_notes.size(), 1u);
  EXPECT_EQ(data.limit_notes[0].limit, Limit::kSeriesPerPoll);

  PushDump(kv, std::nullopt, 2, SIZE_MAX, &data);
  EXPECT_FALSE(data.raft) << "an answer without a raft RocksDB leaves none behind";
}

// A LOG dump could add 450,000 series: a dump keeps only its share of max_series_per_poll,
// levels first, and says how many series it left out.
TEST(RocksDbMetrics, ADumpKeepsItsShareOfTheSeries) {
  RocksDbLogData log = Log();
  RocksDbStats& d = *log.latest;
  for (int i = 0; i < 450000; ++i) d.tickers["flood." + std::to_string(i)] = i;
  auto exported = [&] {
    Families families;
    AddRocksDbSeries(log, families);
    size_t samples = 0;
    for (const MetricFamily& family : families.exposition().families()) samples += family.samples.size();
    return samples;
  };
  const size_t before = exported();
  KeepSeries(1000, &d);
  const size_t after = exported();
  std::printf("a 450,000-ticker dump: %zu series exported, %zu after KeepSeries(1000)\n", before, after);
  EXPECT_GT(before, 450000u);
  EXPECT_LE(after, 1000u + 20u);  // plus the dozen DB-wide series
  EXPECT_EQ(d.levels.size(), 1u);
  EXPECT_GT(d.series_left_out, 449000u);
}

TEST(RocksDbMetrics, PassesPromtoolWithNoSeriesTwice) {
  Families families;
  AddRocksDbSeries(Log(), families);
  ExpectWellFormed(families);
}

}  // namespace
}  // namespace tikv_exporter::testing
