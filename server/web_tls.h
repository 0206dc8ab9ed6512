#pragma once

#include <openssl/ssl.h>

#include <string>

#include "server/http_server.h"

namespace tikv_exporter {

// TLS 1.2 cipher suites of the exporter's HTTPS listener: forward secrecy and AEAD only, the
// list Prometheus' exporter-toolkit (Go's crypto/tls) offers by default. TLS 1.3 suites are
// OpenSSL's (all of them are).
inline constexpr const char* kWebTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Certificate and key files are read only when they are regular files (a FIFO would block), and
// up to this size each.
inline constexpr size_t kMaxWebTlsFileBytes = 1 << 20;

// Sets up the TLS context of the exporter's HTTPS listener: TLS 1.2 or 1.3 at least, the cipher
// suites above, the certificate and key (checked against each other), client certificates when
// client_ca_file is set. The certificate and key files are read again on every handshake; the
// last pair that was valid is served, so a rotated certificate is used without a restart, and a
// half-written, mismatched or removed file keeps the last good pair. A failure and the recovery
// are logged once each (per distinct failure), not once per handshake. The context owns what it
// needs; `options` is only read here. False with the reason for DescribeWebTlsFailure().
bool ConfigureWebTls(SSL_CTX& context, const HttpServerOptions* options);

// Ok when `cert_pem` holds a PEM certificate (and chain) and `key_pem` its private key; else an
// error naming `cert_file` or `key_file`. The gRPC listener checks its pair with it.
Status CheckWebTlsPair(const std::string& cert_pem, const std::string& key_pem, const std::string& cert_file,
                       const std::string& key_file);

// The error message for a ConfigureWebTls() failure (in the same thread), naming the files.
std::string DescribeWebTlsFailure(const HttpServerOptions& options);

}  // namespace tikv_exporter
