#include "collectors/upstream_error.h"

namespace tikv_exporter {

Status HttpStatusError(std::string_view url, const HttpResponse& response) {
  std::string message =
      "GET " + std::string(url) + " answered HTTP " + std::to_string(response.status);
  if (response.status == 400 &&
      response.body.find("Client sent an HTTP request to an HTTPS server") != std::string::npos) {
    message +=
        " \"Client sent an HTTP request to an HTTPS server\": it serves HTTPS only; use https:// "
        "and " +
        std::string(kTlsSettingsHint);
  }
  return Status::Unavailable(std::move(message));
}

Status WithHttpsHint(const Status& error, std::string_view url, bool tls_configured) {
  if (error.ok() || tls_configured || !url.starts_with("https://")) return error;
  std::string message = error.message() + " (" + std::string(url) +
                        " is https:// but [security] is empty: " + std::string(kTlsSettingsHint) +
                        ")";
  return error.WithMessage(std::move(message));
}

}  // namespace tikv_exporter
