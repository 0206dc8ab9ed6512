#pragma once

#include <sys/socket.h>

namespace tikv_exporter {

// Socket options for a listening socket that must fail when another process holds the port:
// SO_REUSEADDR only. cpp-httplib's default adds SO_REUSEPORT, which would let a second exporter
// (or simulator) bind the same port and silently share its traffic.
inline void SetExclusivePortOptions(int sock) {
  int yes = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

}  // namespace tikv_exporter
