#include "collectors/pd/pd_metrics.h"

#include <algorithm>

namespace tikv_exporter {

void AddPdSeries(const PdData& pd, int64_t now_ms, StoreSeries store_series, Families& f) {
  Set(f.Gauge("tikv_exporter_pd_cluster_info", "The PD cluster this node belongs to and the member that answered; the value is 1."),
      {{"cluster_id", std::to_string(pd.cluster_id)}, {"endpoint", pd.endpoint}}, 1);
  auto& leader = f.Gauge("tikv_exporter_pd_member_leader", "1 for the PD member that is the leader.");
  auto& healthy = f.Gauge("tikv_exporter_pd_member_healthy", "1 when PD's /health says the member is healthy.");
  int leaders = 0;
  for (const PdMember& member : pd.members) {
    Set(leader, {{"member", member.name}}, member.leader ? 1 : 0);
    if (member.healthy) Set(healthy, {{"member", member.name}}, *member.healthy ? 1 : 0);
    leaders += member.leader;
  }
  Set(f.Gauge("tikv_exporter_pd_leader_present", "1 when PD reports a leader."), {}, leaders > 0 ? 1 : 0);

  auto& info = f.Gauge("tikv_exporter_pd_store_info",
                       "The stores whose series this sidecar serves ([collectors.pd] store_series: by default its "
                       "own, local=\"true\", and those it witnesses); the value is 1.");
  auto& state = f.Gauge("tikv_exporter_pd_store_state", "1 for the store's current state name, 0 for the others.");
  auto& size = f.Gauge("tikv_exporter_pd_store_size_bytes",
                       "Store space as PD reports it (exact over gRPC; PD's HTTP API rounds it to 4 significant digits).");
  auto& regions = f.Gauge("tikv_exporter_pd_store_regions", "Regions (peers) on the store.");
  auto& leaders_count = f.Gauge("tikv_exporter_pd_store_leaders", "Region leaders on the store.");
  auto& region_score = f.Gauge("tikv_exporter_pd_store_region_score", "PD's region balance score of the store.");
  auto& leader_score = f.Gauge("tikv_exporter_pd_store_leader_score", "PD's leader balance score of the store.");
  auto& heartbeat = f.Gauge("tikv_exporter_pd_store_heartbeat_age_seconds",
                            "Seconds since the store's last heartbeat to PD.");
  // The cluster in a handful of series, whatever its size: stores by state.
  auto& by_state = f.Gauge("tikv_exporter_pd_stores", "Stores PD knows, by state (Unknown: a state this exporter does not know).");
  for (const EnumName<StoreState>& row : kStoreStateNames) {
    Set(by_state, {{"state", std::string(row.name)}},
        static_cast<double>(std::count_if(pd.stores.begin(), pd.stores.end(),
                                          [&](const PdStore& store) { return store.state == row.value; })));
  }
  Set(f.Gauge("tikv_exporter_pd_invalid_stores",
              "Stores in PD's last /stores answer that were dropped: no id, no known state, or an id listed twice "
              "(the log names the first)."),
      {}, static_cast<double>(pd.invalid_stores));
  const std::unordered_set<uint64_t> served = StoresToServe(pd, store_series);
  Set(f.Gauge("tikv_exporter_pd_served_stores",
              "Stores whose tikv_exporter_pd_store_* series this sidecar serves ([collectors.pd] store_series)."),
      {{"store_series", std::string(NameOf(kStoreSeriesNames, store_series))}}, static_cast<double>(served.size()));
  for (const PdStore& store : pd.stores) {
    if (!served.contains(store.id)) continue;
    const std::string id = std::to_string(store.id);
    const bool local = pd.local_store_id && *pd.local_store_id == store.id;
    Set(info, {{"address", store.address}, {"engine", store.engine}, {"local", local ? "true" : "false"},
               {"status_address", store.status_address}, {"store_id", id}, {"version", store.version}},
        1);
    for (const EnumName<StoreState>& row : kStoreStateNames) {
      Set(state, {{"state", std::string(row.name)}, {"store_id", id}}, store.state == row.value ? 1 : 0);
    }
    SetIf(size, {{"store_id", id}, {"type", "capacity"}}, store.capacity_bytes);
    SetIf(size, {{"store_id", id}, {"type", "available"}}, store.available_bytes);
    SetIf(size, {{"store_id", id}, {"type", "used"}}, store.used_bytes);
    Set(regions, {{"store_id", id}}, store.region_count);
    SetIf(leaders_count, {{"store_id", id}}, store.leader_count);
    SetIf(region_score, {{"store_id", id}}, store.region_score);
    SetIf(leader_score, {{"store_id", id}}, store.leader_score);
    if (store.last_heartbeat_ns > 0) {
      // Subtract in integer milliseconds: a double near 1.7e9 s is only exact to 0.24 us.
      const int64_t age_ms = now_ms - store.last_heartbeat_ns / 1'000'000;
      Set(heartbeat, {{"store_id", id}}, age_ms > 0 ? static_cast<double>(age_ms) / 1e3 : 0);
    }
  }
  if (pd.local_store_id) {
    Set(f.Gauge("tikv_exporter_pd_local_store_id", "The id of this node's own store in PD."), {},
        static_cast<double>(*pd.local_store_id));
  }
  Set(f.Gauge("tikv_exporter_pd_local_store_matched",
              "1 when this node's own store was found in PD's store list, by method (store_id, address, this_host); "
              "0 with method=\"none\" when it was not (the log says why)."),
      {{"method", pd.local_store_match}}, pd.local_store_id ? 1 : 0);

  const PdRegionData& r = pd.regions;
  if (r.fetched_ms == 0) return;
  const std::string cached = "; cached, refreshed every " + std::to_string(r.ttl_ms / 1000) +
                             " s (region_ttl_ms), see tikv_exporter_pd_region_data_age_seconds.";
  Set(f.Gauge("tikv_exporter_pd_region_data_age_seconds",
              "Age of the cached region-level PD data (unhealthy regions, hot spots), refreshed once per region TTL."),
      {}, static_cast<double>(now_ms - r.fetched_ms) / 1e3);
  if (!r.pd_version.empty()) {
    Set(f.Gauge("tikv_exporter_pd_info", "PD's version (GET /status)" + cached), {{"version", r.pd_version}}, 1);
  }
  SetIf(f.Gauge("tikv_exporter_pd_max_replicas", "PD's replication.max-replicas" + cached), {}, r.max_replicas);
  SetIf(f.Gauge("tikv_exporter_pd_max_store_down_time_seconds",
                "PD's schedule.max-store-down-time: a store silent this long is Down" + cached),
        {}, r.max_store_down_time_seconds);
  auto& unhealthy = f.Gauge("tikv_exporter_pd_unhealthy_regions",
                            "Regions in each unhealthy state (PD /regions/check/<kind>)" + cached);
  for (const auto& [kind, count] : r.unhealthy_regions) Set(unhealthy, {{"kind", kind}}, count);
  if (!pd.local_store_id) return;
  auto& hot_regions = f.Gauge("tikv_exporter_pd_local_hot_regions",
                              "Hot regions on this node's store by kind (read, write) and role (leader, peer)" + cached);
  auto& hot_bytes = f.Gauge("tikv_exporter_pd_local_hot_flow_bytes_per_second",
                            "Flow of this node's hot regions in bytes per second" + cached);
  auto& hot_keys = f.Gauge("tikv_exporter_pd_local_hot_flow_keys_per_second",
                           "Flow of this node's hot regions in keys per second" + cached);
  for (const auto& [kind, roles] : r.hot) {
    for (const auto& [role, by_store] : roles) {
      auto it = by_store.find(*pd.local_store_id);
      PdHotStat stat = it == by_store.end() ? PdHotStat{} : it->second;
      Labels labels = {{"kind", kind}, {"role", role}};
      Set(hot_regions, labels, stat.regions);
      Set(hot_bytes, labels, stat.bytes_per_second);
      Set(hot_keys, labels, stat.keys_per_second);
    }
  }
}

}  // namespace tikv_exporter
