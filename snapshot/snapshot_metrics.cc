#include "snapshot/snapshot_metrics.h"

#include "snapshot/health_metrics.h"
#include "snapshot/node_signals.h"
#include "snapshot/pressure_metrics.h"

namespace tikv_exporter {
namespace {

void SetQuantiles(MetricFamily& family, const Labels& base, const LatencyQuantiles& q) {
  const std::pair<const char*, const std::optional<double>*> quantiles[] = {
      {"0.5", &q.p50}, {"0.95", &q.p95}, {"0.99", &q.p99}};
  for (const auto& [name, value] : quantiles) {
    Labels labels = base;
    labels.push_back({"quantile", name});
    SetIf(family, std::move(labels), *value);
  }
}

}  // namespace

void AddSnapshotSeries(const Snapshot& s, bool tikv_up, Families& f) {
  auto& up = f.Gauge("tikv_exporter_up", "1 when the last poll of the source succeeded, 0 when it failed.");
  for (const auto& [source, health] : s.sources) {
    if (health.enabled) Set(up, {{"source", std::string(SourceName(source))}}, health.up ? 1 : 0);
  }
  if (s.timestamp_ms > 0) {
    Set(f.Gauge("tikv_exporter_snapshot_timestamp_seconds",
                "Unix time of the latest poll that produced the snapshot."),
        {}, static_cast<double>(s.timestamp_ms) / 1000.0);
  }
  AddHealthSeries(s.health, f);  // also while TiKV is down: that is a verdict too
  AddPdNodeSignalSeries(s, f);   // PD's are not stale TiKV values: PD may be the only witness left
  if (!tikv_up) return;  // no stale values that look healthy

  SetIf(f.Gauge("tikv_exporter_snapshot_window_seconds",
                "Length of the window between the two latest successful TiKV polls that the rates cover."),
        {}, s.window_seconds);
  auto& qps = f.Gauge("tikv_exporter_qps",
                      "gRPC requests per second by request type over the window (kv_gc excluded); sum() is the node's QPS.");
  auto& type_avg = f.Gauge("tikv_exporter_type_latency_average_seconds",
                           "Mean gRPC request latency by request type over the window.");
  auto& type_latency = f.Quantiles("tikv_exporter_type_latency_seconds",
                               "gRPC request latency quantiles by request type over the window, interpolated as histogram_quantile() does.");
  for (const auto& [type, stats] : s.by_type) {
    Set(qps, {{"type", type}}, stats.qps);
    SetIf(type_avg, {{"type", type}}, stats.average_seconds);
    SetQuantiles(type_latency, {{"type", type}}, stats.quantiles_seconds);
  }
  SetIf(f.Gauge("tikv_exporter_latency_average_seconds",
                "Mean gRPC request latency over the window, all request types."),
        {}, s.latency_average_seconds);
  SetQuantiles(f.Quantiles("tikv_exporter_latency_seconds",
                       "gRPC request latency quantiles over the window, all request types."),
               {}, s.latency_seconds);

  auto& storage = f.Gauge("tikv_exporter_storage_size_bytes",
                          "The store's space by type (capacity, available, used) as TiKV reports it; used may come "
                          "from PD or the engine sizes instead (tikv_exporter_storage_used_source_info says which).");
  SetIf(storage, {{"type", "capacity"}}, s.storage.capacity_bytes);
  SetIf(storage, {{"type", "available"}}, s.storage.available_bytes);
  SetIf(storage, {{"type", "used"}}, s.storage.used_bytes);
  if (!s.storage.used_source.empty()) {
    Set(f.Gauge("tikv_exporter_storage_used_source_info",
                "Where the used size came from: tikv (tikv_store_size_bytes), pd (PD's used_size of this store) or engine_size_sum (older TiKV without PD)."),
        {{"source", s.storage.used_source}}, 1);
  }
  auto& engine = f.Gauge("tikv_exporter_engine_size_bytes", "On-disk size of each RocksDB instance.");
  for (const auto& [db, bytes] : s.engine_size_bytes) Set(engine, {{"db", db}}, bytes);
  auto& pending = f.Gauge("tikv_exporter_compaction_pending_bytes",
                          "Estimated bytes RocksDB still has to compact, summed over column families.");
  for (const auto& [db, bytes] : s.compaction_pending_bytes) Set(pending, {{"db", db}}, bytes);
  auto& cache = f.Gauge("tikv_exporter_block_cache_hit_ratio",
                        "Block cache hits / (hits + misses) over the window by db and block kind.");
  for (const auto& [db, blocks] : s.block_cache_hit_ratio) {
    for (const auto& [block, ratio] : blocks) Set(cache, {{"block", block}, {"db", db}}, ratio);
  }
  auto& bloom = f.Gauge("tikv_exporter_bloom_filter_useful_ratio",
                        "Lookups a bloom filter saved / lookups it checked over the window: prefix seeks from TiKV's "
                        "/metrics, point lookups from the RocksDB LOG (tikv_exporter_signal_source_info says which).");
  for (const auto& [db, ratio] : s.bloom_filter_useful_ratio) Set(bloom, {{"db", db}}, ratio);
  auto& sources = f.Gauge("tikv_exporter_signal_source_info",
                          "Where a snapshot signal came from: tikv (/metrics), rocksdb_log (the kv RocksDB LOG's stats dumps) or rocksdb_debug_service (TiKV's debug service).");
  for (const auto& [signal, source] : s.signal_sources) Set(sources, {{"signal", signal}, {"source", source}}, 1);
  auto& stall = f.Gauge("tikv_exporter_write_stall_seconds",
                        "Write-stall time in the window, from the increase of tikv_engine_stall_micro_seconds or of "
                        "the RocksDB LOG's rocksdb.stall.micros (tikv_exporter_signal_source_info says which).");
  for (const auto& [db, seconds] : s.write_stall_seconds) Set(stall, {{"db", db}}, seconds);
  AddPressureSeries(s.pressure, f);
  if (!s.tikv_version.empty()) {
    Set(f.Gauge("tikv_exporter_tikv_info", "The TiKV node's version, from tikv_server_info."),
        {{"version", s.tikv_version}}, 1);
  }
  AddNodeSignalSeries(s, f);
}

}  // namespace tikv_exporter
