#include "tools/tikv-sim/hostile_upstream.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "common/exclusive_port.h"

namespace tikv_exporter::sim {
namespace {

struct ModeName {
  HostileMode mode;
  const char* name;
};
constexpr ModeName kModeNames[] = {
    {HostileMode::kLongReason, "long-reason"},
    {HostileMode::kEndlessHeaders, "endless-headers"},
    {HostileMode::kSlowHeaders, "slow-headers"},
    {HostileMode::kConflictingLength, "conflicting-length"},
    {HostileMode::kSilent, "silent"},
};

// Waits up to 100 ms for `fd` to become readable, so loops can notice a stop.
bool Readable(int fd) {
  pollfd entry{fd, POLLIN, 0};
  return poll(&entry, 1, 100) > 0;
}

}  // namespace

bool ParseHostileMode(const std::string& name, HostileMode* mode) {
  for (const ModeName& entry : kModeNames) {
    if (name == entry.name) {
      *mode = entry.mode;
      return true;
    }
  }
  return false;
}

std::string HostileModeNames() {
  std::string names;
  for (const ModeName& entry : kModeNames) names += (names.empty() ? "" : "|") + std::string(entry.name);
  return names;
}

HostileUpstream::~HostileUpstream() {
  stopping_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  for (std::thread& server : servers_) server.join();
  if (listen_fd_ >= 0) close(listen_fd_);
}

int HostileUpstream::Start(int port) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) return -1;
  SetExclusivePortOptions(listen_fd_);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 || listen(listen_fd_, 64) != 0) {
    return -1;
  }
  socklen_t length = sizeof(address);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return ntohs(address.sin_port);
}

void HostileUpstream::AcceptLoop() {
  while (!stopping_) {
    if (!Readable(listen_fd_)) continue;
    const int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    ++connections_;
    std::lock_guard<std::mutex> lock(mutex_);
    servers_.emplace_back([this, fd] {
      Serve(fd);
      close(fd);
    });
  }
}

bool HostileUpstream::Send(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size() && !stopping_) {
    pollfd entry{fd, POLLOUT, 0};
    if (poll(&entry, 1, 100) <= 0) continue;
    const ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return sent == bytes.size();
}

void HostileUpstream::Serve(int fd) {
  // The request head first, so the client is past sending when the answer starts.
  std::string request;
  char buffer[4096];
  while (!stopping_ && request.find("\r\n\r\n") == std::string::npos && request.size() < (64 << 10)) {
    if (!Readable(fd)) continue;
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return;
    request.append(buffer, static_cast<size_t>(n));
  }
  switch (mode_) {
    case HostileMode::kLongReason:
      Send(fd, "HTTP/1.1 200 " + std::string(1 << 20, 'O') + "\r\nContent-Length: 0\r\n\r\n");
      break;
    case HostileMode::kEndlessHeaders: {
      if (!Send(fd, "HTTP/1.1 200 OK\r\n")) return;
      const std::string line = "X-Filler: " + std::string(4000, 'a') + "\r\n";
      while (!stopping_ && Send(fd, line)) {
      }
      break;
    }
    case HostileMode::kSlowHeaders: {
      const std::string head = "HTTP/1.1 200 OK\r\nX-Slow: " + std::string(1000, 's');
      for (char c : head) {
        if (stopping_ || !Send(fd, std::string(1, c))) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
      break;
    }
    case HostileMode::kConflictingLength:
      Send(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nContent-Length: 20\r\n\r\n" +
                   std::string(20, 'x'));
      break;
    case HostileMode::kSilent:
      while (!stopping_) {
        if (Readable(fd) && recv(fd, buffer, sizeof(buffer), 0) <= 0) return;
      }
      break;
  }
}

}  // namespace tikv_exporter::sim
