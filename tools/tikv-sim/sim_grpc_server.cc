#include "tools/tikv-sim/sim_grpc_server.h"

#include <grpcpp/grpcpp.h>

#include <chrono>

#include "tools/tikv-sim/sim_files.h"

namespace tikv_exporter::sim {
namespace {

// Like TiKV and PD with [security]: TLS, and a client certificate signed by the CA required.
std::shared_ptr<grpc::ServerCredentials> Credentials(const SimTls& tls) {
  if (!tls.enabled()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = ReadWholeFile(tls.ca).value_or("");
  options.pem_key_cert_pairs.push_back({ReadWholeFile(tls.key).value_or(""), ReadWholeFile(tls.cert).value_or("")});
  return grpc::SslServerCredentials(options);
}

}  // namespace

std::unique_ptr<grpc::Server> StartSimGrpcServer(const std::string& address, const SimTls& tls,
                                                 grpc::Service* service) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(address, Credentials(tls), &port);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (port == 0) return nullptr;
  return server;
}

void StopSimGrpcServer(std::unique_ptr<grpc::Server>* server) {
  if (!*server) return;
  (*server)->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  server->reset();
}

}  // namespace tikv_exporter::sim
