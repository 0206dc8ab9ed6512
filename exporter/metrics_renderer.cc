#include "exporter/metrics_renderer.h"

#include <array>
#include <utility>
#include <vector>

#include "collectors/exposition_writer.h"
#include "collectors/snapshot.h"

namespace tikv_exporter {
namespace {

using Labels = std::vector<Label>;

constexpr std::array<std::string_view, 5> kKnownPaths = {"/", "/metrics", "/-/healthy", "/-/ready",
                                                        "/api/v1/snapshot"};

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
                "Where the used size came from: tikv (tikv_store_size_bytes) or engine_size_sum (older TiKV)."),
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
  auto& stall = f.Gauge("tikv_exporter_write_stall_seconds",
                        "Write-stall time in the window, from the increase of tikv_engine_stall_micro_seconds.");
  for (const auto& [db, seconds] : s.write_stall_seconds) Set(stall, {{"db", db}}, seconds);
  if (!s.tikv_version.empty()) {
    Set(f.Gauge("tikv_exporter_tikv_info", "The TiKV node's version, from tikv_server_info."),
        {{"version", s.tikv_version}}, 1);
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
    Set(f.Gauge("tikv_exporter_tikv_parse_warnings",
                "Problems the parser tolerated in the latest TiKV /metrics body (duplicate series, no final newline)."),
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

std::string RenderMetrics(const PollState& state, const BuildInfo& build,
                          const HttpRequestCounter& requests) {
  Families families;
  Set(families.Gauge("tikv_exporter_build_info",
                     "Version and git revision of the exporter; the value is 1."),
      {{"revision", build.revision}, {"version", build.version}}, 1);
  const auto tikv = state.snapshot.sources.find("tikv");
  AddSnapshot(state.snapshot, tikv != state.snapshot.sources.end() && tikv->second.up, families);
  AddCollectorStats(state, families);
  requests.AppendTo(families.Counter("tikv_exporter_http_requests_total",
                                     "HTTP requests served by the exporter, by path and status code."));
  return WriteExposition(families.exposition());
}

}  // namespace tikv_exporter
