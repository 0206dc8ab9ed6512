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

size_t SizeOf(const ReplyBytes& bytes) {
  size_t size = 0;
  for (const auto& piece : bytes) size += piece->size();
  return size;
}

std::string Joined(const ReplyBytes& bytes) {
  std::string joined;
  joined.reserve(SizeOf(bytes));
  for (const auto& piece : bytes) joined += *piece;
  return joined;
}

ReplyBytes FrameReply(HttpReply reply, bool keep_alive, bool gzip_ok, bool head_only) {
  ReplyBytes body = std::move(reply.body_parts);
  if (body.empty()) body.push_back(std::make_shared<const std::string>(std::move(reply.body)));
  bool gzipped = false;
  if (gzip_ok && !reply.gzipped_body.empty()) {
    body = {std::make_shared<const std::string>(std::move(reply.gzipped_body))};
    gzipped = true;
  } else if (gzip_ok && SizeOf(body) >= kGzipMinBytes) {
    std::string compressed = Gzip(body.size() == 1 ? *body.front() : Joined(body));
    if (!compressed.empty()) {
      body = {std::make_shared<const std::string>(std::move(compressed))};
      gzipped = true;
    }
  }
  std::string head = "HTTP/1.1 " + std::to_string(reply.status) + " " + ReasonPhrase(reply.status) + "\r\n";
  head += "Content-Type: " + reply.content_type + "\r\n";
  head += "Content-Length: " + std::to_string(SizeOf(body)) + "\r\n";
  if (gzipped) head += "Content-Encoding: gzip\r\n";
  if (gzip_ok) head += "Vary: Accept-Encoding\r\n";
  head += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  for (const auto& [name, value] : reply.headers) head += name + ": " + value + "\r\n";
  head += "\r\n";
  ReplyBytes out = {std::make_shared<const std::string>(std::move(head))};
  if (!head_only) out.insert(out.end(), body.begin(), body.end());
  return out;
}

}  // namespace tikv_exporter
