#include "collectors/pd/pd_json.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cmath>
#include <string>
#include <utility>

#include "collectors/flat_json.h"
#include "collectors/json_repair.h"
#include "collectors/json_shape.h"
#include "collectors/pd/pd_bounds.h"
#include "common/units.h"
#include "common/utf8.h"
#include "pd/pd_http.pb.h"  // generated from collectors/pd/pd_http.proto

namespace tikv_exporter {
namespace {

// Stores and members are bounded before protobuf allocates a message for each (pd_bounds.h keeps
// the same bounds on what gRPC brings); every body's nesting is bounded (json_shape.h).
JsonShapeLimits ShapeLimits(std::string_view what) {
  JsonShapeLimits limits;
  if (what == "/stores") {
    limits.max_array_elements = kPdMaxStores;
    limits.array_limit = Limit::kPdStores;
  } else if (what == "/members" || what == "/health") {
    limits.max_array_elements = kPdMaxMembers;
    limits.array_limit = Limit::kPdMembers;
  }
  return limits;
}

template <typename Message>
Status ParseJson(std::string_view body, std::string_view what, Message* message) {
  if (Status shape = CheckJsonShape(body, ShapeLimits(what), "PD " + std::string(what)); !shape.ok()) return shape;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  std::string repaired;
  const std::string_view json = RepairJsonUtf8(body, &repaired);
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message, options);
  if (!status.ok()) {
    // protobuf quotes the body around the error, possibly cutting a character in two.
    return Status::Malformed("PD " + std::string(what) + ": malformed JSON: " +
                         ToValidUtf8(std::string_view(status.message().data(), status.message().size())));
  }
  return Status::Ok();
}

PdMember ToMember(const pdhttp::Member& m) {
  PdMember member;
  member.name = m.name();
  member.member_id = m.member_id();
  member.client_urls.assign(m.client_urls().begin(), m.client_urls().end());
  member.version = m.binary_version();
  return member;
}

std::optional<double> SizeOrNothing(const std::string& text) {
  if (text.empty()) return std::nullopt;
  StatusOr<double> bytes = ParsePdSize(text);
  return bytes.ok() ? std::optional<double>(*bytes) : std::nullopt;
}

void AddStoreHealth(const pdhttp::StoreStatus& status, PdStore* store) {
  if (status.has_slow_score()) store->slow_score = status.slow_score();
  if (status.has_slow_trend()) {
    const pdhttp::SlowTrend& trend = status.slow_trend();
    if (trend.has_cause_value()) store->slow_trend_cause_value = trend.cause_value();
    if (trend.has_cause_rate()) store->slow_trend_cause_rate = trend.cause_rate();
    if (trend.has_result_value()) store->slow_trend_result_value = trend.result_value();
    if (trend.has_result_rate()) store->slow_trend_result_rate = trend.result_rate();
  }
  if (status.has_is_busy()) {
    store->busy = status.is_busy();
  } else if (status.has_slow_score()) {
    store->busy = false;  // a PD that prints the omitempty health fields omits is_busy when false
  }
}

PdStore ToStore(const pdhttp::StoreInfo& info) {
  const pdhttp::StoreMeta& meta = info.store();
  const pdhttp::StoreStatus& status = info.status();
  PdStore store;
  store.id = meta.id();
  store.address = meta.address();
  store.status_address = meta.status_address();
  store.version = meta.version();
  if (!meta.state_name().empty()) {
    store.state = ParseEnum(kStoreStateNames, meta.state_name()).value_or(StoreState::kUnknown);
  } else {  // PD before state_name: the numeric metapb state
    constexpr StoreState kStates[] = {StoreState::kUp, StoreState::kOffline, StoreState::kTombstone};
    store.state = meta.state() >= 0 && meta.state() < 3 ? kStates[meta.state()] : StoreState::kUnknown;
  }
  store.engine = "tikv";
  for (const pdhttp::StoreLabel& label : meta.labels()) {
    if (label.key() == "engine") store.engine = label.value();
  }
  store.capacity_bytes = SizeOrNothing(status.capacity());
  store.available_bytes = SizeOrNothing(status.available());
  store.used_bytes = SizeOrNothing(status.used_size());
  store.region_count = static_cast<double>(status.region_count());
  store.leader_count = static_cast<double>(status.leader_count());
  store.region_score = status.region_score();
  store.leader_score = status.leader_score();
  store.last_heartbeat_ns = meta.last_heartbeat();
  AddStoreHealth(status, &store);
  return store;
}

PdHotStat ToHotStat(const pdhttp::HotPeersStat& stat) {
  return {static_cast<double>(stat.regions_count()), stat.total_flow_bytes(), stat.total_flow_keys(),
          stat.total_flow_query()};
}

}  // namespace

StatusOr<PdData> ParsePdMembers(std::string_view json) {
  pdhttp::Members members;
  if (Status s = ParseJson(json, "/members", &members); !s.ok()) return s;
  if (members.members_size() == 0) return Status::Malformed("PD /members: no members in the body");
  PdData data;
  data.cluster_id = members.header().cluster_id();
  for (const pdhttp::Member& m : members.members()) {
    PdMember member = ToMember(m);
    member.leader = members.has_leader() && m.member_id() == members.leader().member_id();
    data.members.push_back(std::move(member));
  }
  return data;
}

StatusOr<std::vector<PdMember>> ParsePdHealth(std::string_view json) {
  size_t start = json.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || json[start] != '[') {
    return Status::Malformed("PD /health: expected a JSON array of members");
  }
  pdhttp::Health health;
  const std::string wrapped = "{\"members\":" + std::string(json) + "}";
  if (Status s = ParseJson(wrapped, "/health", &health); !s.ok()) return s;
  std::vector<PdMember> members;
  for (const pdhttp::Member& m : health.members()) {
    PdMember member = ToMember(m);
    member.healthy = m.health();
    members.push_back(std::move(member));
  }
  return members;
}

StatusOr<std::vector<PdStore>> ParsePdStores(std::string_view json) {
  std::vector<PdStore> stores;
  pdhttp::Stores list;
  if (Status s = ParseJson(json, "/stores", &list); !s.ok()) return s;
  if (list.stores_size() > 0 || json.find("\"stores\"") != std::string_view::npos) {
    // PD prints count = len(stores): another count means a body cut short or not PD's.
    if (list.has_count() && list.count() != list.stores_size()) {
      return Status::Malformed("PD /stores: \"count\" is " + std::to_string(list.count()) + " but the body lists " +
                           std::to_string(list.stores_size()) + " stores");
    }
    for (const pdhttp::StoreInfo& info : list.stores()) stores.push_back(ToStore(info));
    return stores;
  }
  pdhttp::StoreInfo single;
  if (Status s = ParseJson(json, "/store", &single); !s.ok()) return s;
  if (!single.has_store()) return Status::Malformed("PD /stores: no \"stores\" and no \"store\" in the body");
  stores.push_back(ToStore(single));
  return stores;
}

StatusOr<double> ParsePdRegionCount(std::string_view json) {
  pdhttp::RegionsCount count;
  if (Status s = ParseJson(json, "/regions/check", &count); !s.ok()) return s;
  return static_cast<double>(count.count());
}

StatusOr<std::map<std::string, std::map<uint64_t, PdHotStat>>> ParsePdHotspot(std::string_view json) {
  pdhttp::Hotspot hotspot;
  if (Status s = ParseJson(json, "/hotspot/regions", &hotspot); !s.ok()) return s;
  std::map<std::string, std::map<uint64_t, PdHotStat>> by_role;
  for (const auto& [store, stat] : hotspot.as_leader()) by_role["leader"][store] = ToHotStat(stat);
  for (const auto& [store, stat] : hotspot.as_peer()) by_role["peer"][store] = ToHotStat(stat);
  return by_role;
}

StatusOr<PdMember> ParsePdLeader(std::string_view json) {
  pdhttp::Member leader;
  if (Status s = ParseJson(json, "/leader", &leader); !s.ok()) return s;
  if (leader.member_id() == 0) return Status::Malformed("PD /leader: no member in the body");
  PdMember member = ToMember(leader);
  member.leader = true;
  return member;
}

StatusOr<uint64_t> ParsePdClusterId(std::string_view json) {
  pdhttp::Cluster cluster;
  if (Status s = ParseJson(json, "/cluster", &cluster); !s.ok()) return s;
  if (cluster.id() == 0) return Status::Malformed("PD /cluster: no cluster id in the body");
  return cluster.id();
}

StatusOr<std::string> ParsePdVersion(std::string_view json) {
  pdhttp::PdStatus status;
  if (Status s = ParseJson(json, "/status", &status); !s.ok()) return s;
  if (status.version().empty()) return Status::Malformed("PD /status: no version in the body");
  return status.version();
}

Status ParsePdConfig(std::string_view json, PdRegionData* out) {
  StatusOr<FlatJson> config = FlattenJson(json, "PD /config");
  if (!config.ok()) return config.status();
  // /config nests them; /config/replicate is the replication section alone.
  for (const char* key : {"replication.max-replicas", "max-replicas"}) {
    if (auto it = config->find(key); it != config->end()) out->max_replicas = std::strtod(it->second.c_str(), nullptr);
  }
  if (auto it = config->find("schedule.max-store-down-time"); it != config->end()) {
    if (StatusOr<double> seconds = ParseDurationSeconds(it->second); seconds.ok()) {
      out->max_store_down_time_seconds = *seconds;
    }
  }
  return Status::Ok();
}

StatusOr<PdGcSafePoints> ParsePdGcSafePoints(std::string_view json) {
  pdhttp::GcSafePoints body;
  if (Status s = ParseJson(json, "/gc/safepoint", &body); !s.ok()) return s;
  PdGcSafePoints out;
  out.gc_safe_point = body.gc_safe_point();
  for (const pdhttp::ServiceSafePoint& service : body.service_gc_safe_points()) {
    // A service id becomes a label value: bounded (ids are short: "gc_worker", "ticdc-default-...").
    constexpr size_t kMaxServiceIdBytes = 256;
    out.services.push_back({ToValidUtf8(std::string_view(service.service_id()).substr(0, kMaxServiceIdBytes)),
                            service.expired_at(), service.safe_point()});
  }
  std::sort(out.services.begin(), out.services.end(),
            [](const PdServiceSafePoint& a, const PdServiceSafePoint& b) { return a.safe_point < b.safe_point; });
  if (out.services.size() > kPdMaxServiceSafePoints) {
    out.services_left_out = out.services.size() - kPdMaxServiceSafePoints;
    out.services.resize(kPdMaxServiceSafePoints);
  }
  return out;
}

StatusOr<double> ParsePdSize(std::string_view text) {
  if (std::optional<double> bytes = ParseBinarySize(text)) return *bytes;
  return Status::Malformed("\"" + std::string(text) + "\" is not a PD size");
}

}  // namespace tikv_exporter
