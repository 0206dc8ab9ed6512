#pragma once

#include <cstdint>

namespace tikv_exporter {

// Sends gRPC core's log lines (errors by default; GRPC_VERBOSITY raises it) to the exporter's
// log in its format, instead of gRPC's own lines on stderr. Idempotent; call before the first
// gRPC server or channel.
void RouteGrpcLogToSpdlog();

// How many times gRPC's listener failed to accept a connection since the process started.
// gRPC 1.51 stops accepting on that listener for good after one such failure (grpc/grpc#20418);
// its log line is the only sign of it, so this counts those lines.
uint64_t GrpcAcceptFailures();

}  // namespace tikv_exporter
