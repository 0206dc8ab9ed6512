#pragma once

#include "server/basic_auth.h"
#include "server/http_reply.h"
#include "server/http_request.h"
#include "server/http_server.h"

namespace tikv_exporter {

// The exporter's endpoints: checks basic auth (every path but /-/healthy), the method, and
// answers from `handlers` (401 with WWW-Authenticate when denied, 429 with Retry-After when the
// wait for a password check is refused). Thread-safe as the handlers and BasicAuth are.
HttpReply Route(const HttpHandlers& handlers, BasicAuth& auth, const HttpRequest& request);

}  // namespace tikv_exporter
