#include "exporter/snapshot_proto.h"

#include "tikv_exporter.pb.h"  // generated from proto/tikv_exporter.proto

namespace tikv_exporter {
namespace {

void LatencyToProto(const std::optional<double>& average, const LatencyQuantiles& q, v1::Latency* out) {
  if (average) out->set_avg(*average * 1000);
  if (q.p50) out->set_p50(*q.p50 * 1000);
  if (q.p95) out->set_p95(*q.p95 * 1000);
  if (q.p99) out->set_p99(*q.p99 * 1000);
}

}  // namespace

void SnapshotToProto(const Snapshot& s, v1::Snapshot* out) {
  out->set_timestamp_ms(s.timestamp_ms);
  out->set_sequence(s.sequence);
  if (s.window_seconds) out->set_window_seconds(*s.window_seconds);
  if (s.qps) {
    out->set_qps(*s.qps);
    LatencyToProto(s.latency_average_seconds, s.latency_seconds, out->mutable_latency_ms());
  }
  for (const auto& [type, stats] : s.by_type) {
    (*out->mutable_qps_by_type())[type] = stats.qps;
    if (stats.average_seconds) {
      LatencyToProto(stats.average_seconds, stats.quantiles_seconds, &(*out->mutable_latency_ms_by_type())[type]);
    }
  }
  v1::StorageSize* storage = out->mutable_storage_size();
  if (s.storage.capacity_bytes) storage->set_capacity_bytes(*s.storage.capacity_bytes);
  if (s.storage.available_bytes) storage->set_available_bytes(*s.storage.available_bytes);
  if (s.storage.used_bytes) storage->set_used_bytes(*s.storage.used_bytes);
  storage->set_used_source(s.storage.used_source);
  if (auto pending = s.TotalCompactionPendingBytes()) out->set_compaction_pending_bytes(*pending);
  out->mutable_compaction_pending_bytes_by_db()->insert(s.compaction_pending_bytes.begin(),
                                                        s.compaction_pending_bytes.end());
  out->mutable_engine_size_bytes()->insert(s.engine_size_bytes.begin(), s.engine_size_bytes.end());
  for (const auto& [db, blocks] : s.block_cache_hit_ratio) {
    (*out->mutable_block_cache_hit_ratio())[db].mutable_by_block()->insert(blocks.begin(), blocks.end());
  }
  out->mutable_bloom_filter_useful_ratio()->insert(s.bloom_filter_useful_ratio.begin(),
                                                   s.bloom_filter_useful_ratio.end());
  out->mutable_write_stall_seconds()->insert(s.write_stall_seconds.begin(), s.write_stall_seconds.end());
  out->mutable_signal_sources()->insert(s.signal_sources.begin(), s.signal_sources.end());
  out->set_tikv_version(s.tikv_version);
  for (const auto& [name, health] : s.sources) {
    v1::SourceHealth& h = (*out->mutable_sources())[name];
    h.set_up(health.up);
    h.set_enabled(health.enabled);
    h.set_last_success_ms(health.last_success_ms);
    h.set_last_error(health.last_error);
  }
}

}  // namespace tikv_exporter
