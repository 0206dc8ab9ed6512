#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "common/limits.h"
#include "common/status.h"

namespace tikv_exporter {

// What the exporter's endpoints serve; each callback must be thread-safe (requests are handled
// on a pool of threads).
struct HttpHandlers {
  std::function<std::string()> metrics;        // /metrics, text format 0.0.4
  std::function<std::string()> landing_page;   // /
  std::function<std::string()> snapshot_json;  // /api/v1/snapshot
  // /api/v1/health: the verdict as JSON, and whether it passes (not critical, after a poll);
  // a failing verdict answers 503, for load balancers and Kubernetes probes.
  std::function<std::pair<bool, std::string>()> health_json;
  std::function<std::string(int64_t since_ms)> snapshots_json;  // /api/v1/snapshots?since=
  std::function<bool()> ready;                 // /-/ready: 200 when true, else 503
  // /api/v1/targets: Prometheus http_sd JSON, or "" (503) while PD has not answered, so that
  // Prometheus keeps the targets it had.
  std::function<std::string()> targets_json;
  // /api/v1/cluster (the stores of the latest PD poll) and /api/v1/rocksdb (the LOG's level
  // tables): JSON, or "" (503) while PD / the LOG collector is off or has nothing yet.
  std::function<std::string()> cluster_json;
  std::function<std::string()> rocksdb_json;
  std::function<void(const std::string& path, int status)> on_request;  // after every request
  // POST /-/reload: reloads the config; an error (the old config keeps running) answers 500.
  std::function<Status()> reload;
  // A client bound (common/limits.h) was hit (`hit`, with what happened in
  // `detail`) or a request passed it (`hit` false).
  std::function<void(Limit limit, bool hit, const std::string& detail)> on_limit;
};

// How the exporter's listener is protected and bounded ([web] and [exporter] keys).
struct HttpServerOptions {
  int max_concurrent_requests = 16;  // beyond this many (plus as many waiting): 503
  // TLS when cert_file is set; certificate and key are re-read on every handshake (rotation).
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;        // set: clients must present a certificate it signed
  std::string min_tls_version = "TLS12";  // TLS12 | TLS13
  // user -> bcrypt hash; when not empty every path but /-/healthy needs basic auth.
  std::map<std::string, std::string> basic_auth_users;
  // Open at once; at the bound a connection without progress makes room (README: Operations).
  int max_connections = 512;
  // Open at once from one client address; at the bound that address's own connection without
  // progress for longest makes room. A scraper needs one or two.
  int max_connections_per_address = 128;
};

// The exporter's HTTP(S) server, on Boost.Asio with Beast's streams. One event-loop thread (the
// one that calls Run()) accepts connections, does the TLS handshake, reads each request head with
// a deadline and a size bound, and writes every answer asynchronously; the
// `max_concurrent_requests` workers only compute answers and post the bytes back to the loop, so
// neither slow senders nor clients that never read hold a worker. gzip is applied when the client
// accepts it. Owns its listening socket; Stop() may be called from any thread, lets answers in
// flight finish for a second, then cuts them off.
class HttpServer {
 public:
  // Fails when the TLS files cannot be loaded.
  static StatusOr<std::unique_ptr<HttpServer>> Create(HttpHandlers handlers, const HttpServerOptions& options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds "host:port". Returns the bound port.
  StatusOr<int> Bind(const std::string& listen_address);
  void Run();  // serves until Stop()
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tikv_exporter
