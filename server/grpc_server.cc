#include "server/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>

#include <atomic>
#include <chrono>

#include "snapshot/snapshot_proto.h"
#include "tikv_exporter.grpc.pb.h"  // generated from proto/tikv_exporter.proto

namespace tikv_exporter {
namespace {

// How often a watch that has nothing to send checks that its client is still there.
constexpr auto kWatchTick = std::chrono::milliseconds(250);

class SnapshotServiceImpl final : public v1::SnapshotService::Service {
 public:
  SnapshotServiceImpl(const SnapshotHistory* history, int max_watchers, LimitTracker* limits)
      : history_(history), max_watchers_(max_watchers), limits_(limits) {}

  void Stop() { stopping_ = true; }

  grpc::Status GetSnapshot(grpc::ServerContext*, const v1::GetSnapshotRequest*, v1::Snapshot* response) override {
    std::shared_ptr<const Snapshot> latest = history_->WaitNewer(0, std::chrono::steady_clock::now());
    if (!latest) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "no poll has finished yet");
    SnapshotToProto(*latest, response);
    return grpc::Status::OK;
  }

  grpc::Status WatchSnapshots(grpc::ServerContext* context, const v1::WatchSnapshotsRequest*,
                              grpc::ServerWriter<v1::Snapshot>* writer) override {
    if (watchers_.fetch_add(1) >= max_watchers_) {
      watchers_.fetch_sub(1);
      if (limits_ != nullptr) limits_->Hit(Limit::kGrpcWatchers, std::to_string(max_watchers_) + " watches are open");
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "too many open watches ([exporter] max_grpc_watchers = " + std::to_string(max_watchers_) + ")");
    }
    if (limits_ != nullptr) limits_->Clear(Limit::kGrpcWatchers);
    grpc::Status status = Watch(context, writer);
    watchers_.fetch_sub(1);
    return status;
  }

 private:
  grpc::Status Watch(grpc::ServerContext* context, grpc::ServerWriter<v1::Snapshot>* writer) {
    uint64_t sent = 0;
    // Only ever the newest snapshot is written: a reader slower than the polls skips some, and
    // the poll loop (which only pushes to the history) never waits for it.
    while (!stopping_ && !context->IsCancelled()) {
      std::shared_ptr<const Snapshot> next = history_->WaitNewer(sent, std::chrono::steady_clock::now() + kWatchTick);
      if (!next) continue;
      v1::Snapshot message;
      SnapshotToProto(*next, &message);
      if (!writer->Write(message)) break;
      sent = next->sequence;
    }
    return grpc::Status::OK;
  }

  const SnapshotHistory* history_;
  const int max_watchers_;
  LimitTracker* const limits_;
  std::atomic<int> watchers_{0};
  std::atomic<bool> stopping_{false};
};

std::shared_ptr<grpc::ServerCredentials> Credentials(const GrpcServerOptions& options) {
  if (options.cert_file.empty()) return grpc::InsecureServerCredentials();
  namespace tls = grpc::experimental;
  constexpr unsigned kRefreshSeconds = 10;  // how soon a rotated certificate is picked up
  auto files = std::make_shared<tls::FileWatcherCertificateProvider>(options.key_file, options.cert_file,
                                                                      options.client_ca_file, kRefreshSeconds);
  tls::TlsServerCredentialsOptions tls_options(files);
  tls_options.watch_identity_key_cert_pairs();
  if (!options.client_ca_file.empty()) {
    tls_options.watch_root_certs();
    tls_options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return tls::TlsServerCredentials(tls_options);
}

}  // namespace

struct GrpcServer::Impl {
  Impl(const SnapshotHistory* history, GrpcServerOptions options, LimitTracker* limits)
      : options(std::move(options)), service(history, this->options.max_watchers, limits) {}
  GrpcServerOptions options;
  SnapshotServiceImpl service;
  std::unique_ptr<grpc::Server> server;
};

GrpcServer::GrpcServer(const SnapshotHistory* history, GrpcServerOptions options, LimitTracker* limits)
    : impl_(std::make_unique<Impl>(history, std::move(options), limits)) {}

GrpcServer::~GrpcServer() { Stop(); }

Status GrpcServer::Start(const std::string& listen_address) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen_address, Credentials(impl_->options), &port);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(&impl_->service);
  impl_->server = builder.BuildAndStart();
  if (!impl_->server || port == 0) {
    impl_->server.reset();
    return Status::Error("cannot listen for gRPC on " + listen_address);
  }
  return Status::Ok();
}

void GrpcServer::Stop() {
  if (!impl_->server) return;
  impl_->service.Stop();
  impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  impl_->server.reset();
}

}  // namespace tikv_exporter
