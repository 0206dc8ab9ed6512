#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "common/limits.h"
#include "common/status.h"
#include "exporter/exposition_format.h"
#include "exporter/metrics_cache.h"
#include "server/http_server.h"

namespace tikv_exporter {

// What the exporter's endpoints serve; each callback must be thread-safe (requests are handled
// on a pool of threads).
struct HttpHandlers {
  // /metrics in the format the Accept header chose (exporter/exposition_format.h), also gzipped
  // when `gzip` (the client takes it).
  std::function<MetricsAnswer(ExpositionFormat format, bool gzip)> metrics;
  std::function<std::string()> landing_page;   // /
  std::function<std::string()> snapshot_json;  // /api/v1/snapshot
  // /api/v1/health: the verdict as JSON, and whether it passes (not critical, after a poll);
  // a failing verdict answers 503, for load balancers and Kubernetes probes.
  std::function<std::pair<bool, std::string>()> health_json;
  // /api/v1/snapshots?since=&limit=: at most `limit` snapshots after `since_ms`; with
  // `head_only` (HEAD) no page is built and the answer has no body.
  std::function<std::string(int64_t since_ms, size_t limit, bool head_only)> snapshots_json;
  std::function<bool()> ready;  // /-/ready: 200 when true, else 503
  // /api/v1/targets: Prometheus http_sd JSON, or "" (503) while PD has not answered, so that
  // Prometheus keeps the targets it had.
  std::function<std::string()> targets_json;
  // /api/v1/cluster (the stores of the latest PD poll) and /api/v1/rocksdb (the LOG's level
  // tables): JSON, or "" (503) while PD / the LOG collector is off or has nothing yet.
  std::function<std::string()> cluster_json;
  std::function<std::string()> rocksdb_json;
  std::function<void(const std::string& path, int status)> on_request;  // after every request
  std::function<void(int delta)> on_in_flight;  // a worker starts (+1) / ends (-1) an answer
  // POST /-/reload: the status and text to answer (the exporter decides whether the route is
  // enabled, and reloads or schedules a reload).
  std::function<std::pair<int, std::string>()> reload;
  // A client bound (common/limits.h) was hit (`hit`, with what happened in
  // `detail`) or a request passed it (`hit` false).
  std::function<void(Limit limit, bool hit, const std::string& detail)> on_limit;
};

// The server's hooks from the handlers (on_request, on_limit, on_in_flight).
HttpServerHooks HooksOf(const HttpHandlers& handlers);

// Adds the exporter's endpoints to `server`, one route each, answered from (a copy of)
// `handlers`: /metrics, /, /api/v1/{snapshot,snapshots,health,targets,cluster,rocksdb},
// /-/healthy (public: no credentials even with basic auth on), /-/ready and POST /-/reload.
void RegisterEndpoints(HttpServer& server, const HttpHandlers& handlers);

}  // namespace tikv_exporter
