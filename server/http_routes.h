#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/limits.h"
#include "server/basic_auth.h"
#include "server/http_reply.h"
#include "server/http_request.h"

namespace tikv_exporter {

// A route's answer, computed on one of the server's worker threads from the parsed request:
// must be thread-safe.
using HttpHandler = std::function<HttpReply(const HttpRequest&)>;

// What a server reports: each answered request (its path and status), and each client bound
// (common/limits.h) hit (`hit`, with what happened in `detail`) or passed (`hit` false). Called
// from the event loop and the workers: must be thread-safe.
struct HttpServerHooks {
  std::function<void(const std::string& path, int status)> on_request;
  std::function<void(Limit limit, bool hit, const std::string& detail)> on_limit;
  // A worker starts (+1) or has finished (-1) computing an answer (workers only).
  std::function<void(int delta)> on_in_flight;
};

// The routes a server answers and the policy every route shares: basic auth unless the route is
// public (429 while another password check runs), the method (a GET route answers HEAD too;
// another method is 405 with Allow), 404 for a path no route has. Names no endpoint: the
// application adds them. Filled before the server runs, then only read (thread-safe reads).
class HttpRoutes {
 public:
  void Add(std::string method, std::string path, HttpHandler handler, bool public_route);
  HttpReply Answer(const HttpRequest& request, BasicAuth& auth, const HttpServerHooks& hooks) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    HttpHandler handler;
    bool public_route = false;
  };
  std::vector<Route> routes_;
};

}  // namespace tikv_exporter
