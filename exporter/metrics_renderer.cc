#include "exporter/metrics_renderer.h"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <array>
#include <utility>
#include <vector>

#include "collectors/snapshot.h"

namespace tikv_exporter {
namespace {

using prometheus::ClientMetric;
using PromFamily = prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

constexpr std::array<std::string_view, 7> kKnownPaths = {
    "/", "/metrics", "/-/healthy", "/-/ready", "/api/v1/snapshot", "/api/v1/status", "/favicon.ico"};

// Collects families in exposition order; families left without samples are dropped.
class Families {
 public:
  PromFamily& Gauge(std::string name, std::string help) {
    return Add(std::move(name), std::move(help), MetricType::Gauge);
  }
  PromFamily& Counter(std::string name, std::string help) {
    return Add(std::move(name), std::move(help), MetricType::Counter);
  }
  std::vector<PromFamily> Take() {
    std::vector<PromFamily> out;
    for (PromFamily& family : families_) {
      if (!family.metric.empty()) out.push_back(std::move(family));
    }
    return out;
  }

 private:
  PromFamily& Add(std::string name, std::string help, MetricType type) {
    families_.push_back(PromFamily{std::move(name), std::move(help), type, {}});
    return families_.back();
  }
  std::vector<PromFamily> families_;
};

void Set(PromFamily& family, Labels labels, double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  if (family.type == MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(std::move(metric));
}

void SetIf(PromFamily& family, Labels labels, const std::optional<double>& value) {
  if (value) Set(family, std::move(labels), *value);
}

void SetQuantiles(PromFamily& family, const Labels& base, const LatencyQuantiles& q) {
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
  Set(f.Gauge("tikv_exporter_snapshot_timestamp_seconds",
              "Unix time of the latest poll that produced the snapshot."),
      {}, static_cast<double>(s.timestamp_ms) / 1000.0);
  if (!tikv_up) return;  // no stale values that look healthy

  SetIf(f.Gauge("tikv_exporter_snapshot_window_seconds",
                "Length of the window between the two latest successful TiKV polls that the rates cover."),
        {}, s.window_seconds);
  auto& qps = f.Gauge("tikv_exporter_qps",
                      "gRPC requests per second by request type over the window (kv_gc excluded); sum() is the node's QPS.");
  auto& type_avg = f.Gauge("tikv_exporter_type_latency_average_seconds",
                           "Mean gRPC request latency by request type over the window.");
  auto& type_latency = f.Gauge("tikv_exporter_type_latency_seconds",
                               "gRPC request latency quantiles by request type over the window, interpolated as histogram_quantile() does.");
  for (const auto& [type, stats] : s.by_type) {
    Set(qps, {{"type", type}}, stats.qps);
    SetIf(type_avg, {{"type", type}}, stats.average_seconds);
    SetQuantiles(type_latency, {{"type", type}}, stats.quantiles_seconds);
  }
  SetIf(f.Gauge("tikv_exporter_latency_average_seconds",
                "Mean gRPC request latency over the window, all request types."),
        {}, s.latency_average_seconds);
  SetQuantiles(f.Gauge("tikv_exporter_latency_seconds",
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

HttpRequestCounter::HttpRequestCounter()
    : registry_(std::make_shared<prometheus::Registry>()),
      family_(&prometheus::BuildCounter()
                   .Name("tikv_exporter_http_requests_total")
                   .Help("HTTP requests served by the exporter, by path and status code.")
                   .Register(*registry_)) {}

void HttpRequestCounter::Observe(const std::string& path, int status) {
  std::string label = "other";
  for (std::string_view known : kKnownPaths) {
    if (path == known) label = std::string(known);
  }
  family_->Add({{"path", label}, {"code", std::to_string(status)}}).Increment();
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
  std::vector<PromFamily> all = families.Take();
  for (PromFamily& family : requests.registry().Collect()) {
    all.push_back(std::move(family));
  }
  return prometheus::TextSerializer().Serialize(all);
}

}  // namespace tikv_exporter
