#include "exporter/metrics_renderer.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "collectors/pd/pd_metrics.h"
#include "collectors/rocksdb/rocksdb_metrics.h"
#include "collectors/tikv/tikv_metrics.h"
#include "prom/exposition_writer.h"
#include "prom/family_builder.h"
#include "prom/openmetrics_writer.h"
#include "snapshot/snapshot_metrics.h"

namespace tikv_exporter {
namespace {

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
  for (const auto& [source, stats] : state.collectors) {
    const std::string name(SourceName(source));
    Set(duration, {{"collector", name}}, stats.duration_seconds);
    Set(success, {{"collector", name}}, stats.success ? 1 : 0);
    if (stats.last_success_ms > 0) {
      Set(last, {{"collector", name}}, static_cast<double>(stats.last_success_ms) / 1000.0);
    }
  }
  Set(f.Counter("tikv_exporter_polls_total", "Polls run since the exporter started."), {},
      static_cast<double>(state.polls_total));
  if (state.tikv) AddTikvScrapeSeries(*state.tikv, f);

}

void AddSelf(const SelfMetrics& self, Families& families) {
  self.instrumentation->AppendTo(families);
  MetricFamily& hits = families.Counter("tikv_exporter_limit_hits_total",
                                        "Times one of the exporter's bounds was hit (docs/operations.md).");
  MetricFamily& reached = families.Gauge("tikv_exporter_limit_reached",
                                         "1 while the latest check of this bound hit it, else 0.");
  for (const auto& [limit, entry] : self.limits->Snapshot()) {
    const std::string name(LimitName(limit));
    Set(hits, {{"limit", name}}, static_cast<double>(entry.hits));
    Set(reached, {{"limit", name}}, entry.reached ? 1 : 0);
  }
  Set(families.Gauge("tikv_exporter_config_last_reload_successful",
                     "1 when the last config load (start, SIGHUP or POST /-/reload) succeeded."),
      {}, self.reload.last_successful ? 1 : 0);
  Set(families.Gauge("tikv_exporter_config_last_reload_success_timestamp_seconds",
                     "Unix time of the last successful config load."),
      {}, static_cast<double>(self.reload.last_success_ms) / 1000.0);
}

// The names of the exporter's own families, whatever their values: a relayed family of such a
// name is left out (the exporter's own is kept).
Families SelfFamilies(const SelfMetrics& self) {
  Families families;
  AddSelf(self, families);
  return families;
}

std::string Write(const Families& families, ExpositionFormat format) {
  return format == ExpositionFormat::kOpenMetrics ? WriteOpenMetrics(families.exposition())
                                                  : WriteExposition(families.exposition());
}

}  // namespace

PollMetrics RenderPollMetrics(const PollState& state, const BuildInfo& build, const SelfMetrics& self,
                              const RenderOptions& options, ExpositionFormat format) {
  Families families;
  Set(families.Gauge("tikv_exporter_build_info",
                     "Version and git revision of the exporter; the value is 1."),
      {{"revision", build.revision}, {"version", build.version}}, 1);
  const auto tikv = state.snapshot.sources.find(Source::kTikv);
  AddSnapshotSeries(state.snapshot, tikv != state.snapshot.sources.end() && tikv->second.up, families);
  AddDrift(state.drift, families);
  if (state.rocksdb) AddRocksDbSeries(*state.rocksdb, families);
  if (state.pd) AddPdSeries(*state.pd, state.snapshot.timestamp_ms, options.pd_store_series, families);
  AddCollectorStats(state, families);
  PollMetrics metrics;
  metrics.head = Write(families, format);
  const bool openmetrics = format == ExpositionFormat::kOpenMetrics;
  // Relayed raw TiKV series come from the latest scrape only: none while TiKV is down.
  if (state.tikv && tikv != state.snapshot.sources.end() && tikv->second.up) {
    const Families own = SelfFamilies(self);
    for (const RelayedFamily& relayed : state.tikv->relay) {
      if (families.exposition().Find(relayed.name) != nullptr) continue;
      if (own.exposition().Find(relayed.name) != nullptr) continue;
      metrics.tail += openmetrics ? relayed.openmetrics : relayed.text;
    }
  }
  if (openmetrics) metrics.tail += "# EOF\n";
  return metrics;
}

std::string RenderSelfMetrics(const SelfMetrics& self, ExpositionFormat format) {
  return Write(SelfFamilies(self), format);
}

std::string RenderMetrics(const PollState& state, const BuildInfo& build, const SelfMetrics& self,
                          const RenderOptions& options, ExpositionFormat format) {
  const PollMetrics poll = RenderPollMetrics(state, build, self, options, format);
  return poll.head + RenderSelfMetrics(self, format) + poll.tail;
}

}  // namespace tikv_exporter
