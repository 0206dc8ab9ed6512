#include "server/http_connection.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/beast/ssl.hpp>

namespace tikv_exporter {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

// One write call sends at most this much, so bytes_written() advances while a large answer goes.
constexpr size_t kWriteSlice = 64 << 10;
// A lingering close reads (and drops) at most this much before giving up on the client.
constexpr size_t kMaxLingerBytes = 256 << 10;

}  // namespace

HttpConnection::HttpConnection(asio::ip::tcp::socket socket, asio::ssl::context* tls) {
  boost::system::error_code error;
  const auto peer = socket.remote_endpoint(error);
  if (!error) address_ = peer.address().to_string();
  // Head and body go out in one write, but a small answer must not wait for a delayed ACK.
  socket.set_option(asio::ip::tcp::no_delay(true), error);
  if (tls != nullptr) {
    tls_.emplace(beast::tcp_stream(std::move(socket)), *tls);
    // No close_notify round trip with a client that may be gone.
    SSL_set_quiet_shutdown(tls_->native_handle(), 1);
    // Each TLS record read during the handshake is progress: an advancing handshake is never
    // evicted at the connection bound (a slow link's handshake takes round trips).
    SSL_set_msg_callback(tls_->native_handle(), &HttpConnection::OnTlsMessage);
    SSL_set_msg_callback_arg(tls_->native_handle(), this);
  } else {
    plain_.emplace(std::move(socket));
  }
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::OnTlsMessage(int write_p, int, int, const void*, size_t, SSL*, void* arg) {
  auto* connection = static_cast<HttpConnection*>(arg);
  if (write_p == 0 && connection->state == State::kHandshake) {
    connection->last_progress = Clock::now();
    connection->handshake_started = true;
  }
}

beast::tcp_stream& HttpConnection::Tcp() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }

template <class Operation>
void HttpConnection::WithStream(Operation operation) {
  if (tls_) {
    operation(*tls_);
  } else {
    operation(*plain_);
  }
}

void HttpConnection::Handshake(Done done) {
  if (!tls_) {
    done(true);
    return;
  }
  tls_->async_handshake(
      asio::ssl::stream_base::server,
      [self = shared_from_this(), done = std::move(done)](const boost::system::error_code& error) {
        if (!error) self->last_progress = Clock::now();
        done(!error && !self->closed());
      });
}

void HttpConnection::ReadSome(size_t max_buffered, Done done) {
  const size_t want =
      std::min(chunk_.size(), max_buffered > buffer_.size() ? max_buffered - buffer_.size() : 0);
  if (want == 0) {
    done(true);
    return;
  }
  WithStream([&](auto& stream) {
    stream.async_read_some(asio::buffer(chunk_.data(), want),
                           [self = shared_from_this(), done = std::move(done)](
                               const boost::system::error_code& error, size_t n) {
                             if (n > 0) {
                               self->buffer_.append(self->chunk_.data(), n);
                               self->last_progress = Clock::now();
                             }
                             done(!error && !self->closed());
                           });
  });
}

void HttpConnection::Write(ReplyBytes bytes, Done done) {
  out_ = std::move(bytes);
  out_piece_ = 0;
  out_offset_ = 0;
  written_ = 0;
  WriteNext(shared_from_this(), std::move(done));
}

void HttpConnection::WriteNext(std::shared_ptr<HttpConnection> self, Done done) {
  while (out_piece_ < out_.size() && out_offset_ == out_[out_piece_]->size()) {
    ++out_piece_;
    out_offset_ = 0;
  }
  if (out_piece_ == out_.size()) {
    // A stalled reader of a large answer holds nothing once it is sent (nor a cached poll).
    ReplyBytes().swap(out_);
    done(true);
    return;
  }
  // Up to a slice from the pieces left, in one gathered write: the head and a small body go out
  // in one segment.
  std::vector<asio::const_buffer> slice;
  size_t room = kWriteSlice;
  for (size_t i = out_piece_, offset = out_offset_; i < out_.size() && room > 0; ++i, offset = 0) {
    const size_t take = std::min(room, out_[i]->size() - offset);
    slice.emplace_back(out_[i]->data() + offset, take);
    room -= take;
  }
  WithStream([&](auto& stream) {
    stream.async_write_some(
        slice, [self, done = std::move(done)](const boost::system::error_code& error, size_t n) mutable {
          if (error || self->closed()) {
            done(false);
            return;
          }
          self->written_ += n;
          self->last_progress = Clock::now();
          self->Advance(n);
          self->WriteNext(self, std::move(done));
        });
  });
}

void HttpConnection::Advance(size_t n) {
  while (n > 0) {
    const size_t left = out_[out_piece_]->size() - out_offset_;
    const size_t step = std::min(n, left);
    out_offset_ += step;
    n -= step;
    if (out_offset_ == out_[out_piece_]->size()) {
      ++out_piece_;
      out_offset_ = 0;
    }
  }
}

void HttpConnection::Linger(Done done) {
  boost::system::error_code ignored;
  Tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  written_ = 0;  // counts the bytes thrown away from here on
  DrainNext(shared_from_this(), std::move(done));
}

void HttpConnection::DrainNext(std::shared_ptr<HttpConnection> self, Done done) {
  // Below TLS: the records are not decrypted, only thrown away.
  Tcp().socket().async_read_some(
      asio::buffer(chunk_),
      [self, done = std::move(done)](const boost::system::error_code& error, size_t n) mutable {
        self->written_ += n;
        if (error || self->closed() || self->written_ > kMaxLingerBytes) {
          done(false);
          return;
        }
        self->DrainNext(self, std::move(done));
      });
}

void HttpConnection::CancelRead() {
  boost::system::error_code ignored;
  Tcp().socket().cancel(ignored);
}

void HttpConnection::Close() {
  if (state == State::kClosed) return;
  state = State::kClosed;
  boost::system::error_code ignored;
  Tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  Tcp().socket().close(ignored);
}

}  // namespace tikv_exporter
