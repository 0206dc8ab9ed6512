#include <gtest/gtest.h>

#include <sstream>

#include "collectors/rocksdb/rocksdb_log_reader.h"
#include "collectors/rocksdb/rocksdb_stats_parser.h"
#include "tests/unit/test_files.h"

namespace tikv_exporter {
namespace {

using testing::Fixture;
using testing::ReadFile;

// Feeds a whole log text line by line, then ends the data.
RocksDbLogReader ReadLog(const std::string& text, bool end = true) {
  RocksDbLogReader reader;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) reader.AddLine(line);
  if (end) reader.EndOfData();
  return reader;
}

// The latest dump of a whole log text.
std::optional<RocksDbStats> LatestOf(const std::string& text);

// The latest dump completed since the last call.
std::optional<RocksDbStats> Latest(RocksDbLogReader& reader) {
  std::vector<RocksDbStats> dumps = reader.TakeDumps();
  if (dumps.empty()) return std::nullopt;
  return std::move(dumps.back());
}

std::optional<RocksDbStats> LatestOf(const std::string& text) {
  RocksDbLogReader reader = ReadLog(text);
  return Latest(reader);
}

std::vector<std::string_view> Lines(const std::string& text) {
  std::vector<std::string_view> lines;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t end = rest.find('\n');
    lines.push_back(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  return lines;
}

const RocksDbLevelStats* Level(const RocksDbStats& stats, const std::string& cf, const std::string& level) {
  auto it = stats.levels.find(cf);
  if (it == stats.levels.end()) return nullptr;
  for (const RocksDbLevelStats& row : it->second) {
    if (row.level == level) return &row;
  }
  return nullptr;
}

TEST(RocksDbCount, ReadsHumanNumbers) {
  EXPECT_EQ(ParseRocksDbCount("470"), 470);
  EXPECT_EQ(ParseRocksDbCount("18K"), 18000);
  EXPECT_EQ(ParseRocksDbCount("13M"), 13e6);
  EXPECT_EQ(ParseRocksDbCount("2G"), 2e9);
}

TEST(RocksDbLog, TheTikvCfsLogMatchesTheDatabasesOwnAnswers) {
  const std::string log = ReadFile(Fixture("rocksdb-7.8.3-tikv-cfs-LOG"));
  RocksDbLogReader reader = ReadLog(log);
  EXPECT_EQ(reader.dumps_completed(), 5u);  // five DUMPING STATS blocks
  std::optional<RocksDbStats> stats = Latest(reader);
  ASSERT_TRUE(stats.has_value());
  // rocksdb-7.8.3-tikv-cfs-truth.json: files per level at the end of the run.
  const std::map<std::string, std::vector<int>> files = {
      {"default", {0, 1}}, {"lock", {0, 1}}, {"write", {0, 1}}, {"raft", {2, 1}}};
  for (const auto& [cf, per_level] : files) {
    for (size_t level = 0; level < per_level.size(); ++level) {
      const RocksDbLevelStats* row = Level(*stats, cf, "L" + std::to_string(level));
      ASSERT_NE(row, nullptr) << cf << " L" << level;
      EXPECT_EQ(row->files, per_level[level]) << cf << " L" << level;
    }
  }
  const RocksDbLevelStats* l1 = Level(*stats, "default", "L1");
  EXPECT_DOUBLE_EQ(l1->size_bytes, 222.67 * 1024);
  EXPECT_DOUBLE_EQ(*l1->write_amplification, 1.7);
  EXPECT_DOUBLE_EQ(*l1->compactions, 3);
  EXPECT_DOUBLE_EQ(*l1->keys_in, 18000);
  EXPECT_DOUBLE_EQ(*l1->keys_dropped, 470);
  EXPECT_DOUBLE_EQ(*Level(*stats, "raft", "L0")->score, 0.7);
  // Every non-zero ticker of the truth file, exactly.
  const std::map<std::string, double> tickers = {
      {"rocksdb.block.cache.miss", 5570},        {"rocksdb.block.cache.hit", 75532},
      {"rocksdb.block.cache.index.hit", 2932},   {"rocksdb.block.cache.filter.hit", 71454},
      {"rocksdb.block.cache.data.miss", 5478},   {"rocksdb.block.cache.data.hit", 1146},
      {"rocksdb.bloom.filter.useful", 68608},    {"rocksdb.bloom.filter.full.positive", 2846},
      {"rocksdb.stall.micros", 25341},           {"rocksdb.compact.write.bytes", 1673754},
      {"rocksdb.number.keys.written", 40000}};
  for (const auto& [name, value] : tickers) EXPECT_EQ(stats->tickers[name], value) << name;
  EXPECT_GT(stats->tickers.size(), 100u);
  ASSERT_TRUE(stats->histograms.contains("rocksdb.db.get.micros"));
  EXPECT_GT(stats->histograms["rocksdb.db.get.micros"].count, 0);
  EXPECT_EQ(stats->db.writes, 40000);
  EXPECT_DOUBLE_EQ(*stats->db.stall_seconds, 0.025);
  EXPECT_DOUBLE_EQ(*stats->db.stall_percent, 0.6);
  EXPECT_EQ(stats->write_stalls["default"]["level0_slowdown"], 0);
  EXPECT_TRUE(stats->write_stalls["default"].contains("stop_for_pending_compaction_bytes"));
  EXPECT_EQ(stats->unknown_lines, 0u);
}

TEST(RocksDbLog, TheTruthFileAgreesWithTheLastDump) {
  // Cross-check against the JSON itself so a wrong hand-copied number above cannot hide.
  const std::string truth = ReadFile(Fixture("rocksdb-7.8.3-tikv-cfs-truth.json"));
  std::optional<RocksDbStats> stats = LatestOf(ReadFile(Fixture("rocksdb-7.8.3-tikv-cfs-LOG")));
  ASSERT_TRUE(stats);
  size_t checked = 0;
  for (size_t at = truth.find("\"rocksdb."); at != std::string::npos; at = truth.find("\"rocksdb.", at + 1)) {
    size_t end = truth.find('"', at + 1);
    std::string name = truth.substr(at + 1, end - at - 1);
    double value = std::stod(truth.substr(truth.find(':', end) + 1));
    EXPECT_EQ(stats->tickers[name], value) << name;
    ++checked;
  }
  EXPECT_EQ(checked, 49u);
}

TEST(RocksDbLog, OldFormat601) {
  // No STATISTICS section in this LOG, and the dump is its thread's last record: published once
  // the file ends, as its cfstats record is complete (another thread logged after it).
  std::optional<RocksDbStats> stats = LatestOf(ReadFile(Fixture("rocksdb-6.0.1-LOG-baseline.txt")));
  ASSERT_TRUE(stats);
  EXPECT_TRUE(stats->levels.contains("default"));
  EXPECT_EQ(stats->levels["default"].size(), 3u);  // L0, Sum, Int: its table is printed twice
  EXPECT_TRUE(stats->write_stalls["default"].contains("level0_slowdown"));
  EXPECT_TRUE(stats->db.uptime_seconds.has_value());
  EXPECT_EQ(stats->unknown_lines, 0u);
}

// One RocksDB 6.x stats dump as the plain LOG of thread 7f01 prints it at `second` (00..59): no
// STATISTICS, [default] with `l0_files` L0 files and `slowdowns` level0_slowdown stalls, its
// empty Priority table followed directly by the CF's lines (no blank line), and after it one
// record of another thread.
std::string Dump6x(const std::string& second, int l0_files, int slowdowns) {
  const std::string at = "2026/11/24-00:12:" + second;
  const std::string files = std::to_string(l0_files) + "/0";
  return at + ".000001 7f01 [/db_impl.cc:775] ------- DUMPING STATS -------\n" + at +
         ".000002 7f01 [/db_impl.cc:777] \n"
         "** DB Stats **\n"
         "Uptime(secs): 600.0 total, 600.0 interval\n"
         "Cumulative writes: 40K writes, 40K keys, 40K commit groups, 1.0 writes per commit group, ingest: 0.01 GB, 0.01 MB/s\n"
         "Cumulative stall: 00:00:7.000 H:M:S, 1.2 percent\n"
         "\n"
         "** Compaction Stats [default] **\n"
         "Level    Files   Size     Score Read(GB)  Rn(GB) Rnp1(GB) Write(GB) Wnew(GB) Moved(GB) W-Amp Rd(MB/s) Wr(MB/s) Comp(sec) CompMergeCPU(sec) Comp(cnt) Avg(sec) KeyIn KeyDrop\n"
         "-----------------------------------------------------------------------------------------------------------\n"
         "  L0    " + files + "    1.69 KB   0.5      0.0     0.0      0.0       0.0      0.0       0.0   0.0      0.0      0.0      0.00              0.00         0    0.000       0      0\n"
         " Sum    " + files + "    1.69 KB   0.0      0.0     0.0      0.0       0.0      0.0       0.0   0.0      0.0      0.0      0.00              0.00         0    0.000       0      0\n"
         "\n"
         "** Compaction Stats [default] **\n"
         "Priority    Files   Size     Score Read(GB)  Rn(GB) Rnp1(GB) Write(GB) Wnew(GB) Moved(GB) W-Amp Rd(MB/s) Wr(MB/s) Comp(sec) CompMergeCPU(sec) Comp(cnt) Avg(sec) KeyIn KeyDrop\n"
         "-----------------------------------------------------------------------------------------------------------\n"
         "Uptime(secs): 600.0 total, 600.0 interval\n"
         "Flush(GB): cumulative 0.000, interval 0.000\n"
         "Stalls(count): " + std::to_string(slowdowns) + " level0_slowdown, 0 level0_slowdown_with_compaction, 0 level0_numfiles, 0 level0_numfiles_with_compaction, 0 stop for pending_compaction_bytes, 0 slowdown for pending_compaction_bytes, 0 memtable_compaction, 0 memtable_slowdown, interval 0 total count\n"
         "\n"
         "** File Read Latency Histogram By Level [default] **\n" +
         at + ".000003 7f02 [/compaction_job.cc:1] [default] compacted to: files[1 0 0 0 0 0 0]\n";
}

TEST(RocksDbLog, ADumpWithoutStatisticsIsPublishedOnceItsCfstatsAreComplete) {
  RocksDbLogReader reader;
  // The cfstats record is the last one so far: it may be half written, so it waits.
  const std::string dump = Dump6x("20", 2, 0);
  const std::string cfstats_only = dump.substr(0, dump.rfind("2026/"));
  std::istringstream first(cfstats_only);
  std::string line;
  while (std::getline(first, line)) reader.AddLine(line);
  reader.EndOfData();
  EXPECT_EQ(reader.dumps_completed(), 0u);
  // Another thread logs after it: complete, and no STATISTICS are to be waited for.
  reader.AddLine(dump.substr(cfstats_only.size(), dump.size() - cfstats_only.size() - 1));
  reader.EndOfData();
  EXPECT_EQ(reader.dumps_completed(), 1u);
  std::optional<RocksDbStats> stats = Latest(reader);
  ASSERT_TRUE(stats);
  EXPECT_EQ(Level(*stats, "default", "L0")->files, 2);
  EXPECT_TRUE(stats->tickers.empty());
}

TEST(RocksDbLog, ABusyLogWithoutStatisticsPublishesEachDumpWithoutWaitingForTheNext) {
  // Other threads log all the time, so the file never stops growing at a poll.
  RocksDbLogReader reader = ReadLog(Dump6x("20", 1, 0) + Dump6x("21", 2, 0) + Dump6x("22", 3, 0), false);
  EXPECT_EQ(reader.dumps_completed(), 3u);
  std::optional<RocksDbStats> latest = Latest(reader);
  ASSERT_TRUE(latest);
  EXPECT_EQ(Level(*latest, "default", "L0")->files, 3);
}

// The text of a Dump6x() dump without its log prefixes.
std::string StatsText(const std::string& dump) {
  const size_t start = dump.find("** DB Stats **");
  return dump.substr(start, dump.rfind("2026/") - start);
}

TEST(RocksDbStatsText, AnEmptyPriorityTableWithoutABlankLineEndsAtTheNextLine) {
  // RocksDB 6.x: the CF's Uptime, Flush and Stalls(count) lines follow the table's rule directly.
  std::string text = StatsText(Dump6x("20", 2, 3));
  text.insert(text.find("Flush(GB)"), "Some line of a later version: 5\n");
  RocksDbStats stats = ParseRocksDbStats(Lines(text));
  EXPECT_EQ(stats.write_stalls["default"]["level0_slowdown"], 3);
  EXPECT_EQ(stats.write_stalls["default"].size(), 8u);
  EXPECT_EQ(stats.unknown_lines, 1u);  // the unknown line is counted, not swallowed by the table
}

TEST(RocksDbStatsText, ARepeatedTableReplacesTheEarlierOne) {
  // RocksDB 6.8 prints [default]'s tables twice in one dump; the second copy stands.
  const std::string once = StatsText(Dump6x("20", 2, 0));
  const size_t table = once.find("** Compaction Stats [default] **");
  const size_t end = once.find("** File Read Latency");
  std::string twice = once;
  std::string second_copy = once.substr(table, end - table);
  second_copy.replace(second_copy.find("2/0"), 3, "4/0");
  twice.insert(end, second_copy);
  RocksDbStats stats = ParseRocksDbStats(Lines(twice));
  ASSERT_EQ(stats.levels["default"].size(), 2u);  // L0 and Sum, once each
  EXPECT_EQ(Level(stats, "default", "L0")->files, 4);
  EXPECT_EQ(stats.unknown_lines, 0u);
}

// TiKV's column families share one block cache: each of the 7.8.3 dump's four names it, and it
// is one cache.
TEST(RocksDbLog, ABlockCacheSharedByColumnFamiliesIsOneCache) {
  std::optional<RocksDbStats> stats = LatestOf(ReadFile(Fixture("rocksdb-7.8.3-tikv-cfs-LOG")));
  ASSERT_TRUE(stats);
  ASSERT_EQ(stats->block_caches.size(), 1u);
  EXPECT_EQ(stats->block_caches.begin()->second.capacity_bytes, 4.0 * 1024 * 1024);
}

// Entry stats as a busy cache prints them; names that are not a role, and fields that are not
// numbers, are skipped; at most 8 distinct caches are kept, whatever a dump names.
TEST(RocksDbStatsText, BlockCacheEntryStatsByRoleAndTheirBounds) {
  std::string text =
      "** Compaction Stats [default] **\n"
      "Block cache LRUCache@0xa#1 capacity: 1.00 GB usage: 512.00 MB table_size: 1024\n"
      "Block cache entry stats(count,size,portion): DataBlock(12,1.50 MB,30%) IndexBlock(3,2.00 KB,0.1%) "
      "Bad-Role(1,1.00 KB,1%) Misc(x,1.00 KB,1%) FilterBlock(2,3.00 KB)\n";
  for (int i = 0; i < 20; ++i) text += "Block cache Cache" + std::to_string(i) + " capacity: 1.00 MB usage: 0.00 KB\n";
  RocksDbStats stats = ParseRocksDbStats(Lines(text));
  ASSERT_EQ(stats.block_caches.count("LRUCache@0xa#1"), 1u);
  const RocksDbBlockCache& cache = stats.block_caches.at("LRUCache@0xa#1");
  EXPECT_EQ(cache.capacity_bytes, 1024.0 * 1024 * 1024);
  EXPECT_EQ(cache.usage_bytes, 512.0 * 1024 * 1024);
  ASSERT_EQ(cache.entries.size(), 2u);
  EXPECT_EQ(cache.entries.at("DataBlock").count, 12);
  EXPECT_EQ(cache.entries.at("DataBlock").bytes, 1.5 * 1024 * 1024);
  EXPECT_EQ(cache.entries.at("IndexBlock").bytes, 2048);
  EXPECT_EQ(stats.block_caches.size(), 8u);
  EXPECT_EQ(stats.unknown_lines, 0u);
}

TEST(RocksDbLog, NewFormat881) {
  RocksDbLogReader reader = ReadLog(ReadFile(Fixture("rocksdb-8.8.1-LOG-baseline.txt")) +
                                    "2023/12/02-08:29:39.000000 8767 [/db_impl/db_impl.cc:1] next record\n");
  std::optional<RocksDbStats> stats = Latest(reader);
  ASSERT_TRUE(stats);
  EXPECT_TRUE(stats->write_stalls["default"].contains("l0_file_count_limit_stops"));
  EXPECT_TRUE(stats->write_stalls[""].contains("write_buffer_manager_limit_stops"));
  EXPECT_EQ(stats->unknown_lines, 0u);
}

TEST(RocksDbStatsText, PropertyDump1111WithWPreCompAndPendingBytes) {
  const std::string text = ReadFile(Fixture("rocksdb-11.1.1-stats-property-dump.txt"));
  RocksDbStats stats = ParseRocksDbStats(Lines(text));
  const RocksDbLevelStats* l6 = Level(stats, "default", "L6");
  ASSERT_NE(l6, nullptr);
  EXPECT_EQ(l6->files, 1);
  EXPECT_EQ(stats.pending_compaction_bytes["default"], 0);
  EXPECT_TRUE(stats.pending_compaction_bytes.contains("default"));
  EXPECT_EQ(stats.unknown_lines, 1u);  // ldb's own "rocksdb.stats: " label line
}

TEST(RocksDbStatsText, DbBench892) {
  RocksDbStats stats = ParseRocksDbStats(Lines(ReadFile(Fixture("rocksdb-8.9.2-db_bench-stats-dump.txt"))));
  EXPECT_FALSE(stats.levels["default"].empty());
  // "Block cache LRUCache@0x55cdce1943c0#3300 capacity: 32.00 MB seed: ... usage: 0.09 KB ..."
  ASSERT_EQ(stats.block_caches.size(), 1u);
  const RocksDbBlockCache& cache = stats.block_caches.begin()->second;
  EXPECT_EQ(cache.capacity_bytes, 32.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(*cache.usage_bytes, 0.09 * 1024);
  ASSERT_EQ(cache.entries.size(), 1u);  // "Misc(1,0.00 KB,0%)"
  EXPECT_EQ(cache.entries.at("Misc").count, 1);
  EXPECT_EQ(cache.entries.at("Misc").bytes, 0);
  EXPECT_TRUE(stats.write_stalls["default"].contains("pending_compaction_bytes_stops"));
  EXPECT_EQ(stats.unknown_lines, 0u);
}

TEST(RocksDbLog, SpeedbSamples) {
  std::optional<RocksDbStats> excerpt =
      LatestOf(ReadFile(Fixture("speedb-6.22-log-stats-dump-excerpt.txt")));
  ASSERT_TRUE(excerpt);
  EXPECT_EQ(excerpt->tickers["rocksdb.block.cache.miss"], 61);  // the first ticker, after a space
  EXPECT_FALSE(excerpt->levels["default"].empty());
  EXPECT_FALSE(excerpt->histograms.empty());
  RocksDbLogReader sample = ReadLog(ReadFile(Fixture("speedb-6.22.1-LOG-sample.txt")));
  EXPECT_GE(sample.dumps_completed(), 1u);
}

TEST(RocksDbLog, CountsStallWarnings) {
  RocksDbLogReader reader = ReadLog(ReadFile(Fixture("rocksdb-5.14-LOG-stall-warnings.txt")));
  EXPECT_EQ(reader.stall_warnings(), 1u);  // grep -c "Stalling writes": 1
  EXPECT_EQ(reader.stop_warnings(), 4u);   // grep -c "Stopping writes": 4
}

// The TiKV rocksdb.info format (constructed from TiKV's RocksFormat: no real capture exists) and
// log.format = "json": the same dump in both must parse to the same numbers.
TEST(RocksDbLog, TikvPrefixedAndJsonRecords) {
  const std::string plain = ReadFile(Fixture("rocksdb-7.8.3-tikv-cfs-LOG"));
  std::string tikv, json;
  std::istringstream in(plain);
  std::string line, record;
  auto flush_json = [&] {
    if (record.empty()) return;
    std::string escaped;
    for (char c : record) {
      if (c == '"' || c == '\\') escaped.push_back('\\');
      if (c == '\n') {
        escaped += "\\n";
        continue;
      }
      escaped.push_back(c);
    }
    json += "{\"time\":\"2026/11/24 00:12:20.808 +00:00\",\"level\":\"INFO\",\"message\":\"" + escaped + "\"}\n";
    record.clear();
  };
  while (std::getline(in, line)) {
    // "2026/11/24-00:12:20.808728 11859 [file] msg" -> "[2026/11/24 00:12:20.808 +00:00][11859][INFO] [file] msg"
    if (line.size() > 27 && line[4] == '/' && line[10] == '-') {
      size_t thread_end = line.find(' ', 27);
      std::string message = line.substr(thread_end + 1);
      tikv += "[" + line.substr(0, 10) + " " + line.substr(11, 12) + " +00:00][" +
              line.substr(27, thread_end - 27) + "][INFO] " + message + "\n";
      flush_json();
      record = message;
    } else {
      tikv += line + "\n";
      record += "\n" + line;
    }
  }
  flush_json();
  std::optional<RocksDbStats> from_plain = LatestOf(plain);
  std::optional<RocksDbStats> from_tikv = LatestOf(tikv);
  std::optional<RocksDbStats> from_json = LatestOf(json);
  ASSERT_TRUE(from_plain && from_tikv && from_json);
  EXPECT_EQ(from_tikv->tickers, from_plain->tickers);
  EXPECT_EQ(from_json->tickers, from_plain->tickers);
  EXPECT_EQ(from_tikv->levels.size(), 4u);
  EXPECT_EQ(from_json->levels.size(), 4u);
  EXPECT_EQ(Level(*from_json, "raft", "L0")->files, 2);
}

TEST(RocksDbLog, WaitsForTheRestOfAHalfWrittenDump) {
  const std::string log = ReadFile(Fixture("rocksdb-7.8.3-tikv-cfs-LOG"));
  const size_t cut = log.find("** Compaction Stats [write] **", log.rfind("DUMPING STATS"));
  ASSERT_NE(cut, std::string::npos);
  RocksDbLogReader reader;
  std::istringstream first(log.substr(0, cut));
  std::string line;
  while (std::getline(first, line)) reader.AddLine(line);
  reader.EndOfData();
  ASSERT_EQ(reader.dumps_completed(), 4u);  // the fifth is half written
  Latest(reader);
  std::istringstream rest(log.substr(cut));
  while (std::getline(rest, line)) reader.AddLine(line);
  reader.EndOfData();
  EXPECT_EQ(reader.dumps_completed(), 5u);
  std::optional<RocksDbStats> last = Latest(reader);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->tickers["rocksdb.block.cache.hit"], 75532);
  EXPECT_EQ(last->levels.size(), 4u);
}

TEST(RocksDbLog, GarbageIsSkipped) {
  RocksDbLogReader reader = ReadLog(std::string("\x01\x02garbage\n[[[\n{\"message\": 5}\n{not json\n") +
                                    "2026/11/24-00:12:20.808728 1 ------- DUMPING STATS -------\n"
                                    "2026/11/24-00:12:20.808729 1 \nnonsense line\nLevel Files\n"
                                    "2026/11/24-00:12:20.808730 1 STATISTICS:\nrocksdb.x COUNT : y\n");
  std::optional<RocksDbStats> stats = Latest(reader);
  ASSERT_TRUE(stats);
  EXPECT_GE(stats->unknown_lines, 2u);
  EXPECT_TRUE(stats->tickers.empty());
}

}  // namespace
}  // namespace tikv_exporter
