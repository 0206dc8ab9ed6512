#pragma once

#include <memory>
#include <string>

namespace tikv_exporter::sim {

class SimPdCluster;

// The gRPC API (pdpb.PD: GetMembers, GetAllStores, GetStore) of one simulated PD member. Like
// PD, only the leader serves store calls (followers answer Unavailable "not leader") and every
// call but GetMembers must carry the real cluster id. Owns its grpc::Server.
class SimPdGrpcMember {
 public:
  SimPdGrpcMember(const SimPdCluster* cluster, size_t index);
  ~SimPdGrpcMember();
  SimPdGrpcMember(const SimPdGrpcMember&) = delete;
  SimPdGrpcMember& operator=(const SimPdGrpcMember&) = delete;

  bool Start(const std::string& address);
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tikv_exporter::sim
