// The snapshot's write-stall, block-cache and bloom signals taken from the RocksDB LOG's two
// latest dumps when TiKV's /metrics has none.

#include <gtest/gtest.h>

#include "snapshot/snapshot_builder.h"

namespace tikv_exporter {
namespace {

RocksDbStats DumpWithTickers(std::map<std::string, double> tickers, std::optional<double> uptime = std::nullopt) {
  RocksDbStats dump;
  dump.tickers = std::move(tickers);
  dump.db.uptime_seconds = uptime;
  return dump;
}

// Dumps 10 min apart (TiKV's stats-dump-period): the 1 s of stall spans those 600 s, whatever
// the poll window is. Issue 21 case 4: before, the 1 s was divided by the 15 s poll window.
TEST(RocksDbLogSignals, StallTimeIsTheIncreaseBetweenTwoDumpsOverTheirUptimes) {
  RocksDbLogData log;
  log.previous = DumpWithTickers({{"rocksdb.stall.micros", 6'000'000}}, 3000.5);
  log.latest = DumpWithTickers({{"rocksdb.stall.micros", 7'000'000}}, 3600.5);
  Snapshot snapshot;
  AddRocksDbLogSignals(log, &snapshot);
  EXPECT_EQ(snapshot.write_stall_seconds["kv"], 1);
  EXPECT_EQ(snapshot.write_stall_log_dumps_seconds, 600);
  EXPECT_EQ(snapshot.signal_sources["write_stall"], "rocksdb_log");
}

// The debug service's answers are dumps too: two calls a minute apart span that minute, and the
// signal names the source they came from.
TEST(RocksDbLogSignals, DumpsFromTheDebugServiceNameItAsTheirSource) {
  RocksDbLogData answers;
  answers.source = RocksDbSource::kDebugService;
  answers.previous = DumpWithTickers({{"rocksdb.stall.micros", 6'000'000}, {"rocksdb.block.cache.hit", 10},
                                      {"rocksdb.block.cache.miss", 10}}, 3000);
  answers.latest = DumpWithTickers({{"rocksdb.stall.micros", 6'300'000}, {"rocksdb.block.cache.hit", 40},
                                    {"rocksdb.block.cache.miss", 20}}, 3060);
  Snapshot snapshot;
  AddRocksDbLogSignals(answers, &snapshot);
  EXPECT_DOUBLE_EQ(snapshot.write_stall_seconds["kv"], 0.3);
  EXPECT_EQ(snapshot.write_stall_log_dumps_seconds, 60);
  EXPECT_EQ(snapshot.block_cache_hit_ratio["kv"]["all"], 0.75);
  EXPECT_EQ(snapshot.signal_sources["write_stall"], "rocksdb_debug_service");
  EXPECT_EQ(snapshot.signal_sources["block_cache"], "rocksdb_debug_service");
}

// A restart between the dumps (uptime starts again), or dumps without an uptime: no span, no rate.
TEST(RocksDbLogSignals, NoStallRateWithoutTheTimeBetweenTheDumps) {
  for (const auto& [before, after] : {std::pair<std::optional<double>, std::optional<double>>{3600.0, 60.0},
                                      {std::nullopt, 600.0}, {600.0, std::nullopt}}) {
    RocksDbLogData log;
    log.previous = DumpWithTickers({{"rocksdb.stall.micros", 6'000'000}}, before);
    log.latest = DumpWithTickers({{"rocksdb.stall.micros", 7'000'000}}, after);
    Snapshot snapshot;
    AddRocksDbLogSignals(log, &snapshot);
    EXPECT_FALSE(snapshot.write_stall_seconds.contains("kv"));
    EXPECT_FALSE(snapshot.write_stall_log_dumps_seconds);
  }
}

TEST(RocksDbLogSignals, ADumpWithoutStatisticsGivesNoRatesRatherThanPhantomOnes) {
  // The previous dump had no STATISTICS (statistics off then, or a dump cut short): reading its
  // counters as 0 would report the whole cumulative 7 s of stalls as stalled in this window.
  RocksDbLogData log;
  log.previous = DumpWithTickers({});
  log.latest = DumpWithTickers({{"rocksdb.stall.micros", 7'000'000},
                                {"rocksdb.block.cache.hit", 900},
                                {"rocksdb.block.cache.miss", 100},
                                {"rocksdb.bloom.filter.useful", 50},
                                {"rocksdb.bloom.filter.full.positive", 50}});
  Snapshot snapshot;
  AddRocksDbLogSignals(log, &snapshot);
  EXPECT_FALSE(snapshot.write_stall_seconds.contains("kv"));
  EXPECT_FALSE(snapshot.block_cache_hit_ratio.contains("kv"));
  EXPECT_FALSE(snapshot.bloom_filter_useful_ratio.contains("kv"));
  EXPECT_TRUE(snapshot.signal_sources.empty());
}

}  // namespace
}  // namespace tikv_exporter
