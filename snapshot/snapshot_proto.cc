#include "snapshot/snapshot_proto.h"

#include "common/utf8.h"
#include "tikv_exporter.pb.h"  // generated from proto/tikv_exporter.proto

namespace tikv_exporter {
namespace {

// Protobuf `string` fields (map keys included) must be UTF-8, or a client's parse of the whole
// message fails; the snapshot's strings come from TiKV's labels, the RocksDB LOG and error
// messages, so every one is made valid here. Two keys that differ only in invalid bytes collapse
// into one (the first is kept), as they would once decoded.
template <typename Value>
void CopyMap(const std::map<std::string, Value>& from, google::protobuf::Map<std::string, Value>* to) {
  for (const auto& [key, value] : from) to->insert({ToValidUtf8(key), value});
}

void LatencyToProto(const std::optional<double>& average, const LatencyQuantiles& q, v1::Latency* out) {
  if (average) out->set_avg(*average * 1000);
  if (q.p50) out->set_p50(*q.p50 * 1000);
  if (q.p95) out->set_p95(*q.p95 * 1000);
  if (q.p99) out->set_p99(*q.p99 * 1000);
}

void PressureToProto(const PressureSignals& p, v1::Snapshot* out) {
  CopyMap(p.raft_write_p99_seconds, out->mutable_raft_write_p99_seconds());
  if (p.scheduler_latch_wait_p99_seconds) {
    out->set_scheduler_latch_wait_p99_seconds(*p.scheduler_latch_wait_p99_seconds);
  }
  CopyMap(p.busy_rejections_per_second, out->mutable_busy_rejections_per_second());
  if (p.flow_control_discard_ratio) out->set_flow_control_discard_ratio(*p.flow_control_discard_ratio);
  if (p.grpc_failure_ratio) out->set_grpc_failure_ratio(*p.grpc_failure_ratio);
  if (p.critical_errors) out->set_critical_errors(*p.critical_errors);
  if (p.tikv_start_time_seconds) out->set_tikv_start_time_seconds(*p.tikv_start_time_seconds);
  if (p.tikv_restarts) out->set_tikv_restarts(*p.tikv_restarts);
  if (p.cpu_cores_quota) out->set_cpu_cores_quota(*p.cpu_cores_quota);
  for (const auto& [pool, cpu] : p.thread_pools) {
    v1::ThreadPoolCpu& entry = (*out->mutable_thread_pool_cpu())[ToValidUtf8(pool)];
    entry.set_cpu_seconds_per_second(cpu.cpu_seconds_per_second);
    entry.set_threads(static_cast<uint32_t>(cpu.threads));
    if (auto share = cpu.ShareOfThreads()) entry.set_share_of_threads(*share);
  }
}

void NodeSignalsToProto(const Snapshot& s, v1::Snapshot* out) {
  if (s.disk_headroom) {
    v1::DiskHeadroom* disk = out->mutable_disk_headroom();
    disk->set_reserve_bytes(s.disk_headroom->reserve_bytes);
    disk->set_state(s.disk_headroom->state);
    disk->set_bytes_before_write_refusal(s.disk_headroom->bytes_before_write_refusal);
  }
  const SlowStore& slow = s.slow_store;
  if (!slow.empty()) {
    v1::SlowStore* out_slow = out->mutable_slow_store();
    CopyMap(slow.tikv_score, out_slow->mutable_tikv_score());
    if (slow.pd_score) out_slow->set_pd_score(*slow.pd_score);
    if (slow.pd_trend_cause_value) out_slow->set_pd_trend_cause_value(*slow.pd_trend_cause_value);
    if (slow.pd_trend_cause_rate) out_slow->set_pd_trend_cause_rate(*slow.pd_trend_cause_rate);
    if (slow.pd_trend_result_value) out_slow->set_pd_trend_result_value(*slow.pd_trend_result_value);
    if (slow.pd_trend_result_rate) out_slow->set_pd_trend_result_rate(*slow.pd_trend_result_rate);
    if (slow.pd_busy) out_slow->set_pd_busy(*slow.pd_busy);
  }
  if (s.gc_safe_point_lag_seconds) out->set_gc_safe_point_lag_seconds(*s.gc_safe_point_lag_seconds);
  if (s.min_resolved_ts_gap_seconds) out->set_min_resolved_ts_gap_seconds(*s.min_resolved_ts_gap_seconds);
  if (s.tikv_ready) out->set_tikv_ready(*s.tikv_ready);
  if (s.pd_gc) {
    v1::PdGcLag* gc = out->mutable_pd_gc();
    if (s.pd_gc->lag_seconds) gc->set_lag_seconds(*s.pd_gc->lag_seconds);
    gc->set_invalid(ToValidUtf8(s.pd_gc->invalid));
    gc->set_oldest_service(ToValidUtf8(s.pd_gc->oldest_service));
    gc->set_oldest_service_lag_seconds(s.pd_gc->oldest_service_lag_seconds);
    if (s.pd_gc->oldest_service_expires_in_seconds) {
      gc->set_oldest_service_expires_in_seconds(*s.pd_gc->oldest_service_expires_in_seconds);
    }
  }
  if (s.pd_store_state) out->set_pd_store_state(std::string(NameOf(kStoreStateNames, *s.pd_store_state)));
}

}  // namespace

void SnapshotToProto(const Snapshot& s, v1::Snapshot* out) {
  out->set_timestamp_ms(s.timestamp_ms);
  out->set_sequence(s.sequence);
  if (s.window_seconds) out->set_window_seconds(*s.window_seconds);
  // Rates exist only from the second poll on; per-type figures go with them.
  if (s.qps) {
    out->set_qps(*s.qps);
    LatencyToProto(s.latency_average_seconds, s.latency_seconds, out->mutable_latency_ms());
    for (const auto& [raw_type, stats] : s.by_type) {
      const std::string type = ToValidUtf8(raw_type);
      out->mutable_qps_by_type()->insert({type, stats.qps});
      if (stats.average_seconds && !out->latency_ms_by_type().contains(type)) {
        LatencyToProto(stats.average_seconds, stats.quantiles_seconds, &(*out->mutable_latency_ms_by_type())[type]);
      }
    }
  }
  if (s.storage.capacity_bytes || s.storage.available_bytes || s.storage.used_bytes) {
    v1::StorageSize* storage = out->mutable_storage_size();
    if (s.storage.capacity_bytes) storage->set_capacity_bytes(*s.storage.capacity_bytes);
    if (s.storage.available_bytes) storage->set_available_bytes(*s.storage.available_bytes);
    if (s.storage.used_bytes) storage->set_used_bytes(*s.storage.used_bytes);
    if (!s.storage.used_source.empty()) storage->set_used_source(ToValidUtf8(s.storage.used_source));
  }
  if (auto pending = s.TotalCompactionPendingBytes()) out->set_compaction_pending_bytes(*pending);
  CopyMap(s.compaction_pending_bytes, out->mutable_compaction_pending_bytes_by_db());
  CopyMap(s.engine_size_bytes, out->mutable_engine_size_bytes());
  for (const auto& [db, blocks] : s.block_cache_hit_ratio) {
    CopyMap(blocks, (*out->mutable_block_cache_hit_ratio())[ToValidUtf8(db)].mutable_by_block());
  }
  CopyMap(s.bloom_filter_useful_ratio, out->mutable_bloom_filter_useful_ratio());
  CopyMap(s.write_stall_seconds, out->mutable_write_stall_seconds());
  for (const auto& [signal, source] : s.signal_sources) {
    out->mutable_signal_sources()->insert({ToValidUtf8(signal), ToValidUtf8(source)});
  }
  PressureToProto(s.pressure, out);
  if (!s.tikv_version.empty()) out->set_tikv_version(ToValidUtf8(s.tikv_version));
  for (const auto& [source, health] : s.sources) {
    v1::SourceHealth& h = (*out->mutable_sources())[std::string(SourceName(source))];
    h.set_up(health.up);
    h.set_enabled(health.enabled);
    h.set_last_success_ms(health.last_success_ms);
    h.set_last_error(ToValidUtf8(health.last_error));
  }
  NodeSignalsToProto(s, out);
  if (!s.health.checks.empty()) HealthToProto(s, out->mutable_health());
}

void HealthToProto(const Snapshot& s, v1::Health* out) {
  if (s.health.checks.empty()) {
    out->set_level("unknown");
    out->add_reasons("no poll has finished yet");
    return;
  }
  const std::vector<HealthCheck> evaluated = s.health.Evaluated();
  for (HealthCheck check : evaluated) out->add_evaluated(std::string(NameOf(kHealthCheckNames, check)));
  if (evaluated.empty()) {
    out->set_level("unknown");
    out->add_reasons("no checks evaluated: every check lacks its inputs or is disabled");
  } else {
    out->set_level(std::string(NameOf(kHealthLevelNames, s.health.level)));
  }
  for (const std::string& reason : s.health.Reasons()) out->add_reasons(ToValidUtf8(reason));
  for (const HealthCheckResult& check : s.health.checks) {
    v1::HealthCheck* entry = out->add_checks();
    entry->set_name(std::string(NameOf(kHealthCheckNames, check.check)));
    entry->set_level(check.level ? std::string(NameOf(kHealthLevelNames, *check.level)) : "no_data");
    entry->set_reason(ToValidUtf8(check.reason));
    if (check.value) entry->set_value(*check.value);
    if (check.warning_threshold) entry->set_warning_threshold(*check.warning_threshold);
    if (check.critical_threshold) entry->set_critical_threshold(*check.critical_threshold);
  }
}

}  // namespace tikv_exporter
