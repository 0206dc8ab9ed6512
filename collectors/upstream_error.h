#pragma once

#include <string>
#include <string_view>

#include "collectors/http_fetcher.h"
#include "common/status.h"

namespace tikv_exporter {

// What to set when the exporter and an upstream disagree about TLS.
inline constexpr std::string_view kTlsSettingsHint =
    "set [security] ca_path, cert_path and key_path";

// How a fetch that failed for want of a descriptor in the exporter itself begins its error: the
// health verdict tells it apart from an upstream that does not answer.
inline constexpr std::string_view kOutOfDescriptors = "out of file descriptors";
inline bool IsOutOfDescriptors(std::string_view error) { return error.starts_with(kOutOfDescriptors); }

// "GET <url> answered HTTP <status>". When the body is what a Go HTTPS server (PD) answers to
// plain HTTP on its port — 400 "Client sent an HTTP request to an HTTPS server." — the error
// says so and what to set, instead of a bare 400.
Status HttpStatusError(std::string_view url, const HttpResponse& response);

// `error` from an attempt on `url`; when `url` is https:// and [security] is empty, with what
// to set appended.
Status WithHttpsHint(const Status& error, std::string_view url, bool tls_configured);

}  // namespace tikv_exporter
