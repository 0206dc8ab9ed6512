#include <grpcpp/grpcpp.h>

#include <chrono>

#include "collectors/grpc_channel.h"
#include "collectors/pd/pd_bounds.h"
#include "collectors/pd/pd_client.h"
#include "common/clock.h"
#include "pdpb.grpc.pb.h"  // generated from proto/pdpb.proto

namespace tikv_exporter {
namespace {

// PD marks an Up store Disconnected after 20 s without a heartbeat and Down after
// max-store-down-time (default 30 min); its HTTP API says so in state_name, gRPC does not.
constexpr int64_t kDisconnectedAfterNs = 20LL * 1'000'000'000;
constexpr int64_t kDownAfterNs = 30LL * 60 * 1'000'000'000;
constexpr size_t kMaxChannels = 16;

StoreState StateOf(const metapb::Store& store, int64_t now_ns) {
  switch (store.state()) {
    case metapb::Offline:
      return StoreState::kOffline;
    case metapb::Tombstone:
      return StoreState::kTombstone;
    default:
      break;
  }
  const int64_t silent = store.last_heartbeat() > 0 ? now_ns - store.last_heartbeat() : 0;
  if (silent > kDownAfterNs) return StoreState::kDown;
  if (silent > kDisconnectedAfterNs) return StoreState::kDisconnected;
  return StoreState::kUp;
}

class PdGrpcClient : public PdClient {
 public:
  PdGrpcClient(std::string base_url, size_t max_message_bytes, UpstreamTls tls)
      : url_(std::move(base_url)), channels_(max_message_bytes, std::move(tls)) {}

  const std::string& url() const override { return url_; }

  Status FetchCluster(Clock::time_point deadline, PdData* data) override {
    pdpb::GetMembersRequest members_request;  // the one call that needs no cluster id
    pdpb::GetMembersResponse members;
    grpc::ClientContext members_context;
    SetDeadline(&members_context, deadline);
    if (Status s = Check("GetMembers", Stub(url_).GetMembers(&members_context, members_request, &members),
                         members.header());
        !s.ok()) {
      return s;
    }
    if (members.members_size() == 0) return Status::Malformed("PD " + url_ + " GetMembers: no members");
    data->cluster_id = members.header().cluster_id();
    for (const pdpb::Member& m : members.members()) {
      PdMember member;
      member.name = m.name();
      member.member_id = m.member_id();
      member.client_urls.assign(m.client_urls().begin(), m.client_urls().end());
      member.version = m.binary_version();
      member.leader = members.has_leader() && m.member_id() == members.leader().member_id();
      data->members.push_back(std::move(member));
    }
    // Only the leader serves store calls: followers answer Unavailable "not leader".
    std::string leader_url = url_;
    if (members.has_leader() && members.leader().client_urls_size() > 0) {
      leader_url = members.leader().client_urls(0);
    }
    pdpb::PD::Stub& leader = Stub(leader_url);

    pdpb::GetAllStoresRequest all_request;
    all_request.mutable_header()->set_cluster_id(data->cluster_id);
    all_request.set_exclude_tombstone_stores(true);
    pdpb::GetAllStoresResponse all;
    grpc::ClientContext all_context;
    SetDeadline(&all_context, deadline);
    if (Status s = Check("GetAllStores", leader.GetAllStores(&all_context, all_request, &all), all.header());
        !s.ok()) {
      return s;
    }
    // As over HTTP: more stores than any cluster has is refused, before a GetStore call for each.
    if (static_cast<size_t>(all.stores_size()) > kPdMaxStores) {
      return Status::LimitHit(Limit::kPdStores, "PD " + url_ + " GetAllStores: " + std::to_string(all.stores_size()) +
                                                    " stores, more than " + std::to_string(kPdMaxStores));
    }
    const int64_t now_ns = NowMs() * 1'000'000;
    for (const metapb::Store& meta : all.stores()) {
      PdStore store;
      store.id = meta.id();
      store.address = meta.address();
      store.status_address = meta.status_address();
      store.version = meta.version();
      store.state = StateOf(meta, now_ns);
      store.engine = "tikv";
      for (const metapb::StoreLabel& label : meta.labels()) {
        if (label.key() == "engine") store.engine = label.value();
      }
      store.last_heartbeat_ns = meta.last_heartbeat();
      // Statistics (exact bytes, region count) come only with GetStore, one store at a time.
      pdpb::GetStoreRequest store_request;
      store_request.mutable_header()->set_cluster_id(data->cluster_id);
      store_request.set_store_id(meta.id());
      pdpb::GetStoreResponse stats;
      grpc::ClientContext store_context;
      SetDeadline(&store_context, deadline);
      if (Status s = Check("GetStore", leader.GetStore(&store_context, store_request, &stats), stats.header());
          !s.ok()) {
        return s;
      }
      if (stats.has_stats()) {
        store.capacity_bytes = static_cast<double>(stats.stats().capacity());
        store.available_bytes = static_cast<double>(stats.stats().available());
        store.used_bytes = static_cast<double>(stats.stats().used_size());
        store.region_count = stats.stats().region_count();
        // The heartbeat's slow score (TiKV >= 5.3; 0 from older stores, as PD's HTTP JSON omits
        // it) and busy flag, which PD's HTTP /stores prints from the same heartbeat.
        if (stats.stats().slow_score() > 0) {
          store.slow_score = static_cast<double>(stats.stats().slow_score());
          store.busy = stats.stats().is_busy();
        }
      }
      data->stores.push_back(std::move(store));
    }
    return Status::Ok();
  }

  Status FetchRegionData(Clock::time_point, PdRegionData*) override { return Status::Ok(); }

 private:
  static void SetDeadline(grpc::ClientContext* context, Clock::time_point deadline) {
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::duration_cast<std::chrono::system_clock::duration>(deadline - Clock::now()));
  }

  Status Check(const char* call, const grpc::Status& status, const pdpb::ResponseHeader& header) const {
    if (!status.ok()) {
      return Status::Unavailable("PD " + url_ + " " + call + ": gRPC " + std::to_string(status.error_code()) + " " +
                           status.error_message());
    }
    if (header.has_error() && header.error().type() != pdpb::OK) {
      return Status::Unavailable("PD " + url_ + " " + call + ": " + pdpb::ErrorType_Name(header.error().type()) + " " +
                           header.error().message());
    }
    return Status::Ok();
  }

  // One channel per member URL, kept across polls (gRPC reconnects by itself).
  pdpb::PD::Stub& Stub(const std::string& url) {
    auto it = stubs_.find(url);
    if (it == stubs_.end()) {
      if (stubs_.size() >= kMaxChannels) stubs_.clear();  // PD's member list decides the URLs
      it = stubs_.emplace(url, pdpb::PD::NewStub(channels_.Make(url))).first;
    }
    return *it->second;
  }

  const std::string url_;
  GrpcChannelMaker channels_;
  std::map<std::string, std::unique_ptr<pdpb::PD::Stub>> stubs_;
};

}  // namespace

std::unique_ptr<PdClient> MakePdGrpcClient(std::string base_url, size_t max_message_bytes, UpstreamTls tls) {
  return std::make_unique<PdGrpcClient>(std::move(base_url), max_message_bytes, std::move(tls));
}

}  // namespace tikv_exporter
