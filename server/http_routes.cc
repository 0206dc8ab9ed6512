#include "server/http_routes.h"

#include <optional>

namespace tikv_exporter {
namespace {

bool Allows(const std::string& route_method, const std::string& method) {
  return method == route_method || (route_method == "GET" && method == "HEAD");
}

// A route's auth answer, or nothing when the request may go on.
std::optional<HttpReply> Authorize(const HttpRequest& request, BasicAuth& auth,
                                   const HttpServerHooks& hooks) {
  switch (auth.Check(request.Header("authorization"))) {
    case AuthResult::kAllowed:
      if (hooks.on_limit) hooks.on_limit(Limit::kHttpAuthConcurrency, false, "");
      return std::nullopt;
    case AuthResult::kBusy: {
      // A flood of new passwords must not take the CPU the scraper needs: one bcrypt at a time,
      // a few checks queued for a short while, the rest told to come back.
      if (hooks.on_limit) {
        hooks.on_limit(Limit::kHttpAuthConcurrency, true,
                       "answering 429: the queue for the password check is full or its wait ran out");
      }
      HttpReply reply = HttpReply::Text(429, "Too many password checks at once; retry.\n");
      reply.headers.emplace_back("Retry-After", "1");
      return reply;
    }
    case AuthResult::kDenied:
      break;
  }
  HttpReply reply = HttpReply::Text(401, "Unauthorized.\n");
  reply.headers.emplace_back("WWW-Authenticate", "Basic realm=\"tikv-exporter\"");
  return reply;
}

}  // namespace

void HttpRoutes::Add(std::string method, std::string path, HttpHandler handler, bool public_route) {
  routes_.push_back(Route{std::move(method), std::move(path), std::move(handler), public_route});
}

HttpReply HttpRoutes::Answer(const HttpRequest& request, BasicAuth& auth,
                             const HttpServerHooks& hooks) const {
  const Route* found = nullptr;
  std::string allow;
  bool public_path = false;
  for (const Route& route : routes_) {
    if (route.path != request.path) continue;
    public_path = public_path || route.public_route;
    if (Allows(route.method, request.method)) found = &route;
    allow += (allow.empty() ? "" : ", ") + route.method + (route.method == "GET" ? ", HEAD" : "");
  }
  // An unknown path asks for credentials too: without them a client learns nothing of the routes.
  if (auth.enabled() && !(found != nullptr ? found->public_route : public_path)) {
    if (std::optional<HttpReply> refused = Authorize(request, auth, hooks))
      return *std::move(refused);
  }
  if (found != nullptr) return found->handler(request);
  if (allow.empty()) return HttpReply::Text(404, "Not found.\n");
  HttpReply reply = HttpReply::Text(405, "Method not allowed.\n");
  reply.headers.emplace_back("Allow", allow);
  return reply;
}

}  // namespace tikv_exporter
