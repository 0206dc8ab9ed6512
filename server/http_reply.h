#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace tikv_exporter {

// Bytes to send, as pieces that may be shared with a cache (a poll's rendered /metrics is
// megabytes with 10,000 PD stores: each scrape then sends it without copying it).
using ReplyBytes = std::vector<std::shared_ptr<const std::string>>;

size_t SizeOf(const ReplyBytes& bytes);
std::string Joined(const ReplyBytes& bytes);

// One answer of the exporter's HTTP listener, before it is framed.
struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  // When not empty, the body is these pieces in order (and `body` is unused).
  ReplyBytes body_parts;
  // `body` already gzipped, where the handler keeps it compressed (/metrics); sent instead of
  // `body` (which may then be left empty) when the client takes gzip. Empty: `body` is compressed
  // when sent, if large enough to gain.
  std::string gzipped_body;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond the framing ones

  static HttpReply Text(int status, std::string body) {
    HttpReply reply;
    reply.status = status;
    reply.body = std::move(body);
    return reply;
  }
};

// The bytes on the wire: status line, headers (Content-Length, Connection, and
// Content-Encoding when the body is gzipped because `gzip_ok` and it is large enough to gain)
// and the body (left out when `head_only`, for HEAD). The body's pieces are shared, not copied.
ReplyBytes FrameReply(HttpReply reply, bool keep_alive, bool gzip_ok, bool head_only);

}  // namespace tikv_exporter
