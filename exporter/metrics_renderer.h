#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "prom/exposition.h"
#include "common/limit_tracker.h"
#include "exporter/exposition_format.h"
#include "exporter/poller.h"
#include "exporter/self_instrumentation.h"

namespace tikv_exporter {

struct BuildInfo {
  std::string version;
  std::string revision;
};

// The outcome of the last config reload (the start counts as a successful load).
struct ReloadStatus {
  bool last_successful = true;
  int64_t last_success_ms = 0;  // wall clock
};

// The exporter's own state that is not part of a poll (both pointers borrowed, not null).
struct SelfMetrics {
  const SelfInstrumentation* instrumentation;
  const LimitTracker* limits;
  ReloadStatus reload;
};

// Choices from the config that shape /metrics.
struct RenderOptions {
  StoreSeries pd_store_series = StoreSeries::kWitnesses;  // [collectors.pd] store_series
};

// /metrics for one PollState in `format`: the snapshot series (only for sources that are up),
// the per-collector series, build info, the self-instrumentation (HTTP requests, process_*), the
// limits, the reload status, then the relayed raw TiKV families — but a relayed family whose
// name the exporter serves itself (process_open_fds, tikv_store_size_bytes, ...), which would
// expose a series twice; the exporter's own is kept. OpenMetrics ends with "# EOF". It is
// RenderPollMetrics' head, RenderSelfMetrics, then its tail. Thread-safe.
std::string RenderMetrics(const PollState& state, const BuildInfo& build, const SelfMetrics& self,
                          const RenderOptions& options = {}, ExpositionFormat format = ExpositionFormat::kText);

// What one poll contributes to /metrics in one format, which stays the same until the next
// poll: the families before the exporter's own series (build info, snapshot, drift, RocksDB, PD,
// collectors) and after them (the relayed TiKV families, and OpenMetrics' "# EOF"). `self` only
// names the exporter's own families (their values are not used).
struct PollMetrics {
  std::string head;
  std::string tail;
};
PollMetrics RenderPollMetrics(const PollState& state, const BuildInfo& build, const SelfMetrics& self,
                              const RenderOptions& options, ExpositionFormat format);

// The exporter's own series (requests, process_*, limits, reloads), which change between scrapes.
std::string RenderSelfMetrics(const SelfMetrics& self, ExpositionFormat format);

}  // namespace tikv_exporter
