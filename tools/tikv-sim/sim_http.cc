#include "tools/tikv-sim/sim_http.h"

#include <httplib.h>

#include "common/exclusive_port.h"

namespace tikv_exporter::sim {

std::unique_ptr<httplib::Server> MakeSimHttpServer(const SimTls& tls) {
  std::unique_ptr<httplib::Server> server;
  if (tls.enabled()) {
    auto https = std::make_unique<httplib::SSLServer>(tls.cert.c_str(), tls.key.c_str(), tls.ca.c_str());
    if (!https->is_valid()) return nullptr;
    server = std::move(https);
  } else {
    server = std::make_unique<httplib::Server>();
  }
  server->set_socket_options(SetExclusivePortOptions);
  return server;
}

}  // namespace tikv_exporter::sim
