#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"

namespace tikv_exporter {

// What the exporter's endpoints serve; each callback must be thread-safe (requests are handled
// on a pool of threads).
struct HttpHandlers {
  std::function<std::string()> metrics;        // /metrics, text format 0.0.4
  std::function<std::string()> landing_page;   // /
  std::function<std::string()> snapshot_json;  // /api/v1/snapshot
  std::function<std::string(int64_t since_ms)> snapshots_json;  // /api/v1/snapshots?since=
  std::function<bool()> ready;                 // /-/ready: 200 when true, else 503
  // /api/v1/targets: Prometheus http_sd JSON, or "" (503) while PD has not answered, so that
  // Prometheus keeps the targets it had.
  std::function<std::string()> targets_json;
  std::function<void(const std::string& path, int status)> on_request;  // after every request
};

// The exporter's HTTP server (cpp-httplib, kept out of this header). gzip is applied when the
// client accepts it. Owns its listening socket; Stop() may be called from any thread.
class HttpServer {
 public:
  explicit HttpServer(HttpHandlers handlers);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds "host:port". Returns the bound port.
  StatusOr<int> Bind(const std::string& listen_address);
  void Run();  // serves until Stop()
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tikv_exporter
