#include "tools/tikv-sim/sim_debug_service.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "debugpb.grpc.pb.h"  // generated from proto/debugpb.proto
#include "tools/tikv-sim/sim_grpc_server.h"
#include "tools/tikv-sim/sim_node.h"
#include "tools/tikv-sim/sim_rocksdb_dumps.h"

namespace tikv_exporter::sim {
namespace {

constexpr size_t kDefaultOversizedBytes = 72 << 20;
// rocksdb_raft with raft-engine on: whatever raft-engine says, it holds no RocksDB section.
constexpr const char* kRaftEngineText = "raft-engine: no RocksDB statistics\n";

class DebugService final : public debugpb::Debug::Service {
 public:
  DebugService(const SimNode* node, std::vector<std::string> dumps, std::vector<std::string> raft_dumps)
      : node_(node), dumps_(std::move(dumps)), raft_dumps_(std::move(raft_dumps)) {}

  grpc::Status GetMetrics(grpc::ServerContext* context, const debugpb::GetMetricsRequest* request,
                          debugpb::GetMetricsResponse* response) override {
    calls_.fetch_add(1);
    const uint64_t generation = generation_.load();
    switch (fault_.load()) {
      case DebugFault::kHang:
        // Holds the call until the fault changes, the caller's deadline passes or the server stops.
        while (generation_.load() == generation && !context->IsCancelled()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return grpc::Status(grpc::StatusCode::CANCELLED, "simulated hang ended");
      case DebugFault::kFail:
        return grpc::Status(grpc::StatusCode::UNAVAILABLE, "simulated debug service failure");
      case DebugFault::kOversized:
        response->set_rocksdb_kv(std::string(oversized_bytes_.load(), 'x'));
        return grpc::Status::OK;
      case DebugFault::kNone:
        break;
    }
    response->set_prometheus(node_->Render());
    response->set_store_id(1);
    if (request->all() && !dumps_.empty()) {
      const size_t call = next_dump_.fetch_add(1);
      response->set_rocksdb_kv(WithWriteStall(dumps_[call % dumps_.size()], node_->KvStallMicros()));
      response->set_rocksdb_raft(raft_dumps_.empty() ? kRaftEngineText : raft_dumps_[call % raft_dumps_.size()]);
    }
    return grpc::Status::OK;
  }

  void SetFault(DebugFault fault, size_t oversized_bytes) {
    oversized_bytes_.store(oversized_bytes > 0 ? oversized_bytes : kDefaultOversizedBytes);
    fault_.store(fault);
    generation_.fetch_add(1);  // ends a hang
  }
  DebugFault fault() const { return fault_.load(); }
  uint64_t calls() const { return calls_.load(); }

 private:
  const SimNode* const node_;
  const std::vector<std::string> dumps_;
  const std::vector<std::string> raft_dumps_;  // empty: raft-engine
  std::atomic<size_t> next_dump_{0};
  std::atomic<DebugFault> fault_{DebugFault::kNone};
  std::atomic<size_t> oversized_bytes_{kDefaultOversizedBytes};
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> calls_{0};
};

}  // namespace

struct SimDebugService::Impl {
  Impl(const SimNode* node, std::vector<std::string> dumps, std::vector<std::string> raft_dumps, SimTls tls)
      : service(node, std::move(dumps), std::move(raft_dumps)), tls(std::move(tls)) {}
  DebugService service;
  const SimTls tls;
  std::unique_ptr<grpc::Server> server;
};

SimDebugService::SimDebugService(const SimNode* node, std::vector<std::string> dumps,
                                 std::vector<std::string> raft_dumps, SimTls tls)
    : impl_(std::make_unique<Impl>(node, std::move(dumps), std::move(raft_dumps), std::move(tls))) {}

SimDebugService::~SimDebugService() { Stop(); }

bool SimDebugService::Start(const std::string& address) {
  if (!impl_->server) impl_->server = StartSimGrpcServer(address, impl_->tls, &impl_->service);
  return impl_->server != nullptr;
}

void SimDebugService::Stop() {
  impl_->service.SetFault(DebugFault::kNone, 0);  // a hung call returns, so the server can stop
  StopSimGrpcServer(&impl_->server);
}

void SimDebugService::SetFault(DebugFault fault, size_t oversized_bytes) { impl_->service.SetFault(fault, oversized_bytes); }

std::string SimDebugService::StateText() const {
  return "debug_fault " + std::string(NameOf(kDebugFaultNames, impl_->service.fault())) + " calls " +
         std::to_string(impl_->service.calls()) + "\n";
}

}  // namespace tikv_exporter::sim
