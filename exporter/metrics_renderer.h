#pragma once

#include <prometheus/family.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

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
  HttpRequestCounter();
  void Observe(const std::string& path, int status);
  const prometheus::Registry& registry() const { return *registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* family_;
};

// Renders the Prometheus text exposition of one PollState: the snapshot series (only for
// sources that are up), the per-collector series, build info and the HTTP request counter.
// Pure function of its inputs; thread-safe.
std::string RenderMetrics(const PollState& state, const BuildInfo& build,
                          const HttpRequestCounter& requests);

}  // namespace tikv_exporter
