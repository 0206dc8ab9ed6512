#include "server/http_reply.h"

#include <zlib.h>

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

// gzip (RFC 1952) of `text`; empty when zlib fails, and the body then goes out as it is.
std::string Gzip(const std::string& text) {
  z_stream stream{};
  // windowBits 15 + 16: a gzip wrapper instead of zlib's; level 1: /metrics is mostly repeated
  // names, which even the fastest level shrinks about tenfold.
  if (deflateInit2(&stream, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&stream, text.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) return {};
  out.resize(stream.total_out);
  return out;
}

}  // namespace

std::string FrameReply(const HttpReply& reply, bool keep_alive, bool gzip_ok, bool head_only) {
  std::string compressed;
  if (gzip_ok && reply.body.size() >= kGzipMinBytes) compressed = Gzip(reply.body);
  const std::string& body = compressed.empty() ? reply.body : compressed;
  std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + ReasonPhrase(reply.status) + "\r\n";
  out += "Content-Type: " + reply.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (!compressed.empty()) out += "Content-Encoding: gzip\r\n";
  if (gzip_ok || !compressed.empty()) out += "Vary: Accept-Encoding\r\n";
  out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  for (const auto& [name, value] : reply.headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  if (!head_only) out += body;
  return out;
}

}  // namespace tikv_exporter
