#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "exporter/config.h"

namespace tikv_exporter {

// What PrepareProcess() did, for the log (it runs before logging is set up).
struct ProcessSetup {
  std::vector<int> reopened_fds;  // which of 0, 1, 2 were closed and now point at /dev/null
  uint64_t fd_limit = 0;          // the soft RLIMIT_NOFILE after raising it
  uint64_t previous_fd_limit = 0;
  std::string fd_limit_error;  // why the limit could not be read or raised; "" when it was
};

// The process-wide setup main() does first, before any thread starts or any file is opened:
// - fds 0, 1 and 2 are opened on /dev/null when closed, or the first socket the exporter opens
//   would become fd 2 and every log line would be written into it;
// - SIGPIPE is ignored, so a write to a peer that has gone (OpenSSL's session tickets after a
//   client's close, libcurl) fails with EPIPE instead of killing the process;
// - the soft RLIMIT_NOFILE is raised to the hard limit (polls, listeners and gRPC share it).
ProcessSetup PrepareProcess();

// Descriptors kept free beyond the connection caps: the listening sockets, the poll's files and
// sockets outside the upstream pool (PD over gRPC, the RocksDB LOG, certificates), gRPC's and
// spdlog's own descriptors.
inline constexpr uint64_t kDescriptorReserve = 64;

// Checks that the caps on what may be open at once fit under `fd_limit`: the HTTP listener's
// `listener_connections`, [exporter] max_grpc_watchers (each watch holds a connection),
// [tikv] max_connections (upstream) and kDescriptorReserve. An error names each figure and what
// to change.
Status CheckDescriptorBudget(const ExporterConfig& config, uint64_t listener_connections,
                             uint64_t fd_limit);

}  // namespace tikv_exporter
