#pragma once

#include <openssl/ssl.h>

#include <string>

#include "server/http_server.h"

namespace tikv_exporter {

// Sets up the TLS context of the exporter's HTTPS listener: TLS 1.2 or 1.3 at least, the
// certificate and key (checked against each other), client certificates when client_ca_file is
// set. The certificate and key files are read again on every handshake and used when they are a
// valid pair, so a rotated certificate is served without a restart (a half-written file keeps
// the previous pair). `options` must outlive the context. False with OpenSSL's error queued.
bool ConfigureWebTls(SSL_CTX& context, const HttpServerOptions* options);

// The error message for a ConfigureWebTls() failure, naming the files.
std::string DescribeWebTlsFailure(const HttpServerOptions& options);

}  // namespace tikv_exporter
