#include "exporter/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <atomic>
#include <chrono>

#include "exporter/snapshot_proto.h"
#include "tikv_exporter.grpc.pb.h"  // generated from proto/tikv_exporter.proto

namespace tikv_exporter {
namespace {

// How often a watch that has nothing to send checks that its client is still there.
constexpr auto kWatchTick = std::chrono::milliseconds(250);

class SnapshotServiceImpl final : public v1::SnapshotService::Service {
 public:
  explicit SnapshotServiceImpl(const SnapshotHistory* history) : history_(history) {}

  void Stop() { stopping_ = true; }

  grpc::Status GetSnapshot(grpc::ServerContext*, const v1::GetSnapshotRequest*, v1::Snapshot* response) override {
    std::shared_ptr<const Snapshot> latest = history_->WaitNewer(0, std::chrono::steady_clock::now());
    if (!latest) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "no poll has finished yet");
    SnapshotToProto(*latest, response);
    return grpc::Status::OK;
  }

  grpc::Status WatchSnapshots(grpc::ServerContext* context, const v1::WatchSnapshotsRequest*,
                              grpc::ServerWriter<v1::Snapshot>* writer) override {
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

 private:
  const SnapshotHistory* history_;
  std::atomic<bool> stopping_{false};
};

}  // namespace

struct GrpcServer::Impl {
  explicit Impl(const SnapshotHistory* history) : service(history) {}
  SnapshotServiceImpl service;
  std::unique_ptr<grpc::Server> server;
};

GrpcServer::GrpcServer(const SnapshotHistory* history) : impl_(std::make_unique<Impl>(history)) {}

GrpcServer::~GrpcServer() { Stop(); }

Status GrpcServer::Start(const std::string& listen_address) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen_address, grpc::InsecureServerCredentials(), &port);
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
