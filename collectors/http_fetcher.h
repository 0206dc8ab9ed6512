#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <semaphore>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tikv_exporter {

// Caps the number of upstream connections open at once across all collectors
// (`[tikv] max_connections`). Thread-safe; outlives every fetcher that uses it.
class ConnectionLimiter {
 public:
  explicit ConnectionLimiter(int max_connections) : slots_(max_connections) {}
  ConnectionLimiter(const ConnectionLimiter&) = delete;
  ConnectionLimiter& operator=(const ConnectionLimiter&) = delete;

  bool AcquireUntil(std::chrono::steady_clock::time_point deadline) {
    return slots_.try_acquire_until(deadline);
  }
  void Release() { slots_.release(); }

 private:
  std::counting_semaphore<1 << 20> slots_;
};

struct HttpResponse {
  int status = 0;
  std::string body;  // decompressed
  std::string content_type;
};

struct HttpRequestOptions {
  std::chrono::steady_clock::time_point deadline;
  size_t max_body_bytes = 64 << 20;  // after decompression, so a gzip bomb is bounded too
  // Status line and headers together (of every head, a 100-continue's included).
  size_t max_head_bytes = 64 << 10;
  // Where the body is written: its storage is taken (cleared, capacity kept) and handed out as
  // the response's body. A caller that puts that body back after use reads each poll's megabytes
  // into the same pages, instead of growing a new buffer by doubling into fresh mappings.
  std::string* body_buffer = nullptr;
  // Keep the connection open after this request for the caller's next one to the same upstream:
  // a poll's few GETs then share one connection instead of a connect and close each (about a
  // tenth of the exporter's CPU per poll over loopback). A kept connection stays counted under
  // max_connections until a request that does not keep it, or HttpFetcher::CloseConnection().
  bool keep_connection = false;
};

// [security]: TLS for upstream connections. With ca_path the server's certificate is verified
// against it; with cert_path and key_path a client certificate is presented too (mTLS, which a
// TiKV/PD with TLS on requires). Files are read again for every connection (HTTP) or watched
// (gRPC), so rotated certificates are picked up without a restart.
struct UpstreamTls {
  std::string ca_path;
  std::string cert_path;
  std::string key_path;
  bool enabled() const { return !ca_path.empty(); }
};

// GETs paths from one upstream HTTP(S) server. Injected into collectors so unit tests can feed
// recorded responses. Implementations are thread-compatible (one caller at a time).
class HttpFetcher {
 public:
  virtual ~HttpFetcher() = default;
  // The base URL requests go to, e.g. "http://127.0.0.1:20180" (for messages).
  virtual const std::string& base_url() const = 0;
  // Any HTTP status is a response; only transport failures, the deadline and the body bound
  // are errors.
  virtual StatusOr<HttpResponse> Get(std::string_view path, const HttpRequestOptions& options) = 0;
  // Closes the connection a request kept (HttpRequestOptions::keep_connection), if any.
  virtual void CloseConnection() {}
};

// Closes `fetcher`'s kept connection when the scope ends, however it ends: the requests of one
// poll keep it (HttpRequestOptions::keep_connection), and it does not outlive the poll.
class PollConnection {
 public:
  explicit PollConnection(HttpFetcher& fetcher) : fetcher_(fetcher) {}
  ~PollConnection() { fetcher_.CloseConnection(); }
  PollConnection(const PollConnection&) = delete;
  PollConnection& operator=(const PollConnection&) = delete;

 private:
  HttpFetcher& fetcher_;
};

// "host:port", "http://host:port" or "https://host:port" to a base URL; error when malformed.
// A bare "host:port" gets `default_scheme` ("https" when [security] is set).
StatusOr<std::string> NormalizeBaseUrl(std::string_view address, std::string_view default_scheme = "http");

// When a fetcher asks its upstream for gzip. Over loopback (a sidecar beside its TiKV) gzip saves
// no wire and costs both sides the whole body each poll: TiKV deflates it, the exporter inflates
// it (a sixth of the exporter's CPU per poll of the largest real dump). Across a network it
// saves more than it costs.
enum class AskGzip { kUnlessLoopback, kAlways };

// An HttpFetcher over libcurl that asks for gzip as `gzip` says and enforces the deadline on the
// whole exchange (connect, TLS, head and body), bounds the head and the inflated body, and fails
// a response whose Content-Length headers disagree. `limiter` may be null. `tls` applies to
// https:// base URLs.
std::unique_ptr<HttpFetcher> MakeHttpFetcher(std::string base_url, ConnectionLimiter* limiter,
                                             UpstreamTls tls = {}, AskGzip gzip = AskGzip::kUnlessLoopback);

}  // namespace tikv_exporter
