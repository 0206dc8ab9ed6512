#include "exporter/metrics_renderer.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "collectors/exposition_writer.h"
#include "collectors/snapshot.h"

namespace tikv_exporter {
namespace {

using Labels = std::vector<Label>;

constexpr std::array<std::string_view, 8> kKnownPaths = {
    "/", "/metrics", "/-/healthy", "/-/ready", "/-/reload", "/api/v1/snapshot", "/api/v1/snapshots", "/api/v1/targets"};

// Builds the exporter's exposition; a family left without samples is not written.
class Families {
 public:
  MetricFamily& Gauge(std::string_view name, std::string help) {
    return Add(name, std::move(help), MetricType::kGauge);
  }
  MetricFamily& Counter(std::string_view name, std::string help) {
    return Add(name, std::move(help), MetricType::kCounter);
  }
  // Quantiles of the window only (no _sum/_count): a summary, because promtool rejects a
  // "quantile" label on a gauge. Names and labels are those of METRICS.md.
  MetricFamily& Quantiles(std::string_view name, std::string help) {
    return Add(name, std::move(help), MetricType::kSummary);
  }
  const Exposition& exposition() const { return exposition_; }

 private:
  MetricFamily& Add(std::string_view name, std::string help, MetricType type) {
    MetricFamily& family = exposition_.FindOrAdd(name);
    family.type = type;
    family.help = std::move(help);
    return family;
  }
  Exposition exposition_;
};

void Set(MetricFamily& family, Labels labels, double value) {
  family.samples.push_back(Sample{family.name, std::move(labels), value, std::nullopt});
}

void SetIf(MetricFamily& family, Labels labels, const std::optional<double>& value) {
  if (value) Set(family, std::move(labels), *value);
}

void SetQuantiles(MetricFamily& family, const Labels& base, const LatencyQuantiles& q) {
  const std::pair<const char*, const std::optional<double>*> quantiles[] = {
      {"0.5", &q.p50}, {"0.95", &q.p95}, {"0.99", &q.p99}};
  for (const auto& [name, value] : quantiles) {
    Labels labels = base;
    labels.push_back({"quantile", name});
    SetIf(family, std::move(labels), *value);
  }
}

void AddSnapshot(const Snapshot& s, bool tikv_up, Families& f) {
  auto& up = f.Gauge("tikv_exporter_up", "1 when the last poll of the source succeeded, 0 when it failed.");
  for (const auto& [source, health] : s.sources) {
    if (health.enabled) Set(up, {{"source", source}}, health.up ? 1 : 0);
  }
  if (s.timestamp_ms > 0) {
    Set(f.Gauge("tikv_exporter_snapshot_timestamp_seconds",
                "Unix time of the latest poll that produced the snapshot."),
        {}, static_cast<double>(s.timestamp_ms) / 1000.0);
  }
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
                          "The store's space by type (capacity, available, used) as TiKV reports it.");
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
                        "Prefix seeks a bloom filter saved / prefix seeks checked over the window.");
  for (const auto& [db, ratio] : s.bloom_filter_useful_ratio) Set(bloom, {{"db", db}}, ratio);
  auto& sources = f.Gauge("tikv_exporter_signal_source_info",
                          "Where a snapshot signal came from: tikv (/metrics) or rocksdb_log (the kv RocksDB LOG's stats dumps).");
  for (const auto& [signal, source] : s.signal_sources) Set(sources, {{"signal", signal}, {"source", source}}, 1);
  auto& stall = f.Gauge("tikv_exporter_write_stall_seconds",
                        "Write-stall time in the window, from the increase of tikv_engine_stall_micro_seconds.");
  for (const auto& [db, seconds] : s.write_stall_seconds) Set(stall, {{"db", db}}, seconds);
  if (!s.tikv_version.empty()) {
    Set(f.Gauge("tikv_exporter_tikv_info", "The TiKV node's version, from tikv_server_info."),
        {{"version", s.tikv_version}}, 1);
  }
}

void AddPd(const PdData& pd, int64_t now_ms, bool local_store_series_only, Families& f) {
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
                       "Each store PD knows (local=\"true\" for this node's own); the value is 1.");
  auto& state = f.Gauge("tikv_exporter_pd_store_state", "1 for the store's current state name, 0 for the others.");
  auto& size = f.Gauge("tikv_exporter_pd_store_size_bytes",
                       "Store space as PD reports it (rounded by PD to 4 significant digits).");
  auto& regions = f.Gauge("tikv_exporter_pd_store_regions", "Regions (peers) on the store.");
  auto& leaders_count = f.Gauge("tikv_exporter_pd_store_leaders", "Region leaders on the store.");
  auto& region_score = f.Gauge("tikv_exporter_pd_store_region_score", "PD's region balance score of the store.");
  auto& leader_score = f.Gauge("tikv_exporter_pd_store_leader_score", "PD's leader balance score of the store.");
  auto& heartbeat = f.Gauge("tikv_exporter_pd_store_heartbeat_age_seconds",
                            "Seconds since the store's last heartbeat to PD.");
  constexpr const char* kStates[] = {"Up", "Disconnected", "Down", "Offline", "Tombstone"};
  // The cluster in a handful of series, whatever its size: stores by state.
  auto& by_state = f.Gauge("tikv_exporter_pd_stores", "Stores PD knows, by state.");
  for (const char* name : kStates) {
    Set(by_state, {{"state", name}},
        static_cast<double>(std::count_if(pd.stores.begin(), pd.stores.end(),
                                          [&](const PdStore& store) { return store.state_name == name; })));
  }
  for (const PdStore& store : pd.stores) {
    const std::string id = std::to_string(store.id);
    const bool local = pd.local_store_id && *pd.local_store_id == store.id;
    if (local_store_series_only && !local) continue;
    Set(info, {{"address", store.address}, {"engine", store.engine}, {"local", local ? "true" : "false"},
               {"status_address", store.status_address}, {"store_id", id}, {"version", store.version}},
        1);
    for (const char* name : kStates) Set(state, {{"state", name}, {"store_id", id}}, store.state_name == name ? 1 : 0);
    SetIf(size, {{"store_id", id}, {"type", "capacity"}}, store.capacity_bytes);
    SetIf(size, {{"store_id", id}, {"type", "available"}}, store.available_bytes);
    SetIf(size, {{"store_id", id}, {"type", "used"}}, store.used_bytes);
    Set(regions, {{"store_id", id}}, store.region_count);
    SetIf(leaders_count, {{"store_id", id}}, store.leader_count);
    SetIf(region_score, {{"store_id", id}}, store.region_score);
    SetIf(leader_score, {{"store_id", id}}, store.leader_score);
    if (store.last_heartbeat_ns > 0) {
      const double age = static_cast<double>(now_ms) / 1e3 - static_cast<double>(store.last_heartbeat_ns / 1'000'000) / 1e3;
      Set(heartbeat, {{"store_id", id}}, age > 0 ? age : 0);
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

void AddRocksDb(const RocksDbLogData& log, Families& f) {
  Set(f.Counter("tikv_exporter_rocksdb_dumps_total", "Complete stats dumps read from the RocksDB LOG since start."),
      {}, static_cast<double>(log.dumps));
  auto& warnings = f.Counter("tikv_exporter_rocksdb_log_stall_warnings_total",
                             "LOG records announcing write stalls since start (kind=slowdown: \"Stalling writes\", stop: \"Stopping writes\").");
  Set(warnings, {{"kind", "slowdown"}}, static_cast<double>(log.stall_warnings));
  Set(warnings, {{"kind", "stop"}}, static_cast<double>(log.stop_warnings));
  if (!log.latest) return;
  const RocksDbStats& d = *log.latest;
  Set(f.Gauge("tikv_exporter_rocksdb_last_dump_timestamp_seconds",
              "Unix time the latest stats dump was read from the LOG; RocksDB dumps every stats-dump-period (TiKV: 10 min)."),
      {}, static_cast<double>(log.latest_read_ms) / 1e3);
  Set(f.Gauge("tikv_exporter_rocksdb_log_unknown_lines", "Lines of the latest dump no rule recognised (skipped)."), {},
      static_cast<double>(d.unknown_lines));
  SetIf(f.Gauge("tikv_exporter_rocksdb_uptime_seconds", "RocksDB's uptime at the latest dump."), {}, d.db.uptime_seconds);
  SetIf(f.Counter("tikv_exporter_rocksdb_writes_total", "Write batches since the DB opened (DB Stats)."), {}, d.db.writes);
  SetIf(f.Counter("tikv_exporter_rocksdb_keys_written_total", "Keys written since the DB opened (DB Stats)."), {},
        d.db.keys_written);
  SetIf(f.Counter("tikv_exporter_rocksdb_wal_writes_total", "WAL writes since the DB opened."), {}, d.db.wal_writes);
  SetIf(f.Counter("tikv_exporter_rocksdb_wal_syncs_total", "WAL syncs since the DB opened."), {}, d.db.wal_syncs);
  SetIf(f.Counter("tikv_exporter_rocksdb_wal_written_bytes_total", "WAL bytes written since the DB opened (RocksDB prints GB with 2 decimals)."),
        {}, d.db.wal_bytes);
  SetIf(f.Counter("tikv_exporter_rocksdb_stall_seconds_total", "Time writes were stalled since the DB opened."), {},
        d.db.stall_seconds);
  if (d.db.stall_percent) {
    Set(f.Gauge("tikv_exporter_rocksdb_stall_ratio", "Share of uptime writes were stalled (DB Stats)."), {},
        *d.db.stall_percent / 100);
  }
  auto& files = f.Gauge("tikv_exporter_rocksdb_level_files", "SST files per column family and level (Sum = all levels).");
  auto& compacting = f.Gauge("tikv_exporter_rocksdb_level_compacting_files", "SST files being compacted.");
  auto& size = f.Gauge("tikv_exporter_rocksdb_level_size_bytes", "Size of the level (RocksDB prints 2 decimals of KB/MB/GB).");
  auto& score = f.Gauge("tikv_exporter_rocksdb_level_score", "Compaction score of the level (>= 1 wants compaction).");
  auto& amp = f.Gauge("tikv_exporter_rocksdb_level_write_amplification", "Write amplification of the level (W-Amp).");
  auto& read = f.Counter("tikv_exporter_rocksdb_compaction_read_bytes_total", "Bytes compactions read per level.");
  auto& written = f.Counter("tikv_exporter_rocksdb_compaction_written_bytes_total", "Bytes compactions and flushes wrote per level.");
  auto& seconds = f.Counter("tikv_exporter_rocksdb_compaction_seconds_total", "Time spent compacting per level.");
  auto& count = f.Counter("tikv_exporter_rocksdb_compactions_total", "Compactions per level.");
  for (const auto& [cf, rows] : d.levels) {
    for (const RocksDbLevelStats& row : rows) {
      if (row.level == "Int") continue;  // the interval row repeats Sum over the last period
      Labels labels = {{"cf", cf}, {"level", row.level}};
      Set(files, labels, row.files);
      Set(compacting, labels, row.files_compacting);
      Set(size, labels, row.size_bytes);
      SetIf(score, labels, row.score);
      SetIf(amp, labels, row.write_amplification);
      SetIf(read, labels, row.read_bytes);
      SetIf(written, labels, row.write_bytes);
      SetIf(seconds, labels, row.compaction_seconds);
      SetIf(count, labels, row.compactions);
    }
  }
  auto& stalls = f.Counter("tikv_exporter_rocksdb_write_stalls_total",
                           "Write stalls and stops by cause as the dump counts them (cf=\"db\" for DB-wide causes).");
  for (const auto& [cf, causes] : d.write_stalls) {
    for (const auto& [cause, n] : causes) Set(stalls, {{"cause", cause}, {"cf", cf.empty() ? "db" : cf}}, n);
  }
  auto& pending = f.Gauge("tikv_exporter_rocksdb_pending_compaction_bytes", "Estimated pending compaction bytes (RocksDB >= 9).");
  for (const auto& [cf, bytes] : d.pending_compaction_bytes) Set(pending, {{"cf", cf}}, bytes);
  auto& tickers = f.Counter("tikv_exporter_rocksdb_ticker_total", "RocksDB statistics tickers (rocksdb.<ticker> COUNT).");
  for (const auto& [name, value] : d.tickers) {
    Set(tickers, {{"ticker", name.starts_with("rocksdb.") ? name.substr(8) : name}}, value);
  }
  auto& histograms = f.Quantiles("tikv_exporter_rocksdb_stat_percentiles",
                                 "RocksDB statistics histograms (P50/P95/P99/P100, COUNT, SUM; *.micros in microseconds).");
  for (const auto& [name, h] : d.histograms) {
    const std::string id = name.starts_with("rocksdb.") ? name.substr(8) : name;
    const std::pair<const char*, double> quantiles[] = {{"0.5", h.p50}, {"0.95", h.p95}, {"0.99", h.p99}, {"1", h.p100}};
    for (const auto& [q, v] : quantiles) Set(histograms, {{"quantile", q}, {"stat", id}}, v);
    histograms.samples.push_back({histograms.name + "_sum", {{"stat", id}}, h.sum, std::nullopt});
    histograms.samples.push_back({histograms.name + "_count", {{"stat", id}}, h.count, std::nullopt});
  }
}

void AddDrift(const std::vector<SettingDrift>& drift, Families& f) {
  auto& drifted = f.Gauge("tikv_exporter_config_drift",
                          "1 when TiKV's live /config differs from the setting declared in the exporter's config, 0 when equal.");
  auto& info = f.Gauge("tikv_exporter_config_setting_info",
                       "A declared TiKV setting with its declared and live values (live=\"\" when /config has no such key); the value is 1.");
  for (const SettingDrift& d : drift) {
    if (d.live) Set(drifted, {{"key", d.key}, {"section", d.section}}, d.drifted ? 1 : 0);
    Set(info, {{"declared", d.declared}, {"key", d.key}, {"live", d.live.value_or("")},
               {"live_key", d.live_path.value_or("")}, {"section", d.section}},
        1);
  }
}

void AddCollectorStats(const PollState& state, Families& f) {
  auto& duration = f.Gauge("tikv_exporter_collector_duration_seconds",
                           "How long the collector's last poll took.");
  auto& success = f.Gauge("tikv_exporter_collector_success",
                          "1 when the collector's last poll succeeded.");
  auto& last = f.Gauge("tikv_exporter_collector_last_success_timestamp_seconds",
                       "Unix time of the collector's last successful poll (absent before the first).");
  for (const auto& [name, stats] : state.collectors) {
    Set(duration, {{"collector", name}}, stats.duration_seconds);
    Set(success, {{"collector", name}}, stats.success ? 1 : 0);
    if (stats.last_success_ms > 0) {
      Set(last, {{"collector", name}}, static_cast<double>(stats.last_success_ms) / 1000.0);
    }
  }
  Set(f.Counter("tikv_exporter_polls_total", "Polls run since the exporter started."), {},
      static_cast<double>(state.polls_total));
  if (state.tikv) {
    Set(f.Gauge("tikv_exporter_tikv_scrape_size_bytes",
                "Decompressed size of the latest TiKV /metrics body."),
        {}, static_cast<double>(state.tikv->body_bytes));
    Set(f.Gauge("tikv_exporter_tikv_scrape_series",
                "Series in the latest TiKV /metrics body."),
        {}, static_cast<double>(state.tikv->metrics.SampleCount()));
    Set(f.Gauge("tikv_exporter_relay_series",
                "Raw TiKV series re-exposed on this endpoint ([collectors.tikv] relay)."),
        {}, static_cast<double>(state.tikv->relay_series));
    Set(f.Gauge("tikv_exporter_tikv_parse_warnings",
                "Problems the parser tolerated in the latest TiKV /metrics body (duplicate series, no final newline, invalid UTF-8 replaced)."),
        {}, static_cast<double>(state.tikv->warnings.size()));
  }
}

}  // namespace

void HttpRequestCounter::Observe(const std::string& path, int status) {
  std::string label = "other";
  for (std::string_view known : kKnownPaths) {
    if (path == known) label = std::string(known);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  ++counts_[{label, status}];
}

void HttpRequestCounter::AppendTo(MetricFamily& family) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [key, count] : counts_) {
    Set(family, {{"code", std::to_string(key.second)}, {"path", key.first}}, static_cast<double>(count));
  }
}

namespace {

void AddSelf(const SelfMetrics& self, Families& families) {
  self.requests->AppendTo(families.Counter("tikv_exporter_http_requests_total",
                                           "HTTP requests served by the exporter, by path and status code."));
  MetricFamily& hits = families.Counter("tikv_exporter_limit_hits_total",
                                        "Times one of the exporter's bounds was hit (README: Operations).");
  MetricFamily& reached = families.Gauge("tikv_exporter_limit_reached",
                                         "1 while the latest check of this bound hit it, else 0.");
  for (const auto& [limit, entry] : self.limits->Snapshot()) {
    Set(hits, {{"limit", limit}}, static_cast<double>(entry.hits));
    Set(reached, {{"limit", limit}}, entry.reached ? 1 : 0);
  }
  Set(families.Gauge("tikv_exporter_config_last_reload_successful",
                     "1 when the last config load (start, SIGHUP or POST /-/reload) succeeded."),
      {}, self.reload.last_successful ? 1 : 0);
  Set(families.Gauge("tikv_exporter_config_last_reload_success_timestamp_seconds",
                     "Unix time of the last successful config load."),
      {}, static_cast<double>(self.reload.last_success_ms) / 1000.0);
}

}  // namespace

std::string RenderMetrics(const PollState& state, const BuildInfo& build, const SelfMetrics& self,
                          const RenderOptions& options) {
  Families families;
  Set(families.Gauge("tikv_exporter_build_info",
                     "Version and git revision of the exporter; the value is 1."),
      {{"revision", build.revision}, {"version", build.version}}, 1);
  const auto tikv = state.snapshot.sources.find("tikv");
  AddSnapshot(state.snapshot, tikv != state.snapshot.sources.end() && tikv->second.up, families);
  AddDrift(state.drift, families);
  if (state.rocksdb) AddRocksDb(*state.rocksdb, families);
  if (state.pd) AddPd(*state.pd, state.snapshot.timestamp_ms, options.pd_local_store_series_only, families);
  AddCollectorStats(state, families);
  AddSelf(self, families);
  std::string text = WriteExposition(families.exposition());
  // Relayed raw TiKV series come from the latest scrape only: none while TiKV is down.
  if (state.tikv && tikv != state.snapshot.sources.end() && tikv->second.up) text += state.tikv->relay_text;
  return text;
}

}  // namespace tikv_exporter
