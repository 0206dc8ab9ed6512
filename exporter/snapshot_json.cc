#include "exporter/snapshot_json.h"

#include "exporter/json_writer.h"

namespace tikv_exporter {
namespace {

std::optional<double> ToMs(const std::optional<double>& seconds) {
  if (!seconds) return std::nullopt;
  return *seconds * 1000.0;
}

void WriteLatencyMs(JsonWriter& json, const std::optional<double>& average,
                    const LatencyQuantiles& q) {
  json.BeginObject()
      .OptionalNumber("avg", ToMs(average))
      .OptionalNumber("p50", ToMs(q.p50))
      .OptionalNumber("p95", ToMs(q.p95))
      .OptionalNumber("p99", ToMs(q.p99))
      .EndObject();
}

void WriteByDb(JsonWriter& json, std::string_view key, const std::map<std::string, double>& by_db) {
  if (by_db.empty()) return;
  json.Key(key).BeginObject();
  for (const auto& [db, value] : by_db) json.Key(db).Number(value);
  json.EndObject();
}

}  // namespace

std::string SnapshotToJson(const Snapshot& s) {
  JsonWriter json;
  json.BeginObject();
  json.Key("timestamp_ms").Integer(s.timestamp_ms);
  json.Key("sequence").Integer(static_cast<int64_t>(s.sequence));
  json.OptionalNumber("window_seconds", s.window_seconds);
  if (!s.tikv_version.empty()) json.Key("tikv_version").String(s.tikv_version);
  json.OptionalNumber("qps", s.qps);
  if (s.qps) {
    json.Key("qps_by_type").BeginObject();
    for (const auto& [type, stats] : s.by_type) json.Key(type).Number(stats.qps);
    json.EndObject();
    json.Key("latency_ms");
    WriteLatencyMs(json, s.latency_average_seconds, s.latency_seconds);
    json.Key("latency_ms_by_type").BeginObject();
    for (const auto& [type, stats] : s.by_type) {
      if (!stats.average_seconds) continue;
      json.Key(type);
      WriteLatencyMs(json, stats.average_seconds, stats.quantiles_seconds);
    }
    json.EndObject();
  }
  const StorageSize& storage = s.storage;
  if (storage.capacity_bytes || storage.available_bytes || storage.used_bytes) {
    json.Key("storage_size")
        .BeginObject()
        .OptionalNumber("capacity_bytes", storage.capacity_bytes)
        .OptionalNumber("available_bytes", storage.available_bytes)
        .OptionalNumber("used_bytes", storage.used_bytes);
    if (!storage.used_source.empty()) json.Key("used_source").String(storage.used_source);
    json.EndObject();
  }
  json.OptionalNumber("compaction_pending_bytes", s.TotalCompactionPendingBytes());
  WriteByDb(json, "compaction_pending_bytes_by_db", s.compaction_pending_bytes);
  WriteByDb(json, "engine_size_bytes", s.engine_size_bytes);
  if (!s.block_cache_hit_ratio.empty()) {
    json.Key("block_cache_hit_ratio").BeginObject();
    for (const auto& [db, blocks] : s.block_cache_hit_ratio) {
      json.Key(db).BeginObject();
      for (const auto& [block, ratio] : blocks) json.Key(block).Number(ratio);
      json.EndObject();
    }
    json.EndObject();
  }
  WriteByDb(json, "bloom_filter_useful_ratio", s.bloom_filter_useful_ratio);
  WriteByDb(json, "write_stall_seconds", s.write_stall_seconds);
  if (!s.signal_sources.empty()) {
    json.Key("signal_sources").BeginObject();
    for (const auto& [signal, source] : s.signal_sources) json.Key(signal).String(source);
    json.EndObject();
  }
  json.Key("sources").BeginObject();
  for (const auto& [name, health] : s.sources) {
    json.Key(name).BeginObject().Key("up").Bool(health.up);
    json.Key("enabled").Bool(health.enabled);
    json.Key("last_success_ms").Integer(health.last_success_ms);
    json.Key("last_error").String(health.last_error);
    json.EndObject();
  }
  json.EndObject();
  json.EndObject();
  return json.str();
}

}  // namespace tikv_exporter

namespace tikv_exporter {

std::string SnapshotsToJson(const std::vector<std::shared_ptr<const Snapshot>>& snapshots) {
  std::string out = "{\"snapshots\":[";
  for (size_t i = 0; i < snapshots.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += SnapshotToJson(*snapshots[i]);
  }
  return out + "]}";
}

}  // namespace tikv_exporter
