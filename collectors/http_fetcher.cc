#include "collectors/http_fetcher.h"

#include <curl/curl.h>

#include <cerrno>
#include <memory>
#include <mutex>

#include "collectors/upstream_error.h"
#include "common/address.h"
#include "common/ascii.h"
#include "common/descriptors.h"

namespace tikv_exporter {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// curl_global_init must run once before any handle is made; 7.84+ makes it thread-safe.
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// What one transfer has seen so far; curl's callbacks write into it.
struct Transfer {
  const HttpRequestOptions* options;
  HttpResponse response;
  size_t head_bytes = 0;
  std::string content_length;  // the first Content-Length of the current response head
  Status failure;              // why a callback stopped the transfer
};

// Called once per header line of every response head (a 100-continue or redirect head too).
size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t length = size * count;
  transfer->head_bytes += length;
  if (transfer->head_bytes > transfer->options->max_head_bytes) {
    transfer->failure = Status::LimitHit(
        Limit::kUpstreamHeaderBytes, "response head (status line and headers) larger than " +
                                     std::to_string(transfer->options->max_head_bytes) + " bytes");
    return 0;
  }
  const std::string_view line(data, length);
  if (line.starts_with("HTTP/")) {  // a new response head starts
    transfer->content_length.clear();
    transfer->response.content_type.clear();
  } else if (StartsWithIgnoringCase(line, "content-length:")) {
    const std::string value(TrimAsciiSpace(line.substr(15)));
    // RFC 9112 §6.3: differing lengths make the message's framing unknowable; a proxy or a
    // smuggling attempt, never a body to trust.
    if (!transfer->content_length.empty() && transfer->content_length != value) {
      transfer->failure = Status::Malformed("conflicting Content-Length headers (" + transfer->content_length +
                                        " and " + value + ")");
      return 0;
    }
    transfer->content_length = value;
  } else if (StartsWithIgnoringCase(line, "content-type:")) {
    transfer->response.content_type = std::string(TrimAsciiSpace(line.substr(13)));
  }
  return length;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t length = size * count;
  std::string& body = transfer->response.body;
  if (body.size() + length > transfer->options->max_body_bytes) {
    transfer->failure = Status::LimitHit(Limit::kUpstreamBodyBytes, "response body larger than " +
                                                                    std::to_string(transfer->options->max_body_bytes) +
                                                                    " bytes (max_body_bytes)");
    return 0;
  }
  body.append(data, length);
  return length;
}

// A failed transfer as a Status: out of descriptors is the exporter's own limit, a timeout a
// deadline, anything else the upstream's unavailability.
Status DescribeError(CURLcode code, long os_errno, const char* detail) {
  // Without a descriptor for its socket libcurl reports "couldn't connect" (with the errno), and
  // without one for its wakeup pipe "out of memory"; saying "refused" would blame the upstream
  // (a false "TiKV does not answer") for the exporter's own limit.
  if (os_errno != EMFILE && os_errno != ENFILE &&
      (code == CURLE_COULDNT_CONNECT || code == CURLE_OUT_OF_MEMORY || code == CURLE_FAILED_INIT)) {
    os_errno = DescriptorShortage();
  }
  if (os_errno == EMFILE || os_errno == ENFILE) {
    return Status::ResourceExhausted(
        std::string(kOutOfDescriptors) + " (" + (os_errno == EMFILE ? "EMFILE" : "ENFILE") +
        "): the exporter could not open a socket; raise its open-file limit (LimitNOFILE, ulimit -n)");
  }
  std::string text;
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return Status::DeadlineExceeded("no complete answer before the deadline (timeout_ms)");
    case CURLE_COULDNT_CONNECT:
      text = "connection refused or unreachable";
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
      text = "cannot resolve the host name";
      break;
    case CURLE_SEND_ERROR:
      text = "the connection closed while sending the request";
      break;
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
      text = "the connection closed while reading the answer";
      break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
      text = "TLS handshake failed";
      break;
    default:
      text = curl_easy_strerror(code);
  }
  if (detail != nullptr && detail[0] != '\0') text += " (" + std::string(detail) + ")";
  return Status::Unavailable(std::move(text));
}

// A libcurl easy handle, cleaned up (its connections closed) on every path.
struct EasyHandle {
  CURL* curl = curl_easy_init();
  EasyHandle() = default;
  EasyHandle(const EasyHandle&) = delete;
  EasyHandle& operator=(const EasyHandle&) = delete;
  ~EasyHandle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

// Whether the handle's last transfer left its connection open in the handle's cache.
bool ConnectionOpen(CURL* curl) {
  curl_socket_t socket = CURL_SOCKET_BAD;
  return curl_easy_getinfo(curl, CURLINFO_ACTIVESOCKET, &socket) == CURLE_OK && socket != CURL_SOCKET_BAD;
}

// libcurl, not cpp-httplib's client: httplib parses the status line with a recursive std::regex
// (a 50 KB reason phrase overflowed the stack), bounds neither the header block nor the time a
// head may take. libcurl has a whole-transfer deadline, header callbacks to bound the head, and
// gzip and TLS built in.
class CurlFetcher : public HttpFetcher {
 public:
  CurlFetcher(std::string base_url, ConnectionLimiter* limiter, UpstreamTls tls, bool ask_gzip)
      : base_url_(std::move(base_url)), limiter_(limiter), tls_(std::move(tls)), ask_gzip_(ask_gzip) {
    InitCurlOnce();
  }

  const std::string& base_url() const override { return base_url_; }

  ~CurlFetcher() override { CloseConnection(); }

  StatusOr<HttpResponse> Get(std::string_view path, const HttpRequestOptions& options) override {
    // A kept connection still holds the slot it was opened under.
    if (!holds_slot_ && limiter_ != nullptr && !limiter_->AcquireUntil(options.deadline)) {
      return Status::DeadlineExceeded("no free upstream connection before the deadline (max_connections)");
    }
    holds_slot_ = true;
    StatusOr<HttpResponse> result = GetWithSlot(path, options);
    if (!options.keep_connection || easy_ == nullptr || !ConnectionOpen(easy_->curl)) CloseConnection();
    if (!result.ok()) return result.status().Prefixed("GET " + base_url_ + std::string(path) + ": ");
    return result;
  }

  // Dropping the handle closes its connection, and the next request's new handle reads the
  // certificate files again (a handle keeps its CA store for a day, CURLOPT_CA_CACHE_TIMEOUT):
  // a rotation is picked up by the next poll.
  void CloseConnection() override {
    if (!holds_slot_) return;
    easy_.reset();
    holds_slot_ = false;
    if (limiter_ != nullptr) limiter_->Release();
  }

 private:
  StatusOr<HttpResponse> GetWithSlot(std::string_view path, const HttpRequestOptions& options) {
    const auto remaining = duration_cast<milliseconds>(options.deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) return Status::DeadlineExceeded("deadline exceeded before the request");
    if (easy_ == nullptr) {
      easy_ = std::make_unique<EasyHandle>();
    } else {
      curl_easy_reset(easy_->curl);  // the options go; the open connection stays
    }
    if (easy_->curl == nullptr) return Status::Internal("cannot create a libcurl handle");
    CURL* curl = easy_->curl;
    Transfer transfer{&options, {}, 0, {}, {}};
    if (options.body_buffer != nullptr) {
      transfer.response.body = std::move(*options.body_buffer);
      transfer.response.body.clear();
    }
    char error_detail[CURL_ERROR_SIZE] = {};
    const std::string url = base_url_ + std::string(path);

    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // many threads: no SIGALRM for DNS timeouts
    // One deadline for the whole exchange (connect, TLS, head and body), whatever the peer drips.
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(remaining.count()));
    if (ask_gzip_) curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
    // A megabyte body read 16 KiB (libcurl's default) at a time was 80 receive calls per poll;
    // 128 KiB takes it in about ten and stays below the allocator's mmap threshold.
    curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 128L << 10);
    // libcurl would otherwise obey http_proxy / https_proxy / all_proxy from the environment and
    // send TiKV's and PD's polls through whatever proxy the host's shell profile names.
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    // At most the one connection a request keeps; the others close after their transfer.
    curl_easy_setopt(curl, CURLOPT_MAXCONNECTS, 1L);
    curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, options.keep_connection ? 0L : 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_detail);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    // A new handle reads the certificate files again: rotation needs no restart.
    if (tls_.enabled()) curl_easy_setopt(curl, CURLOPT_CAINFO, tls_.ca_path.c_str());
    if (!tls_.cert_path.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERT, tls_.cert_path.c_str());
    if (!tls_.key_path.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, tls_.key_path.c_str());

    const CURLcode code = curl_easy_perform(curl);
    if (!transfer.failure.ok()) return transfer.failure;
    // libcurl refuses one header line over 100 KiB before the header callback sees it, and
    // calls that running out of memory.
    if (code == CURLE_OUT_OF_MEMORY && transfer.response.body.empty() && DescriptorShortage() == 0) {
      return Status::LimitHit(Limit::kUpstreamHeaderBytes, "a response header line longer than libcurl accepts (" +
                                                           std::string(error_detail) + ")");
    }
    if (code != CURLE_OK) {
      long os_errno = 0;
      curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
      return DescribeError(code, os_errno, error_detail);
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    transfer.response.status = static_cast<int>(status);
    return std::move(transfer.response);
  }

  const std::string base_url_;
  ConnectionLimiter* const limiter_;
  const UpstreamTls tls_;
  const bool ask_gzip_;
  std::unique_ptr<EasyHandle> easy_;  // null between requests unless one kept its connection
  bool holds_slot_ = false;  // a request is in flight or its connection kept: a limiter slot is ours
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

std::unique_ptr<HttpFetcher> MakeHttpFetcher(std::string base_url, ConnectionLimiter* limiter, UpstreamTls tls,
                                             AskGzip gzip) {
  StatusOr<HostPort> host = ParseHostPort(WithoutScheme(base_url));
  const bool loopback = host.ok() && IsLoopbackHost(host->host);
  const bool ask_gzip = gzip == AskGzip::kAlways || !loopback;
  return std::make_unique<CurlFetcher>(std::move(base_url), limiter, std::move(tls), ask_gzip);
}

}  // namespace tikv_exporter
