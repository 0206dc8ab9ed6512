#include "server/http_routes.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <string_view>

namespace tikv_exporter {
namespace {

struct Endpoint {
  std::string_view path;
  std::string_view method;  // GET endpoints answer HEAD too
  std::function<HttpReply(const HttpHandlers&, const HttpRequest&)> answer;
};

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

constexpr std::string_view kNoPdData = "No PD data yet: the PD collector is off or PD has not answered.\n";

const Endpoint kEndpoints[] = {
    {"/metrics", "GET",
     [](const HttpHandlers& h, const HttpRequest&) {
       return Content(h.metrics(), "text/plain; version=0.0.4; charset=utf-8");
     }},
    {"/", "GET",
     [](const HttpHandlers& h, const HttpRequest&) { return Content(h.landing_page(), "text/html; charset=utf-8"); }},
    {"/api/v1/snapshot", "GET",
     [](const HttpHandlers& h, const HttpRequest&) { return Content(h.snapshot_json(), "application/json"); }},
    {"/api/v1/snapshots", "GET", Snapshots},
    {"/api/v1/health", "GET",
     [](const HttpHandlers& h, const HttpRequest&) {
       auto [passing, json] = h.health_json();
       HttpReply reply = Content(std::move(json), "application/json");
       if (!passing) reply.status = 503;
       return reply;
     }},
    {"/api/v1/targets", "GET",
     [](const HttpHandlers& h, const HttpRequest&) { return JsonOr503(h.targets_json, kNoPdData); }},
    {"/api/v1/cluster", "GET",
     [](const HttpHandlers& h, const HttpRequest&) { return JsonOr503(h.cluster_json, kNoPdData); }},
    {"/api/v1/rocksdb", "GET",
     [](const HttpHandlers& h, const HttpRequest&) {
       return JsonOr503(h.rocksdb_json, "No RocksDB stats dump yet: the LOG collector is off or has read none.\n");
     }},
    {"/-/healthy", "GET", [](const HttpHandlers&, const HttpRequest&) { return HttpReply::Text(200, "Healthy.\n"); }},
    {"/-/ready", "GET",
     [](const HttpHandlers& h, const HttpRequest&) {
       return h.ready() ? HttpReply::Text(200, "Ready.\n")
                        : HttpReply::Text(503, "Not ready: no source has answered yet.\n");
     }},
    {"/-/reload", "POST",
     [](const HttpHandlers& h, const HttpRequest&) {
       if (!h.reload) return HttpReply::Text(500, "Reload is not available.\n");
       auto [status, text] = h.reload();
       return HttpReply::Text(status, std::move(text));
     }},
};

}  // namespace

HttpReply Route(const HttpHandlers& handlers, BasicAuth& auth, const HttpRequest& request) {
  if (auth.enabled() && request.path != "/-/healthy") {
    switch (auth.Check(request.Header("authorization"))) {
      case AuthResult::kAllowed:
        if (handlers.on_limit) handlers.on_limit(Limit::kHttpAuthConcurrency, false, "");
        break;
      case AuthResult::kBusy: {
        // A flood of new passwords must not take the CPU the scraper needs: one bcrypt at a time,
        // a few checks queued for a short while, the rest told to come back.
        if (handlers.on_limit) {
          handlers.on_limit(Limit::kHttpAuthConcurrency, true,
                            "answering 429: the queue for the password check is full or its wait ran out");
        }
        HttpReply reply = HttpReply::Text(429, "Too many password checks at once; retry.\n");
        reply.headers.emplace_back("Retry-After", "1");
        return reply;
      }
      case AuthResult::kDenied: {
        HttpReply reply = HttpReply::Text(401, "Unauthorized.\n");
        reply.headers.emplace_back("WWW-Authenticate", "Basic realm=\"tikv-exporter\"");
        return reply;
      }
    }
  }
  for (const Endpoint& endpoint : kEndpoints) {
    if (endpoint.path != request.path) continue;
    const bool allowed = request.method == endpoint.method || (endpoint.method == "GET" && request.method == "HEAD");
    if (!allowed) {
      HttpReply reply = HttpReply::Text(405, "Method not allowed.\n");
      reply.headers.emplace_back("Allow", endpoint.method == "GET" ? "GET, HEAD" : std::string(endpoint.method));
      return reply;
    }
    return endpoint.answer(handlers, request);
  }
  return HttpReply::Text(404, "Not found.\n");
}

}  // namespace tikv_exporter
