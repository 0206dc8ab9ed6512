#include "server/grpc_log.h"

#include <grpc/support/log.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <string_view>

namespace tikv_exporter {
namespace {

std::atomic<uint64_t> accept_failures{0};

void ToSpdlog(gpr_log_func_args* args) {
  const std::string_view message = args->message != nullptr ? args->message : "";
  // tcp_server_posix.cc: "Failed accept4: <strerror>" (not logged while the server shuts down).
  if (message.starts_with("Failed accept4")) accept_failures.fetch_add(1);
  switch (args->severity) {
    case GPR_LOG_SEVERITY_ERROR:
      spdlog::error("gRPC: {}", message);
      break;
    case GPR_LOG_SEVERITY_INFO:
      spdlog::info("gRPC: {}", message);
      break;
    default:
      spdlog::debug("gRPC: {}", message);
  }
}

}  // namespace

void RouteGrpcLogToSpdlog() {
  static std::once_flag once;
  std::call_once(once, [] { gpr_set_log_function(ToSpdlog); });
}

uint64_t GrpcAcceptFailures() { return accept_failures.load(); }

}  // namespace tikv_exporter
