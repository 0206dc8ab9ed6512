#pragma once

#include <string>
#include <string_view>

#include "collectors/http_fetcher.h"
#include "common/status.h"

namespace tikv_exporter {

// What to set when the exporter and an upstream disagree about TLS.
inline constexpr std::string_view kTlsSettingsHint =
    "set [security] ca_path, cert_path and key_path";

// "GET <url> answered HTTP <status>". When the body is what a Go HTTPS server (PD) answers to
// plain HTTP on its port — 400 "Client sent an HTTP request to an HTTPS server." — the error
// says so and what to set, instead of a bare 400.
Status HttpStatusError(std::string_view url, const HttpResponse& response);

// `error` from an attempt on `url`; when `url` is https:// and [security] is empty, with what
// to set appended.
Status WithHttpsHint(const Status& error, std::string_view url, bool tls_configured);

}  // namespace tikv_exporter
