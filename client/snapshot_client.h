#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"

namespace tikv_exporter::client {

// The founding document's MetricsSnapshot { qps, latency_ms, storage_size, compaction_pending }
// as one sidecar reports it, with the details behind each figure. Absent figures are nullopt
// (before the first full window there is no rate).
struct MetricsSnapshot {
  int64_t timestamp_ms = 0;
  uint64_t sequence = 0;
  std::optional<double> qps;                 // requests/s, all types
  std::optional<double> latency_ms;          // mean
  std::optional<double> latency_p99_ms;
  std::optional<double> storage_size;        // bytes used
  std::optional<double> storage_capacity;    // bytes
  std::optional<double> compaction_pending;  // bytes
  std::map<std::string, double> qps_by_type;
  std::map<std::string, bool> sources_up;    // tikv, pd, rocksdb
};

// A client of a sidecar's gRPC snapshot API (tikv_exporter.v1.SnapshotService). Thread-safe
// for concurrent Get(); one Watch() at a time per client.
class SnapshotClient {
 public:
  // `address` is the sidecar's [exporter] grpc_listen_address, e.g. "tikv-0:20191".
  static std::unique_ptr<SnapshotClient> Connect(const std::string& address);
  ~SnapshotClient();

  StatusOr<MetricsSnapshot> Get(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Calls `on_snapshot` with each new snapshot until it returns false or the stream ends;
  // returns why the stream ended.
  Status Watch(const std::function<bool(const MetricsSnapshot&)>& on_snapshot);

 private:
  struct Impl;
  explicit SnapshotClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tikv_exporter::client
