#include "server/http_request.h"

#include <charconv>

#include "common/ascii.h"

namespace tikv_exporter {
namespace {

RequestScan Reject(int status, std::string reason) {
  RequestScan scan;
  scan.state = RequestScan::State::kRejected;
  scan.reject_status = status;
  scan.reject_reason = std::move(reason);
  return scan;
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
  const std::string_view target = line.substr(first + 1, last - first - 1);
  const std::string_view version = line.substr(last + 1);
  if (target.empty() || target.front() != '/' || target.find(' ') != std::string_view::npos) return false;
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
    if (buffer.size() - start > limits.max_head_bytes) {
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
  if (!ParseRequestLine(head.substr(0, line_end), &request)) return Reject(400, "malformed request line");
  head = line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
  std::string_view content_length;
  while (!head.empty()) {
    const size_t end = head.find("\r\n");
    const std::string_view line = head.substr(0, end);
    head = end == std::string_view::npos ? std::string_view() : head.substr(end + 2);
    if (request.headers.size() == limits.max_header_count) {
      return Reject(431, "more than " + std::to_string(limits.max_header_count) + " request headers");
    }
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
  const size_t total = head_end + 4 + request.body_bytes;
  if (buffer.size() < total) return {};  // the (small) body is still coming
  scan.state = RequestScan::State::kComplete;
  scan.consumed = total;
  return scan;
}

}  // namespace tikv_exporter
