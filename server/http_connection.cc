#include "server/http_connection.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace tikv_exporter {
namespace {

// Waits until `fd` is ready for `events` or `deadline` passes (in slices, so a long wait still
// ends at the deadline).
bool WaitReady(int fd, short events, HttpConnection::Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - HttpConnection::Clock::now());
  if (left.count() <= 0) return false;
  pollfd entry{fd, events, 0};
  return poll(&entry, 1, static_cast<int>(std::min<long>(left.count(), 100))) >= 0;
}

}  // namespace

HttpConnection::~HttpConnection() {
  if (ssl_ != nullptr) {
    SSL_set_quiet_shutdown(ssl_, 1);  // no close_notify round trip with a client that may be gone
    SSL_free(ssl_);
  }
  close(fd_);
}

HttpConnection::Io HttpConnection::Handshake() {
  if (ssl_ == nullptr || handshake_done_) return Io::kProgress;
  ERR_clear_error();
  const int result = SSL_accept(ssl_);
  if (result == 1) {
    handshake_done_ = true;
    return Io::kProgress;
  }
  const int error = SSL_get_error(ssl_, result);
  ERR_clear_error();
  return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE ? Io::kWouldBlock : Io::kClosed;
}

HttpConnection::Io HttpConnection::ReadAvailable(size_t max_buffered) {
  if (Io handshake = Handshake(); handshake != Io::kProgress) return handshake;
  char chunk[16 << 10];
  bool progressed = false;
  while (buffer_.size() < max_buffered) {
    const size_t want = std::min(sizeof(chunk), max_buffered - buffer_.size());
    ssize_t n;
    if (ssl_ != nullptr) {
      ERR_clear_error();
      n = SSL_read(ssl_, chunk, static_cast<int>(want));
      if (n <= 0) {
        const int error = SSL_get_error(ssl_, static_cast<int>(n));
        ERR_clear_error();
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) break;
        return Io::kClosed;
      }
    } else {
      n = recv(fd_, chunk, want, 0);
      if (n == 0) return Io::kClosed;
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        return Io::kClosed;
      }
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    progressed = true;
  }
  return progressed || buffer_.size() >= max_buffered ? Io::kProgress : Io::kWouldBlock;
}

bool HttpConnection::WriteAll(const std::string& bytes, Clock::time_point write_deadline) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    if (Clock::now() >= write_deadline) return false;
    if (ssl_ != nullptr) {
      ERR_clear_error();
      const int n = SSL_write(ssl_, bytes.data() + sent, static_cast<int>(bytes.size() - sent));
      if (n > 0) {
        sent += static_cast<size_t>(n);
        continue;
      }
      const int error = SSL_get_error(ssl_, n);
      ERR_clear_error();
      if (error == SSL_ERROR_WANT_WRITE) {
        if (!WaitReady(fd_, POLLOUT, write_deadline)) return false;
      } else if (error == SSL_ERROR_WANT_READ) {
        if (!WaitReady(fd_, POLLIN, write_deadline)) return false;
      } else {
        return false;
      }
      continue;
    }
    const ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!WaitReady(fd_, POLLOUT, write_deadline)) return false;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace tikv_exporter
