#include "exporter/process_setup.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace tikv_exporter {

ProcessSetup PrepareProcess() {
  ProcessSetup setup;
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    // open() returns the lowest free descriptor: this one, as the lower ones are open by now.
    const int opened = open("/dev/null", O_RDWR);
    if (opened == fd) {
      setup.reopened_fds.push_back(fd);
    } else if (opened != -1) {
      close(opened);
    }
  }
  std::signal(SIGPIPE, SIG_IGN);
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    setup.fd_limit_error = std::string("getrlimit(RLIMIT_NOFILE): ") + std::strerror(errno);
    return setup;
  }
  setup.previous_fd_limit = setup.fd_limit = limit.rlim_cur;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      setup.fd_limit = raised.rlim_cur;
    } else {
      setup.fd_limit_error = "cannot raise the soft RLIMIT_NOFILE from " +
                             std::to_string(limit.rlim_cur) + " to " +
                             std::to_string(limit.rlim_max) + ": " + std::strerror(errno);
    }
  }
  return setup;
}

Status CheckDescriptorBudget(const ExporterConfig& config, uint64_t listener_connections,
                             uint64_t fd_limit) {
  const uint64_t needed = listener_connections + static_cast<uint64_t>(config.max_grpc_watchers) +
                          static_cast<uint64_t>(config.max_connections) + kDescriptorReserve;
  if (needed <= fd_limit) return Status::Ok();
  return Status::ResourceExhausted(
      "the open-file limit (RLIMIT_NOFILE " + std::to_string(fd_limit) +
      ", raised to the hard limit) is below what the exporter's caps may open at once: " +
      std::to_string(listener_connections) + " HTTP connections + [exporter] max_grpc_watchers " +
      std::to_string(config.max_grpc_watchers) + " + [tikv] max_connections " +
      std::to_string(config.max_connections) + " + " + std::to_string(kDescriptorReserve) +
      " reserved = " + std::to_string(needed) +
      "; raise the hard limit (LimitNOFILE=, ulimit -Hn) or lower those caps");
}

}  // namespace tikv_exporter
