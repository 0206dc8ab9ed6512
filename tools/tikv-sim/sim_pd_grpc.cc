#include "tools/tikv-sim/sim_pd_grpc.h"

#include <grpcpp/grpcpp.h>

#include "pdpb.grpc.pb.h"  // generated from proto/pdpb.proto
#include "tools/tikv-sim/sim_grpc_server.h"
#include "tools/tikv-sim/sim_pd.h"

namespace tikv_exporter::sim {
namespace {

void FillMember(const SimPdCluster::MemberView& view, const std::string& scheme, pdpb::Member* member) {
  member->set_name(view.name);
  member->set_member_id(view.id);
  member->add_client_urls(scheme + view.grpc_address);
  member->add_peer_urls(scheme + view.grpc_address);
  member->set_binary_version("v8.1.0");
}

class PdService final : public pdpb::PD::Service {
 public:
  PdService(const SimPdCluster* cluster, size_t index) : cluster_(cluster), index_(index) {}

  grpc::Status GetMembers(grpc::ServerContext*, const pdpb::GetMembersRequest*,
                          pdpb::GetMembersResponse* response) override {
    SimPdCluster::View view = cluster_->Snapshot();
    response->mutable_header()->set_cluster_id(view.cluster_id);
    const std::string scheme = cluster_->Scheme();
    for (const SimPdCluster::MemberView& member : view.members) FillMember(member, scheme, response->add_members());
    FillMember(view.members[view.leader], scheme, response->mutable_leader());
    FillMember(view.members[view.leader], scheme, response->mutable_etcd_leader());
    return grpc::Status::OK;
  }

  grpc::Status GetAllStores(grpc::ServerContext*, const pdpb::GetAllStoresRequest* request,
                            pdpb::GetAllStoresResponse* response) override {
    SimPdCluster::View view = cluster_->Snapshot();
    if (grpc::Status refused = Validate(view, request->header()); !refused.ok()) return refused;
    response->mutable_header()->set_cluster_id(view.cluster_id);
    for (const SimPdCluster::Store& store : view.stores) {
      if (request->exclude_tombstone_stores() && store.state_name == "Tombstone") continue;
      FillStore(store, response->add_stores());
    }
    return grpc::Status::OK;
  }

  grpc::Status GetStore(grpc::ServerContext*, const pdpb::GetStoreRequest* request,
                        pdpb::GetStoreResponse* response) override {
    SimPdCluster::View view = cluster_->Snapshot();
    if (grpc::Status refused = Validate(view, request->header()); !refused.ok()) return refused;
    response->mutable_header()->set_cluster_id(view.cluster_id);
    for (const SimPdCluster::Store& store : view.stores) {
      if (store.id != request->store_id()) continue;
      FillStore(store, response->mutable_store());
      pdpb::StoreStats* stats = response->mutable_stats();
      stats->set_store_id(store.id);
      stats->set_capacity(static_cast<uint64_t>(store.capacity));
      stats->set_available(static_cast<uint64_t>(store.available));
      stats->set_used_size(static_cast<uint64_t>(store.used));
      stats->set_region_count(static_cast<uint32_t>(store.regions));
      stats->set_slow_score(static_cast<uint64_t>(store.slow_score));
      return grpc::Status::OK;
    }
    pdpb::Error* error = response->mutable_header()->mutable_error();
    error->set_type(pdpb::UNKNOWN);
    error->set_message("invalid store ID " + std::to_string(request->store_id()) + ", not found");
    return grpc::Status::OK;
  }

 private:
  grpc::Status Validate(const SimPdCluster::View& view, const pdpb::RequestHeader& header) const {
    if (view.leader != index_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "not leader");
    if (header.cluster_id() != view.cluster_id) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "mismatch cluster id, need " + std::to_string(view.cluster_id) + " but got " +
                              std::to_string(header.cluster_id()));
    }
    return grpc::Status::OK;
  }

  static void FillStore(const SimPdCluster::Store& store, metapb::Store* out) {
    out->set_id(store.id);
    out->set_address(store.address);
    out->set_status_address(store.status_address);
    out->set_version("8.1.0");
    out->set_state(store.state_name == "Offline"     ? metapb::Offline
                   : store.state_name == "Tombstone" ? metapb::Tombstone
                                                     : metapb::Up);
    out->set_last_heartbeat(SimPdCluster::HeartbeatFor(store.state_name));
    out->set_node_state(metapb::Serving);
    if (store.engine != "tikv") {
      metapb::StoreLabel* label = out->add_labels();
      label->set_key("engine");
      label->set_value(store.engine);
    }
  }

  const SimPdCluster* cluster_;
  const size_t index_;
};

}  // namespace

struct SimPdGrpcMember::Impl {
  Impl(const SimPdCluster* cluster, size_t index) : cluster(cluster), service(cluster, index) {}
  const SimPdCluster* cluster;
  PdService service;
  std::unique_ptr<grpc::Server> server;
};

SimPdGrpcMember::SimPdGrpcMember(const SimPdCluster* cluster, size_t index)
    : impl_(std::make_unique<Impl>(cluster, index)) {}

SimPdGrpcMember::~SimPdGrpcMember() { Stop(); }

bool SimPdGrpcMember::Start(const std::string& address) {
  if (!impl_->server) impl_->server = StartSimGrpcServer(address, impl_->cluster->tls(), &impl_->service);
  return impl_->server != nullptr;
}

void SimPdGrpcMember::Stop() { StopSimGrpcServer(&impl_->server); }

}  // namespace tikv_exporter::sim
