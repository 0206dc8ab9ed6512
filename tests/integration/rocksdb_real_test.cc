// The RocksDB collector against a real RocksDB (Debian's librocksdb): a workload with TiKV's
// column families fills levels and reads through the block cache; the collector's numbers must
// match what the database itself answers.

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>

#include <random>
#include <thread>

#include "collectors/rocksdb/rocksdb_collector.h"
#include "tests/integration/harness.h"

namespace tikv_exporter::testing {
namespace {

const std::vector<std::string> kFamilies = {"default", "lock", "write", "raft"};

TEST(RocksDbReal, CollectorMatchesTheDatabasesOwnAnswers) {
  TempDir dir;
  const std::string path = dir.path() + "/db";
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.statistics = rocksdb::CreateDBStatistics();
  options.stats_dump_period_sec = 1;
  options.write_buffer_size = 64 << 10;  // small memtables: many flushes, several levels
  options.level0_file_num_compaction_trigger = 4;
  options.max_bytes_for_level_base = 256 << 10;
  options.target_file_size_base = 64 << 10;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = rocksdb::NewLRUCache(1 << 20);
  table.cache_index_and_filter_blocks = true;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : kFamilies) descriptors.emplace_back(name, options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, path, descriptors, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);

  std::mt19937 random(42);
  const std::string value(200, 'v');
  for (int i = 0; i < 20000; ++i) {
    for (rocksdb::ColumnFamilyHandle* cf : handles) {
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf, "key" + std::to_string(random() % 50000), value).ok());
    }
  }
  for (rocksdb::ColumnFamilyHandle* cf : handles) ASSERT_TRUE(db->Flush(rocksdb::FlushOptions(), cf).ok());
  std::string ignored;
  for (int i = 0; i < 20000; ++i) {  // hits, misses and keys the bloom filter rules out
    db->Get(rocksdb::ReadOptions(), handles[0], "key" + std::to_string(random() % 100000), &ignored);
  }
  // Quiesce: no flush or compaction may change the numbers between the dump and our check.
  ASSERT_TRUE(WaitFor([&] {
    uint64_t running = 0, pending = 0;
    db->GetIntProperty("rocksdb.num-running-compactions", &running);
    db->GetIntProperty("rocksdb.num-running-flushes", &pending);
    return running == 0 && pending == 0;
  }, std::chrono::seconds(60)));
  uint64_t pending = 1;
  ASSERT_TRUE(WaitFor([&] { return db->GetIntProperty("rocksdb.compaction-pending", &pending) && pending == 0; },
                      std::chrono::seconds(60)));
  // Dumps of the final state: one a second, and RocksDB's logger flushes its buffer to the LOG
  // file only every 5 s.
  std::this_thread::sleep_for(std::chrono::milliseconds(7000));

  RocksDbCollector collector(path + "/LOG", LogFollower::Limits{});
  ASSERT_TRUE(collector.Collect(Clock::now() + std::chrono::seconds(30)).ok());
  // The file is quiet now: the last dump is complete.
  StatusOr<std::shared_ptr<const RocksDbLogData>> second = collector.Collect(Clock::now() + std::chrono::seconds(30));
  ASSERT_TRUE(second.ok() && (*second)->latest);
  const RocksDbStats& stats = *(*second)->latest;
  EXPECT_GE((*second)->dumps, 2u);

  int levels_used = 0;
  for (size_t i = 0; i < handles.size(); ++i) {
    for (int level = 0; level < 7; ++level) {
      std::string files;
      ASSERT_TRUE(db->GetProperty(handles[i], "rocksdb.num-files-at-level" + std::to_string(level), &files));
      double found = 0;
      for (const RocksDbLevelStats& row : stats.levels.at(kFamilies[i])) {
        if (row.level == "L" + std::to_string(level)) found = row.files;
      }
      EXPECT_EQ(found, std::stod(files)) << kFamilies[i] << " L" << level;
      levels_used += std::stoi(files) > 0;
    }
  }
  EXPECT_GE(levels_used, 5);  // several levels in several column families
  for (auto [ticker, name] : {std::pair{rocksdb::BLOCK_CACHE_HIT, "rocksdb.block.cache.hit"},
                              std::pair{rocksdb::BLOCK_CACHE_MISS, "rocksdb.block.cache.miss"},
                              std::pair{rocksdb::BLOCK_CACHE_DATA_HIT, "rocksdb.block.cache.data.hit"},
                              std::pair{rocksdb::BLOCK_CACHE_DATA_MISS, "rocksdb.block.cache.data.miss"},
                              std::pair{rocksdb::BLOCK_CACHE_INDEX_HIT, "rocksdb.block.cache.index.hit"},
                              std::pair{rocksdb::BLOCK_CACHE_FILTER_HIT, "rocksdb.block.cache.filter.hit"},
                              std::pair{rocksdb::BLOOM_FILTER_USEFUL, "rocksdb.bloom.filter.useful"},
                              std::pair{rocksdb::NUMBER_KEYS_WRITTEN, "rocksdb.number.keys.written"}}) {
    const double expected = static_cast<double>(options.statistics->getTickerCount(ticker));
    EXPECT_EQ(stats.tickers.at(name), expected) << name;
    EXPECT_GT(expected, 0) << name;
  }
  for (rocksdb::ColumnFamilyHandle* cf : handles) db->DestroyColumnFamilyHandle(cf);
}

}  // namespace
}  // namespace tikv_exporter::testing
