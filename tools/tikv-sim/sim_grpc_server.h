#pragma once

#include <memory>
#include <string>

#include "tools/tikv-sim/sim_http.h"

namespace grpc {
class Server;
class Service;
}  // namespace grpc

namespace tikv_exporter::sim {

// A gRPC server of the simulated cluster (PD's pdpb.PD, TiKV's debugpb.Debug) serving `service`
// on `address`: plain, or with `tls` TLS only with a client certificate signed by its CA
// required, as a cluster with [security] serves. Refuses a port another process holds. Null
// when it cannot listen.
std::unique_ptr<grpc::Server> StartSimGrpcServer(const std::string& address, const SimTls& tls, grpc::Service* service);

// Shuts `server` down (calls still running are cancelled after 200 ms) and resets it.
void StopSimGrpcServer(std::unique_ptr<grpc::Server>* server);

}  // namespace tikv_exporter::sim
