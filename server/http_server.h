#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "common/limits.h"
#include "common/status.h"
#include "server/http_routes.h"

namespace tikv_exporter {

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
  // Added to every answer, the server's own (401, 503, ...) included: [web.headers], validated
  // by CanonicalResponseHeader (server/response_headers.h).
  std::map<std::string, std::string> headers;
  // Open at once; at the bound a connection without progress makes room (docs/operations.md).
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
  static StatusOr<std::unique_ptr<HttpServer>> Create(HttpServerHooks hooks, const HttpServerOptions& options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Answers `method` requests for exactly `path` with `handler` (a GET route answers HEAD too).
  // With basic auth on, every route needs credentials but a `public_route`. Call before Run().
  void Handle(std::string method, std::string path, HttpHandler handler, bool public_route = false);
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
