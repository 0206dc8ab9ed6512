#include "collectors/http_fetcher.h"

#include <httplib.h>

#include "common/address.h"

namespace tikv_exporter {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;

std::string DescribeError(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
      return "connection refused or unreachable";
    case httplib::Error::Read:
      return "the connection closed while reading the answer";
    case httplib::Error::Write:
      return "the connection closed while sending the request";
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLServerVerification:
      return "TLS handshake failed (" + httplib::to_string(error) + ")";
    default:
      return httplib::to_string(error);
  }
}

class HttplibFetcher : public HttpFetcher {
 public:
  HttplibFetcher(std::string base_url, ConnectionLimiter* limiter, UpstreamTls tls)
      : base_url_(std::move(base_url)), limiter_(limiter), tls_(std::move(tls)) {}

  const std::string& base_url() const override { return base_url_; }

  StatusOr<HttpResponse> Get(std::string_view path, const HttpRequestOptions& options) override {
    if (limiter_ != nullptr && !limiter_->AcquireUntil(options.deadline)) {
      return Status::Error("no free upstream connection before the deadline (max_connections)");
    }
    StatusOr<HttpResponse> result = GetWithSlot(path, options);
    if (limiter_ != nullptr) limiter_->Release();
    return result;
  }

 private:
  StatusOr<HttpResponse> GetWithSlot(std::string_view path, const HttpRequestOptions& options) {
    auto remaining = duration_cast<microseconds>(options.deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) return Status::Error("deadline exceeded before the request");
    // A new client per request: certificate files are read again, so rotation needs no restart.
    httplib::Client client(base_url_, tls_.cert_path, tls_.key_path);
    if (tls_.enabled()) {
      client.set_ca_cert_path(tls_.ca_path.c_str());
      client.enable_server_certificate_verification(true);
    }
    const auto seconds = remaining.count() / 1'000'000;
    const auto micros = remaining.count() % 1'000'000;
    client.set_connection_timeout(seconds, micros);
    client.set_read_timeout(seconds, micros);
    client.set_write_timeout(seconds, micros);
    client.set_decompress(true);
    client.set_tcp_nodelay(true);  // the request is small writes: no waiting for delayed ACKs
    client.set_keep_alive(false);

    HttpResponse response;
    Status failure;  // why on_data stopped the transfer
    httplib::Headers headers = {{"Accept-Encoding", "gzip"}};
    auto on_response = [&](const httplib::Response& r) {
      response.status = r.status;
      response.content_type = r.get_header_value("Content-Type");
      return true;
    };
    auto on_data = [&](const char* data, size_t length) {
      if (response.body.size() + length > options.max_body_bytes) {
        failure = Status::LimitHit("upstream_body_bytes", "response body larger than " +
                                                              std::to_string(options.max_body_bytes) +
                                                              " bytes (max_body_bytes)");
        return false;
      }
      if (std::chrono::steady_clock::now() > options.deadline) {
        failure = Status::Error("deadline exceeded while reading the body");
        return false;
      }
      response.body.append(data, length);
      return true;
    };
    httplib::Result result = client.Get(std::string(path), headers, on_response, on_data);
    if (!failure.ok()) return failure.Prefixed("GET " + base_url_ + std::string(path) + ": ");
    if (!result) {
      // httplib reports its own read timeout (set to the time left) as a read error, and may
      // fire it a little early: a failure this close to the deadline is the deadline.
      const bool late = std::chrono::steady_clock::now() + std::chrono::milliseconds(20) >= options.deadline;
      return Status::Error("GET " + base_url_ + std::string(path) + ": " +
                           (late ? "no complete answer before the deadline"
                                 : DescribeError(result.error())));
    }
    return response;
  }

  const std::string base_url_;
  ConnectionLimiter* const limiter_;
  const UpstreamTls tls_;
};

}  // namespace

StatusOr<std::string> NormalizeBaseUrl(std::string_view address, std::string_view default_scheme) {
  std::string scheme(default_scheme);
  std::string_view rest = address;
  for (std::string_view candidate : {"http://", "https://"}) {
    if (rest.starts_with(candidate)) {
      scheme = std::string(candidate.substr(0, candidate.size() - 3));
      rest.remove_prefix(candidate.size());
    }
  }
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  StatusOr<HostPort> host_port = ParseHostPort(rest);
  if (!host_port.ok()) return host_port.status();
  return scheme + "://" + std::string(rest);
}

std::unique_ptr<HttpFetcher> MakeHttpFetcher(std::string base_url, ConnectionLimiter* limiter, UpstreamTls tls) {
  return std::make_unique<HttplibFetcher>(std::move(base_url), limiter, std::move(tls));
}

}  // namespace tikv_exporter
