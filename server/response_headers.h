#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace tikv_exporter {

// The security headers an operator may add to every answer of the exporter's listener ([web.headers]
// in TOML, http_server_config.headers in an exporter-toolkit web config file): the same five that
// exporter-toolkit allows, with its value rules:
//   Content-Security-Policy, X-XSS-Protection, Strict-Transport-Security  any value
//   X-Frame-Options                                                      deny | sameorigin
//   X-Content-Type-Options                                               nosniff
// A name is matched ignoring case and returned in the casing above. A value must be printable
// ASCII (no CR or LF: nothing can be smuggled into the answer's head) of at most 1024 bytes.
// An empty value means "unset", as in exporter-toolkit: the caller leaves the header out.
StatusOr<std::string> CanonicalResponseHeader(std::string_view name, std::string_view value);

inline constexpr size_t kMaxResponseHeaderValueBytes = 1024;

}  // namespace tikv_exporter
