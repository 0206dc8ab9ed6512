#pragma once

#include <string>

namespace tikv_exporter::sim {

// A TCP port on 127.0.0.1 that accepts connections and never answers: it listens but never
// accept()s, so the kernel completes handshakes into the backlog and a client's request sits
// there unread — what an address that is unreachable from the client's side (NAT, a firewall
// that drops, a dead VIP) looks like to an HTTP client with a deadline. Owns the socket; not
// thread-safe.
class BlackHole {
 public:
  BlackHole() = default;
  ~BlackHole();
  BlackHole(const BlackHole&) = delete;
  BlackHole& operator=(const BlackHole&) = delete;

  // Opens the socket on a free port on first use; "" when it cannot be opened.
  std::string Address();

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace tikv_exporter::sim
