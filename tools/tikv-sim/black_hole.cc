#include "tools/tikv-sim/black_hole.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tikv_exporter::sim {

BlackHole::~BlackHole() {
  if (fd_ >= 0) close(fd_);
}

std::string BlackHole::Address() {
  if (fd_ < 0) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return "";
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    // A large backlog keeps connects succeeding (and then hanging) for many attempts.
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        listen(fd, 128) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      close(fd);
      return "";
    }
    fd_ = fd;
    port_ = ntohs(address.sin_port);
  }
  return "127.0.0.1:" + std::to_string(port_);
}

}  // namespace tikv_exporter::sim
