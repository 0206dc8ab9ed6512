#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/limits.h"

namespace tikv_exporter {

// The bounds on what a client may send the exporter's HTTP listener. No endpoint takes a body,
// so a body is only tolerated up to max_body_bytes (and then thrown away, never inflated).
struct RequestLimits {
  size_t max_head_bytes = 16 << 10;  // request line and headers; over it: 431
  size_t max_header_count = 100;     // over it: 431
  size_t max_body_bytes = 4 << 10;   // Content-Length over it: 413; chunked bodies: 411
};

// One parsed request. Header names are lower-cased; values are as sent, trimmed.
struct HttpRequest {
  std::string method;
  std::string path;  // without the query
  std::map<std::string, std::string> query;  // percent-decoded; the first of repeated keys
  std::vector<std::pair<std::string, std::string>> headers;
  bool http10 = false;
  size_t body_bytes = 0;  // announced by Content-Length; read and discarded

  // The first header of that (lower-case) name, or "".
  std::string_view Header(std::string_view lower_name) const;
  // Whether the client wants the connection kept after the answer (HTTP/1.1 default yes).
  bool KeepAlive() const;
};

// What the bytes received so far on a connection hold.
struct RequestScan {
  enum class State {
    kIncomplete,  // wait for more bytes
    kComplete,    // `request` is valid and `consumed` bytes (head and body) belong to it
    kRejected,    // answer `reject_status` with `reject_reason` and close the connection
  };
  State state = State::kIncomplete;
  HttpRequest request;
  size_t consumed = 0;
  int reject_status = 0;
  std::string reject_reason;
  // The bound a rejection counts under: the head's size, the body's, or a malformed request.
  Limit limit = Limit::kHttpRequestMalformed;
};

// Our own parser rather than beast::http::request_parser: its bounds, status codes and limit
// labels are the project's, the round-2 hostile-client tests pass on it as they were, and the
// fuzzer (fuzz/http_request_fuzzer.cc) feeds it bytes directly.
//
// Looks for one whole request at the start of `buffer` (pipelined ones may follow it). Refused
// (RFC 9112): an HTTP/1.1 request without exactly one Host header, a bare CR, LF or NUL in the
// request line or a header, a body announced with `Expect` (no endpoint takes one, so the client
// learns at once instead of waiting for a 100 Continue). The target may be in origin form
// ("/path?query") or absolute form ("http://host/path?query", as proxies send it).
RequestScan ScanRequest(std::string_view buffer, const RequestLimits& limits);

// Whether an Accept-Encoding value accepts gzip: listed (or "*") with a q-value above 0.
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace tikv_exporter
