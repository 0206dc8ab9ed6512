#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "exporter/snapshot_history.h"

namespace tikv_exporter {

// The gRPC listener ([exporter] grpc_listen_address): tikv_exporter.v1.SnapshotService, the
// standard grpc.health.v1 health service and server reflection. gRPC headers stay in the .cc.
// Borrows `history`, which must outlive it. Start() once; Stop() is idempotent.
class GrpcServer {
 public:
  explicit GrpcServer(const SnapshotHistory* history);
  ~GrpcServer();
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  Status Start(const std::string& listen_address);
  // Ends open watches and stops serving within about a second.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tikv_exporter
