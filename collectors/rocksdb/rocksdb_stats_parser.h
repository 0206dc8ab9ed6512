#pragma once

#include <string_view>
#include <vector>

#include "collectors/rocksdb/rocksdb_stats.h"

namespace tikv_exporter {

// Parses the text of one RocksDB stats dump — "** DB Stats **", the "** Compaction Stats [cf] **"
// tables (columns read from each header line, as they differ between versions), the stall
// counters of every version, "Estimated pending compaction bytes", and the "STATISTICS:" tickers
// and histograms — from lines without any log prefix. The same text comes from a LOG dump, the
// rocksdb.stats property and TiKV's debug GetMetrics (whose tickers follow the DB stats without
// a "STATISTICS:" line). Unknown lines are counted, never fatal.
// Thread-safe.
RocksDbStats ParseRocksDbStats(const std::vector<std::string_view>& lines);
// The same over '\n'-separated text (a dump's collected lines, a GetMetrics rocksdb_kv answer).
RocksDbStats ParseRocksDbStatsText(std::string_view text);

// Whether `text` holds a RocksDB stats dump: a "** DB Stats **" or "** Compaction Stats [" line.
// GetMetrics' rocksdb_raft holds one when TiKV's raft log is a RocksDB (raftdb), and raft-engine's
// own text (or nothing) when raft-engine is on: that one is no RocksDB, and not an error.
bool HasRocksDbStatsSections(std::string_view text);

// RocksDB's human numbers: "18K" (x1000), "13M", "2G", plain below 10,000.
double ParseRocksDbCount(std::string_view text);

}  // namespace tikv_exporter
