#include "exporter/http_endpoints.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <string_view>

#include "server/http_request.h"

namespace tikv_exporter {
namespace {

HttpReply Content(std::string body, std::string content_type) {
  HttpReply reply;
  reply.body = std::move(body);
  reply.content_type = std::move(content_type);
  return reply;
}

// JSON from `produce`, or 503 with `unavailable` when it has nothing ("").
HttpReply JsonOr503(const std::function<std::string()>& produce, std::string_view unavailable) {
  std::string body = produce ? produce() : "";
  if (body.empty()) return HttpReply::Text(503, std::string(unavailable));
  return Content(std::move(body), "application/json");
}

// The integer query parameter `name`, `fallback` when absent; false when it is not an integer.
template <typename Int>
bool IntParam(const HttpRequest& request, const char* name, Int fallback, Int* value) {
  *value = fallback;
  auto it = request.query.find(name);
  if (it == request.query.end()) return true;
  const std::string& text = it->second;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

// 3,600 snapshots were 20 MB per answer: a page holds kDefaultSnapshotsPage unless `limit` says
// otherwise, and never more than kMaxSnapshotsPage (a larger limit is capped, not refused).
constexpr size_t kDefaultSnapshotsPage = 100;
constexpr size_t kMaxSnapshotsPage = 1000;

HttpReply Snapshots(const HttpHandlers& h, const HttpRequest& request) {
  int64_t since = 0;
  if (!IntParam<int64_t>(request, "since", 0, &since)) {
    return HttpReply::Text(400, "since must be a unix time in milliseconds\n");
  }
  size_t limit = 0;
  if (!IntParam(request, "limit", kDefaultSnapshotsPage, &limit) || limit == 0) {
    return HttpReply::Text(400, "limit must be a positive integer (at most " + std::to_string(kMaxSnapshotsPage) +
                                    " snapshots are answered)\n");
  }
  return Content(h.snapshots_json(since, std::min(limit, kMaxSnapshotsPage), request.method == "HEAD"),
                 "application/json");
}

constexpr std::string_view kNoPdData =
    "No PD data yet: the PD collector is off or PD has not answered.\n";

}  // namespace

HttpServerHooks HooksOf(const HttpHandlers& handlers) {
  return {handlers.on_request, handlers.on_limit, handlers.on_in_flight};
}

void RegisterEndpoints(HttpServer& server, const HttpHandlers& handlers) {
  auto h = std::make_shared<const HttpHandlers>(handlers);
  server.Handle("GET", "/metrics", [h](const HttpRequest& request) {
    const ExpositionFormat format = ChooseExpositionFormat(request.Header("accept"));
    MetricsAnswer answer = h->metrics(format, AcceptsGzip(request.Header("accept-encoding")));
    HttpReply reply = Content("", ExpositionContentType(format));
    reply.body_parts = std::move(answer.text);
    reply.gzipped_body = std::move(answer.gzipped);
    // The body depends on Accept: a cache in between must not serve one client's format to another.
    reply.headers.emplace_back("Vary", "Accept");
    return reply;
  });
  server.Handle("GET", "/", [h](const HttpRequest&) {
    return Content(h->landing_page(), "text/html; charset=utf-8");
  });
  server.Handle("GET", "/api/v1/snapshot", [h](const HttpRequest&) {
    return Content(h->snapshot_json(), "application/json");
  });
  server.Handle("GET", "/api/v1/snapshots",
                [h](const HttpRequest& request) { return Snapshots(*h, request); });
  server.Handle("GET", "/api/v1/health", [h](const HttpRequest&) {
    auto [passing, json] = h->health_json();
    HttpReply reply = Content(std::move(json), "application/json");
    if (!passing) reply.status = 503;
    return reply;
  });
  server.Handle("GET", "/api/v1/targets",
                [h](const HttpRequest&) { return JsonOr503(h->targets_json, kNoPdData); });
  server.Handle("GET", "/api/v1/cluster",
                [h](const HttpRequest&) { return JsonOr503(h->cluster_json, kNoPdData); });
  server.Handle("GET", "/api/v1/rocksdb", [h](const HttpRequest&) {
    return JsonOr503(h->rocksdb_json,
                     "No RocksDB stats dump yet: the LOG collector is off or has read none.\n");
  });
  // Liveness needs no credentials: a Kubernetes probe has none.
  server.Handle(
      "GET", "/-/healthy", [](const HttpRequest&) { return HttpReply::Text(200, "Healthy.\n"); },
      /*public_route=*/true);
  server.Handle("GET", "/-/ready", [h](const HttpRequest&) {
    return h->ready() ? HttpReply::Text(200, "Ready.\n")
                      : HttpReply::Text(503, "Not ready: no source has answered yet.\n");
  });
  server.Handle("POST", "/-/reload", [h](const HttpRequest&) {
    if (!h->reload) return HttpReply::Text(500, "Reload is not available.\n");
    auto [status, text] = h->reload();
    return HttpReply::Text(status, std::move(text));
  });
}

}  // namespace tikv_exporter
