#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tikv_exporter {

// One row of a "** Compaction Stats [cf] **" level table ("L0".."L6", "Sum", "Int").
struct RocksDbLevelStats {
  std::string level;
  double files = 0;
  double files_compacting = 0;
  double size_bytes = 0;
  std::optional<double> score;
  std::optional<double> read_bytes;   // Read(GB), cumulative
  std::optional<double> write_bytes;  // Write(GB), cumulative
  std::optional<double> write_amplification;  // W-Amp
  std::optional<double> compaction_seconds;   // Comp(sec), cumulative
  std::optional<double> compactions;          // Comp(cnt), cumulative
  std::optional<double> keys_in;              // KeyIn (RocksDB rounds it to K/M/G)
  std::optional<double> keys_dropped;         // KeyDrop
};

// A RocksDB histogram as Statistics::ToString() prints it (microseconds for *.micros).
struct RocksDbHistogram {
  double p50 = 0, p95 = 0, p99 = 0, p100 = 0;
  double count = 0, sum = 0;
};

// The DB-wide part of a stats dump ("** DB Stats **"), cumulative since the DB opened.
struct RocksDbDbStats {
  std::optional<double> uptime_seconds;
  std::optional<double> writes;
  std::optional<double> keys_written;
  std::optional<double> wal_writes;
  std::optional<double> wal_syncs;
  std::optional<double> wal_bytes;
  std::optional<double> stall_seconds;
  std::optional<double> stall_percent;
};

// A block cache as a dump describes it (RocksDB >= 6.2x prints it in each column family that
// uses it: "Block cache LRUCache@0x...#pid capacity: 4.00 MB usage: 0.09 KB ..." then "Block cache
// entry stats(count,size,portion): DataBlock(12,1.20 MB,30%) Misc(1,0.00 KB,0%)").
struct RocksDbBlockCache {
  std::optional<double> capacity_bytes;
  std::optional<double> usage_bytes;
  struct Entries {
    double count = 0;
    double bytes = 0;
  };
  std::map<std::string, Entries> entries;  // by role (RocksDB's CacheEntryRole: DataBlock, ...)
};

// One parsed stats dump. A value type.
struct RocksDbStats {
  RocksDbDbStats db;
  std::map<std::string, std::vector<RocksDbLevelStats>> levels;  // by column family
  // cf -> cause -> count: "Stalls(count)" (RocksDB <= 6.29) or "Write Stall (count)" (>= 8.x).
  std::map<std::string, std::map<std::string, double>> write_stalls;
  std::map<std::string, double> pending_compaction_bytes;  // by cf (RocksDB >= 9)
  std::map<std::string, double> tickers;                   // "rocksdb.block.cache.hit" -> count
  std::map<std::string, RocksDbHistogram> histograms;      // "rocksdb.db.get.micros" -> ...
  // By the cache's name in the dump ("LRUCache@0x55a3c46639d0#11841"); column families sharing
  // one cache (TiKV's default) name it once each, and it is counted once.
  std::map<std::string, RocksDbBlockCache> block_caches;
  size_t unknown_lines = 0;  // lines inside the dump that no rule recognised (skipped)
  size_t series_left_out = 0;  // series past the LOG's share of max_series_per_poll (KeepSeries)
};

}  // namespace tikv_exporter
