#pragma once

#include <chrono>
#include <cstddef>
#include <string>

typedef struct ssl_st SSL;

namespace tikv_exporter {

// One accepted client connection of the exporter's listener: a non-blocking socket, TLS on it
// when `ssl` is set, and the bytes received but not yet consumed. Owns the socket and the SSL
// object. Used by one thread at a time: the event loop while reading a request, then a worker
// while answering it.
class HttpConnection {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Io { kProgress, kWouldBlock, kClosed };

  HttpConnection(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  int fd() const { return fd_; }
  std::string& buffer() { return buffer_; }

  // Advances the TLS handshake (nothing to do without TLS), then reads what the socket holds
  // into buffer(), at most up to `max_buffered` bytes in all. kWouldBlock: wait for readiness.
  Io ReadAvailable(size_t max_buffered);
  // Writes all of `bytes`, waiting for the socket until `deadline`; false when the client
  // closed or the deadline passed.
  bool WriteAll(const std::string& bytes, Clock::time_point deadline);

  const Clock::time_point opened = Clock::now();
  // When the head of the current request must be complete.
  Clock::time_point deadline;
  int requests_served = 0;

 private:
  Io Handshake();

  const int fd_;
  SSL* const ssl_;
  bool handshake_done_ = false;
  std::string buffer_;
};

}  // namespace tikv_exporter
