// The RocksDB LOG collector on real files: rotation, truncation, a missing log, a half-written
// dump, a large backlog and a file that is not a RocksDB log.

#include "collectors/rocksdb/rocksdb_collector.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>

#include "tests/unit/test_files.h"

namespace tikv_exporter {
namespace {

class RocksDbCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("tikv-exporter-log-" + std::to_string(::getpid()) + "-" +
                                                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    log_ = (dir_ / "LOG").string();
    fixture_ = testing::ReadFile(testing::Fixture("rocksdb-7.8.3-tikv-cfs-LOG"));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Append(const std::string& text) { std::ofstream(log_, std::ios::app) << text; }
  // The fixture up to (not including) its n-th "DUMPING STATS" line (1-based); npos = all of it.
  std::string UpToDump(int n) const {
    size_t at = 0;
    for (int i = 0; i < n; ++i) {
      at = fixture_.find("------- DUMPING STATS", at + 1);
      if (at == std::string::npos) return fixture_;
    }
    return fixture_.substr(0, fixture_.rfind('\n', at) + 1);
  }
  StatusOr<std::shared_ptr<const RocksDbLogData>> Poll(RocksDbCollector& collector) {
    return collector.Collect(Clock::now() + std::chrono::seconds(30));
  }

  std::filesystem::path dir_;
  std::string log_;
  std::string fixture_;
};

TEST_F(RocksDbCollectorTest, AMissingLogIsAnErrorUntilItAppears) {
  RocksDbCollector collector(log_, LogFollower::Limits{});
  StatusOr<std::shared_ptr<const RocksDbLogData>> missing = Poll(collector);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(log_), std::string::npos);
  Append(fixture_);
  ASSERT_TRUE(Poll(collector).ok());
  auto data = Poll(collector);  // quiet now: the last dump completes
  ASSERT_TRUE(data.ok());
  EXPECT_EQ((*data)->dumps, 5u);
  EXPECT_EQ((*data)->latest->tickers.at("rocksdb.block.cache.hit"), 75532);
  ASSERT_TRUE((*data)->previous.has_value());
}

// A FIFO at the LOG path stuck the collector in open() until something wrote to it; it is now
// refused as "not a regular file" at once, and a regular file there later is read.
TEST_F(RocksDbCollectorTest, AFifoAtTheLogPathIsAClearErrorNotAHang) {
  ASSERT_EQ(::mkfifo(log_.c_str(), 0600), 0);
  RocksDbCollector collector(log_, LogFollower::Limits{});
  std::future<StatusOr<std::shared_ptr<const RocksDbLogData>>> polled =
      std::async(std::launch::async, [&] { return Poll(collector); });
  const bool returned = polled.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  if (!returned) {  // the old code: release its open() with a writer, then fail
    const int writer = ::open(log_.c_str(), O_WRONLY | O_NONBLOCK);
    polled.wait();
    if (writer >= 0) ::close(writer);
  }
  ASSERT_TRUE(returned) << "the collector hung on the FIFO";
  StatusOr<std::shared_ptr<const RocksDbLogData>> result = polled.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), log_ + ": not a regular file (the RocksDB info log)");
  std::filesystem::remove(log_);
  Append(fixture_);
  EXPECT_TRUE(Poll(collector).ok());
}

TEST_F(RocksDbCollectorTest, WaitsForAHalfWrittenDump) {
  const std::string all = fixture_;
  const size_t cut = all.find("** Compaction Stats [lock] **", all.rfind("DUMPING STATS"));
  Append(all.substr(0, cut));
  RocksDbCollector collector(log_, LogFollower::Limits{});
  ASSERT_TRUE(Poll(collector).ok());
  auto data = Poll(collector);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ((*data)->dumps, 4u);  // the fifth stops in the middle: not complete, not counted
  Append(all.substr(cut));
  ASSERT_TRUE(Poll(collector).ok());
  data = Poll(collector);
  EXPECT_EQ((*data)->dumps, 5u);
  EXPECT_EQ((*data)->latest->levels.size(), 4u);
}

TEST_F(RocksDbCollectorTest, SurvivesRotation) {
  Append(UpToDump(3));
  RocksDbCollector collector(log_, LogFollower::Limits{});
  ASSERT_TRUE(Poll(collector).ok());
  // RocksDB renames LOG to LOG.old.<ts> and starts a new LOG; the rest lands in the new file.
  std::filesystem::rename(log_, log_ + ".old.1");
  Append(fixture_.substr(UpToDump(3).size()));
  ASSERT_TRUE(Poll(collector).ok());
  auto data = Poll(collector);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ((*data)->dumps, 5u);
  EXPECT_EQ((*data)->latest->tickers.at("rocksdb.block.cache.hit"), 75532);
}

TEST_F(RocksDbCollectorTest, SurvivesTruncation) {
  Append(fixture_);
  RocksDbCollector collector(log_, LogFollower::Limits{});
  ASSERT_TRUE(Poll(collector).ok());
  std::filesystem::resize_file(log_, 0);
  Append(UpToDump(2));  // shorter than before: read again from the start
  ASSERT_TRUE(Poll(collector).ok());
  auto data = Poll(collector);
  ASSERT_TRUE(data.ok());
  EXPECT_GE((*data)->dumps, 6u);  // 5 from the first file, the first one of the new content
  EXPECT_NE((*data)->latest->tickers.at("rocksdb.block.cache.hit"), 75532);  // an earlier dump
}

TEST_F(RocksDbCollectorTest, ReadsOnlyTheTailOfAHugeBacklog) {
  std::string padding;
  for (int i = 0; i < 20000; ++i) padding += "2026/11/24-00:00:00.000000 1 [x.cc:1] filler line " + std::to_string(i) + "\n";
  Append(padding + fixture_);
  LogFollower::Limits limits;
  limits.initial_backlog_bytes = fixture_.size() / 2;  // only the last dumps fit
  RocksDbCollector collector(log_, limits);
  ASSERT_TRUE(Poll(collector).ok());
  auto data = Poll(collector);
  ASSERT_TRUE(data.ok());
  EXPECT_LT((*data)->dumps, 5u);
  EXPECT_GE((*data)->dumps, 1u);
  EXPECT_EQ((*data)->latest->tickers.at("rocksdb.block.cache.hit"), 75532);  // still the latest
}

TEST_F(RocksDbCollectorTest, AFileThatIsNoRocksDbLogMarksTheSourceDown) {
  RocksDbCollector collector(log_, LogFollower::Limits{});
  Append("");  // an empty log is a log that has not said anything yet
  ASSERT_TRUE(Poll(collector).ok());
  // db_bench's console output: a stats dump, but no line of it starts a LOG record.
  const std::string bench =
      "fillseq      :       2.468 micros/op 405186 ops/sec 4.936 seconds 2000000 operations;  318.8 MB/s\n"
      "\n** Compaction Stats [default] **\n"
      "Level    Files   Size     Score Read(GB)  Rn(GB) Rnp1(GB) Write(GB) Wnew(GB) Moved(GB) W-Amp\n"
      "  L0      2/0    1.69 KB   0.5      0.0     0.0      0.0       0.0      0.0       0.0   0.0\n"
      "[2026/11/24 00:12:20.808 +08:00] [INFO] [server.rs:1] [\"not a rocksdb record\"]\n";
  Append(bench);
  for (int poll = 0; poll < 2; ++poll) {
    StatusOr<std::shared_ptr<const RocksDbLogData>> data = Poll(collector);
    ASSERT_FALSE(data.ok());
    EXPECT_NE(data.status().message().find(log_ + ": no RocksDB records recognised in " +
                                           std::to_string(bench.size()) + " bytes"),
              std::string::npos)
        << data.status().message();
  }
  // Once a RocksDB record shows up, the file is a log after all.
  Append("2026/11/24-00:12:20.808728 11859 [db/db_impl/db_impl.cc:1] opened\n");
  EXPECT_TRUE(Poll(collector).ok());
}

TEST_F(RocksDbCollectorTest, HonoursTheDeadline) {
  Append(fixture_);
  // Past the deadline nothing is read; the next poll reads from where the last one stopped.
  LogFollower follower(log_, LogFollower::Limits{});
  size_t lines = 0;
  const auto count = [&lines](std::string_view) { ++lines; };
  StatusOr<LogFollower::PollResult> late = follower.Poll(Clock::now() - std::chrono::milliseconds(1), count);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->bytes_read, 0u);
  EXPECT_TRUE(late->out_of_time);
  EXPECT_EQ(lines, 0u);
  StatusOr<LogFollower::PollResult> in_time = follower.Poll(Clock::now() + std::chrono::seconds(30), count);
  ASSERT_TRUE(in_time.ok());
  EXPECT_EQ(in_time->bytes_read, fixture_.size());
  EXPECT_FALSE(in_time->out_of_time);
  EXPECT_GT(lines, 0u);

  RocksDbCollector collector(log_, LogFollower::Limits{});
  StatusOr<std::shared_ptr<const RocksDbLogData>> refused = collector.Collect(Clock::now());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), log_ + ": no time left in this poll to read the log (timeout_ms)");
  ASSERT_TRUE(Poll(collector).ok());  // nothing was lost: the whole log is read now
  auto data = Poll(collector);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ((*data)->dumps, 5u);
}

}  // namespace
}  // namespace tikv_exporter
