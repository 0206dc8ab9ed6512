#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tikv_exporter::sim {

// How a hostile upstream answers every request, byte by byte over a raw socket: the shapes an
// HTTP library would refuse to produce, so the exporter's client is tested against them.
enum class HostileMode {
  kLongReason,         // a status line with a 1 MiB reason phrase
  kEndlessHeaders,     // a status line, then header lines without end
  kSlowHeaders,        // a status line, then one header byte every 500 ms
  kConflictingLength,  // two Content-Length headers that disagree
  kSilent,             // reads the request, never answers
};

// Parses "long-reason|endless-headers|slow-headers|conflicting-length|silent"; false when unknown.
bool ParseHostileMode(const std::string& name, HostileMode* mode);
std::string HostileModeNames();

// Listens on 127.0.0.1 and answers every connection in `mode`, each on its own thread, until
// destroyed. Not copyable; Start/port are for the owning thread.
class HostileUpstream {
 public:
  explicit HostileUpstream(HostileMode mode) : mode_(mode) {}
  ~HostileUpstream();
  HostileUpstream(const HostileUpstream&) = delete;
  HostileUpstream& operator=(const HostileUpstream&) = delete;

  // Binds 127.0.0.1:`port` (0: any free port); returns the port, or -1 when it cannot bind.
  int Start(int port = 0);
  // Connections accepted so far.
  int connections() const { return connections_.load(); }

 private:
  void AcceptLoop();
  void Serve(int fd);
  bool Send(int fd, const std::string& bytes);

  const HostileMode mode_;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> servers_;
};

}  // namespace tikv_exporter::sim
