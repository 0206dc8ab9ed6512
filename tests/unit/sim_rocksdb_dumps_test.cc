// The simulator's debug-service texts: the fixture LOG's dumps as GetMetrics prints them, which
// the stats parser must read exactly as it reads the LOG's dumps.

#include "tools/tikv-sim/sim_rocksdb_dumps.h"

#include <gtest/gtest.h>

#include <sstream>

#include "collectors/rocksdb/rocksdb_log_reader.h"
#include "collectors/rocksdb/rocksdb_stats_parser.h"
#include "tests/unit/test_files.h"

namespace tikv_exporter::sim {
namespace {

using testing::Fixture;
using testing::ReadFile;

// What the LOG path makes of every dump of `log` (the reader keeps the last two per call, so
// it is asked after each line).
std::vector<RocksDbStats> LogDumps(const std::string& log) {
  RocksDbLogReader reader;
  std::vector<RocksDbStats> dumps;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    reader.AddLine(line);
    for (RocksDbStats& dump : reader.TakeDumps()) dumps.push_back(std::move(dump));
  }
  reader.EndOfData();
  for (RocksDbStats& dump : reader.TakeDumps()) dumps.push_back(std::move(dump));
  return dumps;
}

void ExpectSameStatistics(const RocksDbStats& a, const RocksDbStats& b) {
  EXPECT_EQ(a.db.uptime_seconds, b.db.uptime_seconds);
  EXPECT_EQ(a.db.writes, b.db.writes);
  EXPECT_EQ(a.db.stall_seconds, b.db.stall_seconds);
  EXPECT_EQ(a.write_stalls, b.write_stalls);
  EXPECT_EQ(a.tickers, b.tickers);
  ASSERT_EQ(a.levels.size(), b.levels.size());
  for (const auto& [cf, rows] : a.levels) {
    ASSERT_EQ(rows.size(), b.levels.at(cf).size()) << cf;
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(rows[i].level, b.levels.at(cf)[i].level);
      EXPECT_EQ(rows[i].files, b.levels.at(cf)[i].files);
      EXPECT_EQ(rows[i].size_bytes, b.levels.at(cf)[i].size_bytes);
      EXPECT_EQ(rows[i].write_amplification, b.levels.at(cf)[i].write_amplification);
    }
  }
  ASSERT_EQ(a.histograms.size(), b.histograms.size());
  for (const auto& [name, h] : a.histograms) {
    EXPECT_EQ(h.p99, b.histograms.at(name).p99) << name;
    EXPECT_EQ(h.count, b.histograms.at(name).count) << name;
  }
}

TEST(SimRocksDbDumps, TheDebugServiceTextsParseAsTheLogsDumps) {
  const std::string log = ReadFile(Fixture("rocksdb-7.8.3-tikv-cfs-LOG"));
  const std::vector<std::string> texts = RocksDbDumpTexts(log);
  const std::vector<RocksDbStats> dumps = LogDumps(log);
  ASSERT_EQ(texts.size(), 5u);
  ASSERT_EQ(dumps.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    SCOPED_TRACE(i);
    // GetMetrics prints the tickers without the LOG's "STATISTICS:" line.
    EXPECT_EQ(texts[i].find("STATISTICS:"), std::string::npos);
    const RocksDbStats parsed = ParseRocksDbStatsText(texts[i]);
    EXPECT_GT(parsed.tickers.size(), 100u);
    ExpectSameStatistics(parsed, dumps[i]);
  }
}

TEST(SimRocksDbDumps, AWriteStallAddsToEveryStallCounter) {
  const std::string dump = RocksDbDumpTexts(ReadFile(Fixture("rocksdb-7.8.3-tikv-cfs-LOG")))[1];
  const RocksDbStats before = ParseRocksDbStatsText(dump);
  const RocksDbStats after = ParseRocksDbStatsText(WithWriteStall(dump, 3'000'000));  // 3 s: 150 stalls
  EXPECT_DOUBLE_EQ(*after.db.stall_seconds, *before.db.stall_seconds + 3);
  EXPECT_EQ(after.tickers.at("rocksdb.stall.micros"), before.tickers.at("rocksdb.stall.micros") + 3'000'000);
  EXPECT_EQ(after.write_stalls.at("default").at("level0_slowdown"),
            before.write_stalls.at("default").at("level0_slowdown") + 150);
  EXPECT_EQ(after.write_stalls.at("lock"), before.write_stalls.at("lock"));
  EXPECT_EQ(WithWriteStall(dump, 0), dump);
}

}  // namespace
}  // namespace tikv_exporter::sim
