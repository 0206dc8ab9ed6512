#include "exporter/http_endpoints.h"

#include <charconv>
#include <memory>
#include <string_view>

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

HttpReply Snapshots(const HttpHandlers& h, const HttpRequest& request) {
  int64_t since = 0;
  if (auto it = request.query.find("since"); it != request.query.end()) {
    const std::string& text = it->second;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), since);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
      return HttpReply::Text(400, "since must be a unix time in milliseconds\n");
    }
  }
  return Content(h.snapshots_json(since), "application/json");
}

constexpr std::string_view kNoPdData =
    "No PD data yet: the PD collector is off or PD has not answered.\n";

}  // namespace

HttpServerHooks HooksOf(const HttpHandlers& handlers) {
  return {handlers.on_request, handlers.on_limit};
}

void RegisterEndpoints(HttpServer& server, const HttpHandlers& handlers) {
  auto h = std::make_shared<const HttpHandlers>(handlers);
  server.Handle("GET", "/metrics", [h](const HttpRequest&) {
    return Content(h->metrics(), "text/plain; version=0.0.4; charset=utf-8");
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
    Status reloaded = h->reload ? h->reload() : Status::Error("reload is not available");
    if (!reloaded.ok()) {
      return HttpReply::Text(
          500, "Reload failed, the running config is kept: " + reloaded.message() + "\n");
    }
    return HttpReply::Text(200, "Reloaded.\n");
  });
}

}  // namespace tikv_exporter
