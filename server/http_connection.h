#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "server/http_reply.h"

namespace tikv_exporter {

// One accepted client connection of the exporter's listener: a Beast TCP stream, TLS over it
// when the server has a TLS context, the bytes received but not yet consumed, and what the
// listener's policy (http_server.cc) needs to judge it: when it last made progress, how much of
// the current answer it has taken. Only I/O lives here; every decision is the server's.
//
// Owned by shared_ptr: the server's table of open connections, and each operation in flight
// (which keeps it alive until its completion runs). Not thread-safe: every method is called on
// the server's event-loop thread only; workers never touch a connection, they post to the loop.
class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  using Clock = std::chrono::steady_clock;
  using Done = std::function<void(bool ok)>;
  enum class State { kHandshake, kReading, kAnswering, kWriting, kLingering, kClosed };

  HttpConnection(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // The TLS handshake (done at once without TLS). Completion: whether it succeeded.
  void Handshake(Done done);
  // Reads what arrives next into buffer(), never past `max_buffered` bytes in all. Completion:
  // false when the client closed or the connection failed.
  void ReadSome(size_t max_buffered, Done done);
  // Sends all of `bytes` (piece after piece, no copy), a slice at a time so that
  // bytes_written() shows how fast the client takes them. Asio sends with MSG_NOSIGNAL (TLS
  // included): a client gone mid-write is an error here, never a SIGPIPE.
  void Write(ReplyBytes bytes, Done done);
  // Lingering close: stops sending (FIN after the answer), then reads and throws away what the
  // client still sends until it closes, so an answer is not lost to an RST caused by unread
  // request bytes. The server closes the connection when the client does or a deadline passes.
  void Linger(Done done);
  // Cancels a ReadSome() in flight (it completes with an error); the connection stays open.
  void CancelRead();
  // Closes the socket at once; operations in flight complete with an error.
  void Close();

  State state = State::kHandshake;
  std::string& buffer() { return buffer_; }
  const std::string& address() const { return address_; }  // the client's IP address
  bool closed() const { return state == State::kClosed; }
  // Bytes of the current answer sent so far.
  size_t bytes_written() const { return written_; }

  const Clock::time_point opened = Clock::now();
  Clock::time_point last_progress = opened;  // a byte read or written, or the handshake done
  Clock::time_point deadline;                // of the current state (handshake, head, idle, linger)
  // The drain-rate check of the current answer: bytes_written() at `drain_mark_time`.
  Clock::time_point drain_mark_time;
  size_t drain_mark_bytes = 0;
  int requests_served = 0;
  bool head_started = false;       // a byte of the current request has arrived
  bool handshake_started = false;  // a TLS record of the handshake has arrived

 private:
  // OpenSSL's message callback (SSL_set_msg_callback): runs inside the handshake, on the loop.
  static void OnTlsMessage(int write_p, int version, int content_type, const void* buf, size_t len,
                           SSL* ssl, void* arg);
  boost::beast::tcp_stream& Tcp();
  template <class Operation>
  void WithStream(Operation operation);
  void WriteNext(std::shared_ptr<HttpConnection> self, Done done);
  void Advance(size_t n);  // past `n` bytes of out_, written
  void DrainNext(std::shared_ptr<HttpConnection> self, Done done);

  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
  std::string address_;
  std::string buffer_;
  ReplyBytes out_;      // the answer being sent: its pieces in order
  size_t out_piece_ = 0;  // the piece being sent, and its bytes sent so far
  size_t out_offset_ = 0;
  size_t written_ = 0;
  std::array<char, 16 << 10> chunk_;
};

}  // namespace tikv_exporter
