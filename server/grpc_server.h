#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "common/limit_tracker.h"
#include "snapshot/snapshot_history.h"

namespace tikv_exporter {

// The gRPC listener ([exporter] grpc_listen_address): tikv_exporter.v1.SnapshotService, the
// standard grpc.health.v1 health service and server reflection, with bounded threads and streams
// (max_watchers plus a few), idle and old connections closed, keepalive pings enforced. A
// listener that gRPC stopped after a failed accept (out of descriptors) is replaced once a
// descriptor is free (limit grpc_accept_descriptors).
// gRPC headers stay in the .cc.
// Borrows `history` and `limits`, which must outlive it. Start() once; Stop() is idempotent.
struct GrpcServerOptions {
  // TLS when cert_file is set ([web] cert_file/key_file); files are read as the HTTPS listener
  // reads them (GrpcTlsFiles) and re-read every few seconds for rotation.
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;  // set: clients must present a certificate it signed
  int max_watchers = 64;       // concurrent WatchSnapshots streams; more get RESOURCE_EXHAUSTED
};

class GrpcServer {
 public:
  // `limits` (borrowed, may be null) records the watcher limit.
  GrpcServer(const SnapshotHistory* history, GrpcServerOptions options, LimitTracker* limits);
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
