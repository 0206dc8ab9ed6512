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
  // httplib writes a response's head and body apart; TiKV's status server (hyper) and PD (Go, no
  // Nagle) send a small one whole. With Nagle the body waited for the ACK of the head, which a
  // client on a kept-alive connection delays by 40 ms: every small answer after a poll's first
  // took 40 ms longer than from TiKV.
  server->set_tcp_nodelay(true);
  return server;
}

}  // namespace tikv_exporter::sim
