#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/enum_names.h"
#include "tools/tikv-sim/sim_http.h"

namespace tikv_exporter::sim {

class SimNode;

// How the simulated debug service misbehaves (POST /control/debug/fault?mode=M).
enum class DebugFault {
  kNone,
  kHang,       // GetMetrics never answers (until the fault changes or the caller gives up)
  kFail,       // GetMetrics answers UNAVAILABLE
  kOversized,  // rocksdb_kv of `bytes` bytes (default 72 MiB, above the exporter's 64 MiB bound)
};

// TiKV's debug service on the simulated node's gRPC port: debugpb.Debug/GetMetrics answers the
// node's /metrics text as `prometheus` and, as `rocksdb_kv`, the real RocksDB stats dumps it was
// given (sim_rocksdb_dumps.h), one further at each call (after the last, the first again, as a
// restarted TiKV), with the node's write stall (kWriteStall) added; as `rocksdb_raft`, a raftdb's
// dumps (`raft_dumps`, raft-engine off) advancing the same way, or, with none, a text of no
// RocksDB, as with raft-engine on (TiKV's default since v6.1). Plain or, with `tls`, mTLS only.
// Thread-safe; owns its grpc::Server.
class SimDebugService {
 public:
  SimDebugService(const SimNode* node, std::vector<std::string> dumps, std::vector<std::string> raft_dumps,
                  SimTls tls);
  ~SimDebugService();
  SimDebugService(const SimDebugService&) = delete;
  SimDebugService& operator=(const SimDebugService&) = delete;

  bool Start(const std::string& address);
  void Stop();
  void SetFault(DebugFault fault, size_t oversized_bytes);
  std::string StateText() const;  // "debug_fault F calls N\n"

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

inline constexpr EnumName<DebugFault> kDebugFaultNames[] = {
    {DebugFault::kNone, "none"}, {DebugFault::kHang, "hang"}, {DebugFault::kFail, "fail"}, {DebugFault::kOversized, "oversized"}};

}  // namespace tikv_exporter::sim
