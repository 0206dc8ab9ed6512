#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "collectors/pd/pd_data.h"
#include "collectors/source.h"
#include "snapshot/health.h"
#include "snapshot/pressure_signals.h"
#include "snapshot/node_signals.h"

namespace tikv_exporter {

struct LatencyQuantiles {
  std::optional<double> p50;
  std::optional<double> p95;
  std::optional<double> p99;
};

// Request statistics of one gRPC message type over the window.
struct RequestTypeStats {
  double qps = 0;
  std::optional<double> average_seconds;  // absent when no request completed in the window
  LatencyQuantiles quantiles_seconds;
};

struct StorageSize {
  std::optional<double> capacity_bytes;
  std::optional<double> available_bytes;
  std::optional<double> used_bytes;
  // Where used_bytes came from: "tikv" (tikv_store_size_bytes{type="used"}, TiKV >= 5.4), "pd"
  // (PD's used_size of this store, older TiKV), or "engine_size_sum" (the sum of
  // tikv_engine_size_bytes, older TiKV without PD); "" when unknown.
  std::string used_source;
};

struct SourceHealth {
  bool enabled = false;
  bool up = false;
  int64_t last_success_ms = 0;  // 0 = never
  std::string last_error;
};

// The TiKVMetrics snapshot: one node's golden signals over the window between the two latest
// successful polls (METRICS.md). Rate fields are absent before the first full window; every
// TiKV-derived field is absent while TiKV is down. A value type.
struct Snapshot {
  int64_t timestamp_ms = 0;
  uint64_t sequence = 0;  // the poll that made it: 1, 2, 3, ...
  std::optional<double> window_seconds;

  std::optional<double> qps;
  std::map<std::string, RequestTypeStats> by_type;
  std::optional<double> latency_average_seconds;
  LatencyQuantiles latency_seconds;

  StorageSize storage;
  std::map<std::string, double> engine_size_bytes;         // by db
  std::map<std::string, double> compaction_pending_bytes;  // by db
  // db -> block (data, index, filter, all) -> hits / (hits + misses) in the window.
  std::map<std::string, std::map<std::string, double>> block_cache_hit_ratio;
  std::map<std::string, double> bloom_filter_useful_ratio;  // by db, in the window
  std::map<std::string, double> write_stall_seconds;        // by db, in the window
  // When the kv stall came from the RocksDB LOG: the time between the two stats dumps it spans.
  std::optional<double> write_stall_log_dumps_seconds;

  // Where each health signal came from: "block_cache", "bloom_filter", "write_stall" ->
  // "tikv" (TiKV's /metrics), or, when /metrics lacks the signal, "rocksdb_log" (the two latest
  // stats dumps of the kv RocksDB's LOG) or "rocksdb_debug_service" (its two latest answers).
  std::map<std::string, std::string> signal_sources;

  PressureSignals pressure;  // write path, scheduler, errors, restarts, thread pools

  std::string tikv_version;  // from tikv_server_info{version}
  std::map<Source, SourceHealth> sources;

  // Node health (issue 17; node_signals.h). Absent when the node does not export the inputs.
  std::optional<DiskHeadroom> disk_headroom;  // needs capacity, available and /config's reserve-space
  SlowStore slow_store;
  std::optional<double> gc_safe_point_lag_seconds;    // scrape time - tikv_gcworker_autogc_safe_point, >= 0
  std::optional<int64_t> gc_safe_point_ms;            // that safe point's physical time
  // How far TiKV's safe point was ahead of the scrape when it is left out for being in the future
  // (beyond the clock skew allowed): the verdict says so rather than "no safe point".
  std::optional<double> gc_safe_point_ahead_seconds;
  std::optional<double> min_resolved_ts_gap_seconds;  // tikv_resolved_ts_min_resolved_ts_gap_millis
  std::optional<bool> tikv_ready;  // TiKV's GET /ready; absent where TiKV has none (404)
  std::optional<StoreState> pd_store_state;  // this node's store in PD's /stores
  std::optional<PdGcLag> pd_gc;              // PD's /gc/safepoint (HTTP only)
  std::optional<GcAdvance> gc_advance;       // filled by the poller's GcProgress

  // The verdict on all of the above (health_checks.h), made once per poll.
  HealthVerdict health;

  // The total of compaction_pending_bytes over every db (the seed's compaction_pending).
  std::optional<double> TotalCompactionPendingBytes() const;
};

}  // namespace tikv_exporter
