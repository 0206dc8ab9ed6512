#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/enum_names.h"
#include "common/limits.h"

namespace tikv_exporter {

struct PdMember {
  std::string name;
  uint64_t member_id = 0;
  std::vector<std::string> client_urls;
  std::string version;
  std::optional<bool> healthy;  // from /health; absent when /health did not answer
  bool leader = false;
};

// A store's state as PD names it; kUnknown for anything else a PD version may say.
enum class StoreState { kUp, kDisconnected, kDown, kOffline, kTombstone, kUnknown };
inline constexpr EnumName<StoreState> kStoreStateNames[] = {
    {StoreState::kUp, "Up"},           {StoreState::kDisconnected, "Disconnected"}, {StoreState::kDown, "Down"},
    {StoreState::kOffline, "Offline"}, {StoreState::kTombstone, "Tombstone"},       {StoreState::kUnknown, "Unknown"}};

struct PdStore {
  uint64_t id = 0;
  std::string address;     // TiKV's gRPC address (server.advertise-addr)
  bool address_cut = false;  // longer than PD's string bound and cut (BoundPdData): not callable
  std::string status_address;
  std::string version;
  StoreState state = StoreState::kUnknown;
  std::string engine;      // "tikv", or the value of the store's "engine" label (e.g. "tiflash")
  std::optional<double> capacity_bytes;  // PD prints sizes rounded to 4 digits
  std::optional<double> available_bytes;
  std::optional<double> used_bytes;
  double region_count = 0;
  // Leader count and balance scores come only over HTTP: no PD store RPC carries them.
  std::optional<double> leader_count;
  std::optional<double> region_score;
  std::optional<double> leader_score;
  int64_t last_heartbeat_ns = 0;  // unix nanoseconds; 0 = unknown
  // Store health, over HTTP only; each absent when PD leaves it out (all omitempty in PD's JSON).
  std::optional<double> slow_score;               // status.slow_score (PD >= 5.3)
  std::optional<double> slow_trend_cause_value;   // status.slow_trend (PD >= 6.6)
  std::optional<double> slow_trend_cause_rate;
  std::optional<double> slow_trend_result_value;
  std::optional<double> slow_trend_result_rate;
  // status.is_busy; false when PD printed the omitempty health fields (a slow_score) without it.
  std::optional<bool> busy;
};

// Hot-spot load of one store, as PD's /hotspot/regions/{read,write} sums it.
struct PdHotStat {
  double regions = 0;
  double bytes_per_second = 0;
  double keys_per_second = 0;
  double queries_per_second = 0;
};

// One service's GC safe point in PD (GET /gc/safepoint).
struct PdServiceSafePoint {
  std::string service_id;        // "gc_worker" (TiDB's GC), "ticdc-...", "br-...", ...
  int64_t expired_at_seconds = 0;  // unix seconds; INT64_MAX when it never expires
  uint64_t safe_point = 0;       // a TSO: physical milliseconds << 18
};

// PD's GC state: GC cannot pass the oldest service safe point.
struct PdGcSafePoints {
  uint64_t gc_safe_point = 0;  // a TSO; 0 = GC never ran
  std::vector<PdServiceSafePoint> services;  // the oldest kPdMaxServiceSafePoints, oldest first
  size_t services_left_out = 0;
};
constexpr size_t kPdMaxServiceSafePoints = 100;

// Region-level data is expensive on large clusters, and PD's settings rarely change: both are
// refreshed at most once per TTL.
struct PdRegionData {
  int64_t fetched_ms = 0;  // wall clock of the refresh; 0 = never
  int64_t ttl_ms = 0;      // how long it is kept before the next refresh
  std::map<std::string, double> unhealthy_regions;  // kind (miss-peer, down-peer, ...) -> count
  // "read"/"write" -> "leader"/"peer" -> store id -> stat
  std::map<std::string, std::map<std::string, std::map<uint64_t, PdHotStat>>> hot;
  std::string pd_version;                              // GET /status
  std::optional<double> max_replicas;                  // GET /config: replication.max-replicas
  std::optional<double> max_store_down_time_seconds;   // GET /config: schedule.max-store-down-time
  std::optional<PdGcSafePoints> gc;                    // GET /gc/safepoint (HTTP only)
  std::map<std::string, std::string> failed;  // path -> why it gave nothing this refresh
};

// What one poll of PD gathered.
struct PdData {
  uint64_t cluster_id = 0;
  std::string endpoint;  // the member URL that answered
  std::vector<PdMember> members;
  std::vector<PdStore> stores;
  std::optional<uint64_t> local_store_id;  // this node's store, when it could be matched
  std::string local_store_match = "none";  // how: store_id, address, this_host (local_store_match.h)
  PdRegionData regions;
  // Stores PD listed that were dropped (no id, no known state, a repeated id: BoundPdData), and
  // the first of them named ("store #2 of 3: no store id").
  size_t invalid_stores = 0;
  std::string invalid_store_example;
  std::vector<LimitNote> limit_notes;  // the bounds this poll hit while keeping its data
};

}  // namespace tikv_exporter
