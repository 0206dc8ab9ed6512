#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "prom/exposition.h"
#include "common/limit_tracker.h"
#include "exporter/poller.h"

namespace tikv_exporter {

struct BuildInfo {
  std::string version;
  std::string revision;
};

// The exporter's own request counter (tikv_exporter_http_requests_total{path,code}), with the
// path label bounded to the known endpoints. Thread-safe.
class HttpRequestCounter {
 public:
  void Observe(const std::string& path, int status);
  // Appends one sample per (path, code) seen so far.
  void AppendTo(MetricFamily& family) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, uint64_t> counts_;
};

// The outcome of the last config reload (the start counts as a successful load).
struct ReloadStatus {
  bool last_successful = true;
  int64_t last_success_ms = 0;  // wall clock
};

// The exporter's own state that is not part of a poll (both pointers borrowed, not null).
struct SelfMetrics {
  const HttpRequestCounter* requests;
  const LimitTracker* limits;
  ReloadStatus reload;
};

// Choices from the config that shape /metrics.
struct RenderOptions {
  StoreSeries pd_store_series = StoreSeries::kWitnesses;  // [collectors.pd] store_series
};

// Renders the Prometheus text exposition of one PollState: the snapshot series (only for
// sources that are up), the per-collector series, build info, the HTTP request counter, the
// limits and the reload status. Pure function of its inputs; thread-safe.
std::string RenderMetrics(const PollState& state, const BuildInfo& build, const SelfMetrics& self,
                          const RenderOptions& options = {});

}  // namespace tikv_exporter
