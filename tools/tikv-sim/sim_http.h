#pragma once

#include <memory>
#include <string>

namespace httplib {
class Server;
}

namespace tikv_exporter::sim {

// TLS as a TiKV or PD with [security] set serves it: HTTPS only, a client certificate signed by
// `ca` required. Off when `cert` is empty.
struct SimTls {
  std::string ca;
  std::string cert;
  std::string key;
  bool enabled() const { return !cert.empty(); }
};

// An httplib server (HTTPS when `tls` is on) that fails to bind a port another process holds.
// Null when the TLS files cannot be loaded.
std::unique_ptr<httplib::Server> MakeSimHttpServer(const SimTls& tls);

}  // namespace tikv_exporter::sim
