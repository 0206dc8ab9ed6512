#include "web/cluster_json.h"

#include <algorithm>
#include <vector>

#include "snapshot/json_writer.h"

namespace tikv_exporter {
namespace {

constexpr size_t kMaxLevelRows = 16;  // L0-L6 and Sum in every RocksDB; a hostile LOG may print more

void WriteStore(const PdStore& store, bool local, JsonWriter& json) {
  json.BeginObject();
  json.Key("id").Integer(static_cast<int64_t>(store.id));
  json.Key("address").String(store.address);
  json.Key("status_address").String(store.status_address);
  json.Key("version").String(store.version);
  json.Key("state").String(NameOf(kStoreStateNames, store.state));
  json.Key("engine").String(store.engine);
  json.Key("local").Bool(local);
  json.OptionalNumber("capacity_bytes", store.capacity_bytes);
  json.OptionalNumber("available_bytes", store.available_bytes);
  json.OptionalNumber("used_bytes", store.used_bytes);
  if (store.capacity_bytes && store.available_bytes && *store.capacity_bytes > 0) {
    // What fills the disk, whoever wrote it: the share TiKV's disk-full protection looks at.
    json.Key("used_ratio").Number(std::clamp(1 - *store.available_bytes / *store.capacity_bytes, 0.0, 1.0));
  }
  json.Key("region_count").Number(store.region_count);
  json.OptionalNumber("leader_count", store.leader_count);
  json.OptionalNumber("slow_score", store.slow_score);
  if (store.busy) json.Key("busy").Bool(*store.busy);
  if (store.last_heartbeat_ns > 0) json.Key("last_heartbeat_ms").Integer(store.last_heartbeat_ns / 1'000'000);
  json.EndObject();
}

}  // namespace

std::string ClusterJson(const PdData& pd, size_t max_stores) {
  std::vector<const PdStore*> stores;
  stores.reserve(pd.stores.size());
  for (const PdStore& store : pd.stores) stores.push_back(&store);
  auto is_local = [&](const PdStore* store) { return pd.local_store_id && store->id == *pd.local_store_id; };
  std::sort(stores.begin(), stores.end(), [&](const PdStore* a, const PdStore* b) {
    return is_local(a) != is_local(b) ? is_local(a) : a->id < b->id;
  });
  const size_t listed = std::min(stores.size(), max_stores);
  JsonWriter json;
  json.BeginObject();
  json.Key("cluster_id").String(std::to_string(pd.cluster_id));  // 64 bits: too wide for a JS number
  json.Key("pd_endpoint").String(pd.endpoint);
  if (pd.local_store_id) json.Key("local_store_id").Integer(static_cast<int64_t>(*pd.local_store_id));
  json.Key("local_store_match").String(pd.local_store_match);
  json.Key("stores_total").Integer(static_cast<int64_t>(stores.size()));
  json.Key("stores_left_out").Integer(static_cast<int64_t>(stores.size() - listed));
  json.Key("stores").BeginArray();
  for (size_t i = 0; i < listed; ++i) WriteStore(*stores[i], is_local(stores[i]), json);
  json.EndArray();
  json.EndObject();
  return json.str();
}

std::string RocksDbLevelsJson(const RocksDbLogData& log, size_t max_cfs) {
  if (!log.latest) return "";
  JsonWriter json;
  json.BeginObject();
  json.Key("source").String(std::string(RocksDbSourceName(log.source)));
  // Where it read them: the debug service's URL (configured, or PD's address of this store).
  if (log.source == RocksDbSource::kDebugService) json.Key("address").String(log.address);
  json.Key("read_ms").Integer(log.latest_read_ms);
  json.Key("dumps").Integer(static_cast<int64_t>(log.dumps));
  json.OptionalNumber("uptime_seconds", log.latest->db.uptime_seconds);
  json.Key("cfs_left_out").Integer(
      static_cast<int64_t>(log.latest->levels.size() - std::min(log.latest->levels.size(), max_cfs)));
  json.Key("column_families").BeginArray();
  size_t cfs = 0;
  for (const auto& [cf, levels] : log.latest->levels) {
    if (cfs++ == max_cfs) break;
    json.BeginObject();
    json.Key("name").String(cf);
    json.Key("levels").BeginArray();
    size_t rows = 0;
    for (const RocksDbLevelStats& level : levels) {
      if (level.level == "Int") continue;  // the interval's work, not the state of the levels
      if (rows++ == kMaxLevelRows) break;
      json.BeginObject();
      json.Key("level").String(level.level);
      json.Key("files").Number(level.files);
      json.Key("files_compacting").Number(level.files_compacting);
      json.Key("size_bytes").Number(level.size_bytes);
      json.OptionalNumber("score", level.score);
      json.EndObject();
    }
    json.EndArray();
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return json.str();
}

}  // namespace tikv_exporter
