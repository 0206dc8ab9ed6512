#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "collectors/rocksdb/rocksdb_source.h"
#include "collectors/rocksdb/rocksdb_stats.h"
#include "common/limits.h"

namespace tikv_exporter {

// What the RocksDB collector knows: the kv RocksDB's two latest complete stats dumps (rates between them) and
// counters since the exporter started reading them. A dump is a LOG stats dump, or one answer of
// TiKV's debug service (the same text without line prefixes); both dumps come from one source.
struct RocksDbLogData {
  RocksDbSource source = RocksDbSource::kLog;  // kLog or kDebugService, never kAuto
  std::string log_path;  // the LOG's path (source log)
  std::string address;   // the debug service's URL (source debug_service)
  std::optional<RocksDbStats> latest;
  std::optional<RocksDbStats> previous;
  // The raft RocksDB's part of the latest answer of the debug service, when TiKV keeps its raft
  // log in a RocksDB (raft-engine off). Never from the LOG, which is the kv RocksDB's; exported
  // beside kv's (db="raft"), never used for rates.
  std::optional<RocksDbStats> raft;
  int64_t latest_read_ms = 0;    // wall clock when the latest dump was read (or answered)
  int64_t previous_read_ms = 0;
  size_t dumps = 0;
  size_t stall_warnings = 0;     // "Stalling writes because ..." records
  size_t stop_warnings = 0;      // "Stopping writes because ..." records
  std::vector<LimitNote> limit_notes;  // the latest dump's series left out (series_per_poll)
};

}  // namespace tikv_exporter
