#include "server/http_reply.h"

#include "server/gzip_parts.h"

namespace tikv_exporter {
namespace {

// Below this a gzip header costs more than it saves.
constexpr size_t kGzipMinBytes = 1024;

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

}  // namespace

std::string FrameReply(const HttpReply& reply, bool keep_alive, bool gzip_ok, bool head_only) {
  std::string compressed;
  if (gzip_ok && reply.gzipped_body.empty() && reply.body.size() >= kGzipMinBytes) compressed = Gzip(reply.body);
  const bool gzipped = gzip_ok && !(reply.gzipped_body.empty() && compressed.empty());
  const std::string& body = !gzipped ? reply.body : compressed.empty() ? reply.gzipped_body : compressed;
  std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + ReasonPhrase(reply.status) + "\r\n";
  out += "Content-Type: " + reply.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (gzipped) out += "Content-Encoding: gzip\r\n";
  if (gzip_ok) out += "Vary: Accept-Encoding\r\n";
  out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  for (const auto& [name, value] : reply.headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  if (!head_only) {
    out.reserve(out.size() + body.size());
    out += body;
  }
  return out;
}

}  // namespace tikv_exporter
