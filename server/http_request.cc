#include "server/http_request.h"

#include <charconv>
#include <optional>

#include "common/ascii.h"

namespace tikv_exporter {
namespace {

RequestScan Reject(int status, std::string reason) {
  RequestScan scan;
  scan.state = RequestScan::State::kRejected;
  scan.reject_status = status;
  scan.reject_reason = std::move(reason);
  switch (status) {
    case 431:
      scan.limit = Limit::kHttpRequestHeadBytes;
      break;
    case 411:
    case 413:
    case 417:
      scan.limit = Limit::kHttpRequestBodyBytes;
      break;
    default:
      scan.limit = Limit::kHttpRequestMalformed;
  }
  return scan;
}

// A bare CR or LF (lines end only with CRLF) or a NUL: smuggling and header-injection material.
bool HasControlBreak(std::string_view line) {
  return line.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// The path and query of an absolute-form target ("http://host:port/path?q"), or the target as
// it is; empty when a scheme is there but malformed.
std::string_view OriginForm(std::string_view target) {
  if (target.front() == '/') return target;
  const size_t scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos) return {};
  const std::string_view scheme = target.substr(0, scheme_end);
  if (!EqualsIgnoringCase(scheme, "http") && !EqualsIgnoringCase(scheme, "https")) return {};
  const std::string_view rest = target.substr(scheme_end + 3);
  const size_t path_start = rest.find_first_of("/?");
  if (path_start == 0) return {};  // no authority
  if (path_start == std::string_view::npos) return "/";
  if (rest[path_start] == '?') return {};  // "http://host?q" has no path; refuse, rare and odd
  return rest.substr(path_start);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view text) {
  std::string decoded;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      decoded.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      decoded.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      decoded.push_back(text[i]);
    }
  }
  return decoded;
}

void ParseQuery(std::string_view query, std::map<std::string, std::string>* out) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t equals = pair.find('=');
    out->emplace(PercentDecode(pair.substr(0, equals)),
                 equals == std::string_view::npos ? std::string() : PercentDecode(pair.substr(equals + 1)));
  }
}

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// "GET /path?query HTTP/1.1"
bool ParseRequestLine(std::string_view line, HttpRequest* request) {
  const size_t first = line.find(' ');
  const size_t last = line.rfind(' ');
  if (first == std::string_view::npos || first == last || first == 0) return false;
  request->method = std::string(line.substr(0, first));
  for (char c : request->method) {
    if (!IsTokenChar(c)) return false;
  }
  std::string_view target = line.substr(first + 1, last - first - 1);
  const std::string_view version = line.substr(last + 1);
  if (target.empty() || target.find(' ') != std::string_view::npos) return false;
  target = OriginForm(target);
  if (target.empty()) return false;
  if (version == "HTTP/1.0") {
    request->http10 = true;
  } else if (version != "HTTP/1.1") {
    return false;
  }
  const size_t question = target.find('?');
  request->path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) ParseQuery(target.substr(question + 1), &request->query);
  return true;
}

}  // namespace

std::string_view HttpRequest::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

bool HttpRequest::KeepAlive() const {
  const std::string_view connection = Header("connection");
  if (http10) return EqualsIgnoringCase(connection, "keep-alive");
  return !EqualsIgnoringCase(connection, "close");
}

RequestScan ScanRequest(std::string_view buffer, const RequestLimits& limits) {
  // Clients may send stray CRLFs between pipelined requests (RFC 9112 §2.2).
  size_t start = 0;
  while (start + 1 < buffer.size() && buffer[start] == '\r' && buffer[start + 1] == '\n') start += 2;
  const size_t head_end = buffer.find("\r\n\r\n", start);
  if (head_end == std::string_view::npos) {
    // Stray CRLFs count too: a client must not fill the buffer with them and never be refused.
    if (buffer.size() > limits.max_head_bytes) {
      return Reject(431, "request head larger than " + std::to_string(limits.max_head_bytes) + " bytes");
    }
    return {};
  }
  if (head_end - start > limits.max_head_bytes) {
    return Reject(431, "request head larger than " + std::to_string(limits.max_head_bytes) + " bytes");
  }
  RequestScan scan;
  HttpRequest& request = scan.request;
  std::string_view head = buffer.substr(start, head_end - start);
  const size_t line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, line_end);
  if (HasControlBreak(request_line) || !ParseRequestLine(request_line, &request)) {
    return Reject(400, "malformed request line");
  }
  head = line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
  std::string_view content_length;
  while (!head.empty()) {
    const size_t end = head.find("\r\n");
    const std::string_view line = head.substr(0, end);
    head = end == std::string_view::npos ? std::string_view() : head.substr(end + 2);
    if (request.headers.size() == limits.max_header_count) {
      return Reject(431, "more than " + std::to_string(limits.max_header_count) + " request headers");
    }
    if (HasControlBreak(line)) return Reject(400, "bare CR, LF or NUL in a header line");
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return Reject(400, "malformed header line");
    std::string name(line.substr(0, colon));
    for (char& c : name) {
      if (!IsTokenChar(c)) return Reject(400, "malformed header name");
      c = AsciiLower(c);
    }
    const std::string_view value = TrimAsciiSpace(line.substr(colon + 1));
    if (name == "content-length") {
      if (!content_length.empty() && content_length != value) return Reject(400, "conflicting Content-Length");
      content_length = value;
    }
    request.headers.emplace_back(std::move(name), std::string(value));
  }
  if (!request.Header("transfer-encoding").empty()) {
    return Reject(411, "chunked request bodies are not accepted; no endpoint takes a body");
  }
  if (!content_length.empty()) {
    size_t length = 0;
    const auto [end, error] = std::from_chars(content_length.data(), content_length.data() + content_length.size(), length);
    if (error != std::errc() || end != content_length.data() + content_length.size()) {
      return Reject(400, "malformed Content-Length");
    }
    if (length > limits.max_body_bytes) {
      return Reject(413, "request body larger than " + std::to_string(limits.max_body_bytes) +
                             " bytes; no endpoint takes a body");
    }
    request.body_bytes = length;
  }
  if (const std::string_view expect = request.Header("expect"); !expect.empty()) {
    if (!EqualsIgnoringCase(expect, "100-continue")) return Reject(417, "unknown expectation");
    if (request.body_bytes > 0) {
      return Reject(417, "no endpoint takes a body: send the request without one (and without Expect)");
    }
  }
  size_t hosts = 0;
  for (const auto& [name, value] : request.headers) hosts += name == "host" ? 1 : 0;
  if (hosts > 1) return Reject(400, "more than one Host header");
  if (hosts == 0 && !request.http10) return Reject(400, "no Host header (HTTP/1.1 requires one)");
  const size_t total = head_end + 4 + request.body_bytes;
  if (buffer.size() < total) return {};  // the (small) body is still coming
  scan.state = RequestScan::State::kComplete;
  scan.consumed = total;
  return scan;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  std::optional<bool> gzip;
  std::optional<bool> any;
  while (!accept_encoding.empty()) {
    const size_t comma = accept_encoding.find(',');
    std::string_view element = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    const size_t semicolon = element.find(';');
    const std::string_view coding = TrimAsciiSpace(element.substr(0, semicolon));
    bool acceptable = true;
    if (semicolon != std::string_view::npos) {
      std::string_view parameter = TrimAsciiSpace(element.substr(semicolon + 1));
      if (parameter.size() >= 2 && AsciiLower(parameter[0]) == 'q' && parameter[1] == '=') {
        // A q-value is 0 to 1 with up to three decimals; "0", "0.", "0.000" refuse the coding.
        parameter.remove_prefix(2);
        acceptable = parameter.find_first_not_of("0.") != std::string_view::npos;
      }
    }
    if (EqualsIgnoringCase(coding, "gzip") || EqualsIgnoringCase(coding, "x-gzip")) {
      gzip = acceptable;
    } else if (coding == "*") {
      any = acceptable;
    }
  }
  return gzip.value_or(any.value_or(false));
}

}  // namespace tikv_exporter
