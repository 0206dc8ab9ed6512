#include "client/snapshot_client.h"

#include <grpcpp/grpcpp.h>

#include "tikv_exporter.grpc.pb.h"  // generated from proto/tikv_exporter.proto

namespace tikv_exporter::client {
namespace {

MetricsSnapshot FromProto(const v1::Snapshot& s) {
  MetricsSnapshot out;
  out.timestamp_ms = s.timestamp_ms();
  out.sequence = s.sequence();
  if (s.has_qps()) out.qps = s.qps();
  if (s.latency_ms().has_avg()) out.latency_ms = s.latency_ms().avg();
  if (s.latency_ms().has_p99()) out.latency_p99_ms = s.latency_ms().p99();
  if (s.storage_size().has_used_bytes()) out.storage_size = s.storage_size().used_bytes();
  if (s.storage_size().has_capacity_bytes()) out.storage_capacity = s.storage_size().capacity_bytes();
  if (s.has_compaction_pending_bytes()) out.compaction_pending = s.compaction_pending_bytes();
  out.qps_by_type.insert(s.qps_by_type().begin(), s.qps_by_type().end());
  for (const auto& [name, health] : s.sources()) out.sources_up[name] = health.up();
  return out;
}

Status FromGrpc(const grpc::Status& status, const char* call) {
  if (status.ok()) return Status::Ok();
  return Status::Unavailable(std::string(call) + ": gRPC " + std::to_string(status.error_code()) + " " +
                       status.error_message());
}

}  // namespace

struct SnapshotClient::Impl {
  std::unique_ptr<v1::SnapshotService::Stub> stub;
};

SnapshotClient::SnapshotClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SnapshotClient::~SnapshotClient() = default;

std::unique_ptr<SnapshotClient> SnapshotClient::Connect(const std::string& address) {
  auto impl = std::make_unique<Impl>();
  impl->stub = v1::SnapshotService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  return std::unique_ptr<SnapshotClient>(new SnapshotClient(std::move(impl)));
}

StatusOr<MetricsSnapshot> SnapshotClient::Get(std::chrono::milliseconds timeout) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  v1::Snapshot response;
  Status status = FromGrpc(impl_->stub->GetSnapshot(&context, v1::GetSnapshotRequest(), &response), "GetSnapshot");
  if (!status.ok()) return status;
  return FromProto(response);
}

Status SnapshotClient::Watch(const std::function<bool(const MetricsSnapshot&)>& on_snapshot) {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::Snapshot>> reader =
      impl_->stub->WatchSnapshots(&context, v1::WatchSnapshotsRequest());
  v1::Snapshot message;
  while (reader->Read(&message)) {
    if (!on_snapshot(FromProto(message))) {
      context.TryCancel();
      reader->Finish();
      return Status::Ok();
    }
  }
  return FromGrpc(reader->Finish(), "WatchSnapshots");
}

}  // namespace tikv_exporter::client
