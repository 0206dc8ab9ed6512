#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "prom/exposition.h"
#include "prom/exposition_parser.h"
#include "collectors/pd/pd_data.h"
#include "collectors/rocksdb/rocksdb_stats.h"
#include "collectors/tikv/flat_json.h"

namespace tikv_exporter {

// One raw TiKV family selected for re-exposure, written once per poll in both formats /metrics
// answers, so a scrape only appends it.
struct RelayedFamily {
  std::string name;
  std::string text;         // text format 0.0.4
  std::string openmetrics;  // OpenMetrics 1.0 (without "# EOF")
};

// One successful scrape of the TiKV status server.
struct TikvScrape {
  int64_t timestamp_ms = 0;  // wall clock when /metrics was requested, for display
  int64_t monotonic_ms = 0;  // steady clock at the same moment: rate windows use this
  Exposition metrics;
  size_t body_bytes = 0;
  std::vector<ParseWarning> warnings;  // what the parser tolerated (duplicates, no final newline)
  // The raw families selected for re-exposure ([collectors.tikv] relay), already written:
  // appended to every scrape of the exporter (but those whose name the exporter serves itself).
  std::vector<RelayedFamily> relay;
  size_t relay_series = 0;
  // TiKV's live /config, flattened; empty when TiKV has no /config (< 4.0) or it failed.
  TikvConfig config;
  std::string config_error;  // why /config could not be read, when it could not
  std::vector<LimitNote> limit_notes;  // the bounds this scrape hit without failing (/config's)
  // GET /ready (TiKV master 2025-03 / v8.5.6 builds): true on 200, false on 500; absent when TiKV
  // has no /ready (404) or the request failed. Never fails a poll.
  std::optional<bool> ready;
};

// What the RocksDB LOG collector knows: its two latest complete stats dumps (rates between them)
// and counters since the exporter started reading the log.
struct RocksDbLogData {
  std::string log_path;
  std::optional<RocksDbStats> latest;
  std::optional<RocksDbStats> previous;
  int64_t latest_read_ms = 0;    // wall clock when the latest dump was read
  int64_t previous_read_ms = 0;
  size_t dumps = 0;
  size_t stall_warnings = 0;     // "Stalling writes because ..." records
  size_t stop_warnings = 0;      // "Stopping writes because ..." records
  std::vector<LimitNote> limit_notes;  // the latest dump's series left out (series_per_poll)
};

// What one poll gathered from every source. Each collector fills only its own member, so
// collectors running in parallel never touch the same data. Missing means down or disabled.
struct PollData {
  std::shared_ptr<const TikvScrape> tikv;
  std::shared_ptr<const PdData> pd;
  std::shared_ptr<const RocksDbLogData> rocksdb;
};

}  // namespace tikv_exporter
