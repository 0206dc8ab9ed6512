#pragma once

#include <string>

#include "common/status.h"
#include "exporter/config.h"

namespace tikv_exporter {

// Bounds on a --web.config.file: exporter-toolkit's files are a few hundred bytes, three levels
// deep; anything far beyond that is refused before or while yaml-cpp parses it.
inline constexpr size_t kMaxWebConfigBytes = 64 << 10;
inline constexpr int kMaxWebConfigNesting = 8;      // [ and { inside each other
inline constexpr size_t kMaxWebConfigIndent = 64;   // columns of block indentation
inline constexpr size_t kMaxWebConfigUsers = 256;   // basic_auth_users entries

// Reads the exporter-toolkit web config file at `path` (the YAML node_exporter and Prometheus
// read with --web.config.file) into the [web] settings of `config`:
//   tls_server_config: cert_file, key_file, client_ca_file, min_version (TLS12 | TLS13),
//                      client_auth_type (NoClientCert, or RequireAndVerifyClientCert with
//                      client_ca_file: the only policies the listener implements), max_version
//                      (TLS13 only), prefer_server_cipher_suites (accepted: only forward-secret
//                      AEAD suites are offered);
//   http_server_config: headers (server/response_headers.h), http2 (accepted: HTTP/1.1 is served);
//   basic_auth_users: user -> bcrypt hash, validated as [web.basic_auth_users] is.
// Relative file names are relative to the directory of `path`, as exporter-toolkit resolves them.
// Any other key (cert/key inline, cipher_suites, client_allowed_sans, rate_limit, ...) is refused
// by name rather than ignored: a setting the operator relies on is never silently dropped. Errors
// name the file, the line and the key ("web.yml:3:14: tls_server_config.min_version: ...").
// Overwrites only the web_* fields; fails when `config` already has a [web] table (which one
// would win is not guessed). The file is bounded (kMaxWebConfig*) before and while it is parsed.
Status LoadWebConfigFile(const std::string& path, ExporterConfig* config);

}  // namespace tikv_exporter
