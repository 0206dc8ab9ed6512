#include "server/http_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/address.h"
#include "common/exclusive_port.h"
#include "server/basic_auth.h"
#include "server/http_connection.h"
#include "server/http_reply.h"
#include "server/http_request.h"
#include "server/http_routes.h"
#include "server/web_tls.h"

namespace tikv_exporter {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// A connection with no request in progress is closed after this long.
constexpr auto kIdleTimeout = seconds(5);
// From its first byte, a request head (and its small body) must be complete within this.
constexpr auto kHeadTimeout = seconds(5);
// Sending the answers to one turn of requests may take this long (a slow reader of /metrics).
constexpr auto kWriteTimeout = seconds(10);
// After Stop(), answers in flight get this long before their connections are cut.
constexpr auto kStopGrace = milliseconds(1000);
// Requests answered on one connection before it is closed (clients reconnect).
constexpr int kMaxRequestsPerConnection = 1000;

struct SslCtxFree {
  void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};

struct Job {
  std::unique_ptr<HttpConnection> connection;
  HttpRequest request;
};

// The socket addresses "host" names for listening ("" and "0.0.0.0": every IPv4 address).
StatusOr<std::vector<sockaddr_storage>> ResolveListenAddress(const HostPort& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(address.port);
  const int error = getaddrinfo(address.host.empty() ? nullptr : address.host.c_str(), port.c_str(), &hints, &found);
  if (error != 0) return Status::Error("cannot resolve listen address " + address.host + ": " + gai_strerror(error));
  std::vector<sockaddr_storage> addresses;
  for (addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
    sockaddr_storage storage{};
    std::memcpy(&storage, entry->ai_addr, entry->ai_addrlen);
    addresses.push_back(storage);
  }
  freeaddrinfo(found);
  return addresses;
}

}  // namespace

struct HttpServer::Impl {
  HttpHandlers handlers;
  HttpServerOptions options;  // before `tls`: its certificate callback points into it
  RequestLimits limits;
  std::unique_ptr<SSL_CTX, SslCtxFree> tls;
  std::unique_ptr<BasicAuth> auth;
  int listen_fd = -1;
  int epoll_fd = -1;
  int wake_fd = -1;  // eventfd: Stop() and workers returning connections wake the loop
  std::atomic<bool> stopping{false};
  std::atomic<bool> run_active{false};

  // Owned by the event loop thread: connections waiting for (the rest of) a request.
  std::unordered_map<int, std::unique_ptr<HttpConnection>> reading;

  std::mutex mutex;
  std::condition_variable work_ready;
  std::condition_variable drained;
  std::deque<Job> jobs;
  size_t busy = 0;                                          // workers answering a request
  std::vector<std::unique_ptr<HttpConnection>> returned;  // kept alive, back to the loop
  std::unordered_set<int> answering;                        // fds of connections with a worker
  std::atomic<size_t> open_connections{0};

  ~Impl() {
    for (int fd : {listen_fd, epoll_fd, wake_fd}) {
      if (fd >= 0) close(fd);
    }
  }

  void ReportLimit(Limit limit, bool hit, const std::string& detail = "") const {
    if (handlers.on_limit) handlers.on_limit(limit, hit, detail);
  }
  void Wake() const {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(wake_fd, &one, sizeof(one));
  }

  void EventLoop();
  void Accept();
  bool EvictOldestReading();
  void Watch(std::unique_ptr<HttpConnection> connection);
  void Progress(int fd);
  void Reject(std::unique_ptr<HttpConnection> connection, int status, const std::string& reason,
              std::vector<std::pair<std::string, std::string>> headers = {});
  void Dispatch(std::unique_ptr<HttpConnection> connection, RequestScan scan);
  void Work();
  void Answer(Job job);
  void CloseConnection(std::unique_ptr<HttpConnection> connection);
  void ShutDownWorkers(std::vector<std::thread>& workers);
};

void HttpServer::Impl::CloseConnection(std::unique_ptr<HttpConnection> connection) {
  connection.reset();
  --open_connections;
}

void HttpServer::Impl::Watch(std::unique_ptr<HttpConnection> connection) {
  const int fd = connection->fd();
  epoll_event event{};
  event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  event.data.fd = fd;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
    CloseConnection(std::move(connection));
    return;
  }
  reading[fd] = std::move(connection);
  Progress(fd);  // bytes may already wait: pipelined, or inside TLS buffers
}

// At the connection bound the connection that has waited longest for its request makes room:
// a scraper sends its request at once, so it is never the oldest, while idle and dribbling
// connections are. False when every open connection is being answered.
bool HttpServer::Impl::EvictOldestReading() {
  auto oldest = reading.end();
  for (auto it = reading.begin(); it != reading.end(); ++it) {
    if (oldest == reading.end() || it->second->opened < oldest->second->opened) oldest = it;
  }
  if (oldest == reading.end()) return false;
  ReportLimit(Limit::kHttpConnections, true,
        "closing the oldest waiting connection for each new one beyond " + std::to_string(options.max_connections));
  epoll_ctl(epoll_fd, EPOLL_CTL_DEL, oldest->first, nullptr);
  std::unique_ptr<HttpConnection> evicted = std::move(oldest->second);
  reading.erase(oldest);
  CloseConnection(std::move(evicted));
  return true;
}

void HttpServer::Impl::Accept() {
  while (true) {
    const int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    if (open_connections >= static_cast<size_t>(options.max_connections) && !EvictOldestReading()) {
      close(fd);
      ReportLimit(Limit::kHttpConnections, true,
            "closing new connections beyond " + std::to_string(options.max_connections) + " open ones");
      continue;
    }
    ReportLimit(Limit::kHttpConnections, false);
    ++open_connections;
    int yes = 1;
    // Head and body go out in one write, but a small answer must not wait for a delayed ACK.
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    SSL* ssl = nullptr;
    if (tls) {
      ssl = SSL_new(tls.get());
      if (ssl == nullptr) {
        close(fd);
        --open_connections;
        continue;
      }
      SSL_set_fd(ssl, fd);
      SSL_set_mode(ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    }
    auto connection = std::make_unique<HttpConnection>(fd, ssl);
    connection->deadline = connection->opened + kIdleTimeout;
    Watch(std::move(connection));
  }
}

void HttpServer::Impl::Progress(int fd) {
  auto it = reading.find(fd);
  if (it == reading.end()) return;
  HttpConnection& connection = *it->second;
  const bool was_empty = connection.buffer().empty();
  const HttpConnection::Io io =
      connection.ReadAvailable(limits.max_head_bytes + limits.max_body_bytes + 4 /* CRLFCRLF */);
  if (was_empty && !connection.buffer().empty()) connection.deadline = Clock::now() + kHeadTimeout;
  RequestScan scan = ScanRequest(connection.buffer(), limits);
  if (scan.state == RequestScan::State::kIncomplete && io != HttpConnection::Io::kClosed) return;
  std::unique_ptr<HttpConnection> owned = std::move(it->second);
  reading.erase(it);
  epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
  switch (scan.state) {
    case RequestScan::State::kComplete:
      Dispatch(std::move(owned), std::move(scan));
      return;
    case RequestScan::State::kRejected:
      ReportLimit(scan.reject_status == 431 ? Limit::kHttpRequestHeadBytes : Limit::kHttpRequestBodyBytes, true,
            "answering " + std::to_string(scan.reject_status) + ": " + scan.reject_reason);
      Reject(std::move(owned), scan.reject_status, scan.reject_reason + "\n");
      return;
    case RequestScan::State::kIncomplete:  // the client closed mid-request
      CloseConnection(std::move(owned));
      return;
  }
}

// Answers from the event loop, which must not wait: one attempt, a moment long, then close. The
// answers are small and the socket's send buffer is empty, so it fits unless the peer is gone.
void HttpServer::Impl::Reject(std::unique_ptr<HttpConnection> connection, int status, const std::string& reason,
                              std::vector<std::pair<std::string, std::string>> headers) {
  HttpReply reply = HttpReply::Text(status, reason);
  reply.headers = std::move(headers);
  connection->WriteAll(FrameReply(reply, false, false, false), Clock::now() + milliseconds(5));
  if (handlers.on_request) handlers.on_request("", status);
  CloseConnection(std::move(connection));
}

void HttpServer::Impl::Dispatch(std::unique_ptr<HttpConnection> connection, RequestScan scan) {
  connection->buffer().erase(0, scan.consumed);
  const auto capacity = static_cast<size_t>(options.max_concurrent_requests);
  {
    std::lock_guard<std::mutex> lock(mutex);
    // Served plus waiting, as many waiting as can be served at once: a scrape queued behind a
    // full set of workers still answers within a couple of handler runs.
    if (busy + jobs.size() < 2 * capacity) {
      answering.insert(connection->fd());
      jobs.push_back(Job{std::move(connection), std::move(scan.request)});
      work_ready.notify_one();
    }
  }
  if (connection == nullptr) {
    for (Limit limit : {Limit::kHttpConcurrentRequests, Limit::kHttpRequestHeadBytes, Limit::kHttpRequestBodyBytes,
                        Limit::kHttpRequestDeadline}) {
      ReportLimit(limit, false);
    }
    return;
  }
  ReportLimit(Limit::kHttpConcurrentRequests, true,
        "answering 503 to requests beyond max_concurrent_requests = " + std::to_string(capacity));
  Reject(std::move(connection), 503, "Too many concurrent requests ([exporter] max_concurrent_requests).\n",
         {{"Retry-After", "1"}});
}

void HttpServer::Impl::EventLoop() {
  epoll_event events[64];
  auto next_sweep = Clock::now();
  while (!stopping) {
    const int count = epoll_wait(epoll_fd, events, 64, 100);
    for (int i = 0; i < count; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listen_fd) {
        Accept();
      } else if (fd == wake_fd) {
        uint64_t value;
        [[maybe_unused]] ssize_t n = read(wake_fd, &value, sizeof(value));
        std::vector<std::unique_ptr<HttpConnection>> back;
        {
          std::lock_guard<std::mutex> lock(mutex);
          back.swap(returned);
        }
        for (auto& connection : back) {
          connection->deadline = Clock::now() + (connection->buffer().empty() ? kIdleTimeout : kHeadTimeout);
          Watch(std::move(connection));
        }
      } else {
        Progress(fd);
      }
    }
    const auto now = Clock::now();
    if (now < next_sweep) continue;
    next_sweep = now + milliseconds(100);
    std::vector<int> expired;
    for (const auto& [fd, connection] : reading) {
      if (connection->deadline <= now) expired.push_back(fd);
    }
    for (int fd : expired) {
      std::unique_ptr<HttpConnection> connection = std::move(reading[fd]);
      reading.erase(fd);
      epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
      if (connection->buffer().empty()) {
        CloseConnection(std::move(connection));  // an idle keep-alive connection: just close it
      } else {
        const std::string limit = std::to_string(seconds(kHeadTimeout).count()) + " s";
        ReportLimit(Limit::kHttpRequestDeadline, true, "answering 408 to requests not complete within " + limit);
        Reject(std::move(connection), 408, "The request was not complete within " + limit + ".\n");
      }
    }
  }
  for (auto& [fd, connection] : reading) CloseConnection(std::move(connection));
  reading.clear();
}

void HttpServer::Impl::Work() {
  while (true) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex);
      work_ready.wait(lock, [&] { return stopping || !jobs.empty(); });
      if (jobs.empty()) return;  // stopping, and every queued request has been answered
      job = std::move(jobs.front());
      jobs.pop_front();
      ++busy;
    }
    const int fd = job.connection->fd();
    Answer(std::move(job));
    std::lock_guard<std::mutex> lock(mutex);
    answering.erase(fd);
    --busy;
    if (busy == 0 && jobs.empty()) drained.notify_all();
  }
}

void HttpServer::Impl::Answer(Job job) {
  std::unique_ptr<HttpConnection> connection = std::move(job.connection);
  HttpRequest request = std::move(job.request);
  // One deadline for this turn's answers, pipelined ones included: a client that reads slowly
  // holds a worker this long at most before it must send a new request.
  const auto write_deadline = Clock::now() + kWriteTimeout;
  while (true) {
    HttpReply reply = Route(handlers, *auth, request);
    ++connection->requests_served;
    const bool keep_alive =
        request.KeepAlive() && !stopping && connection->requests_served < kMaxRequestsPerConnection;
    const bool gzip_ok = request.Header("accept-encoding").find("gzip") != std::string_view::npos;
    const bool written = connection->WriteAll(FrameReply(reply, keep_alive, gzip_ok, request.method == "HEAD"),
                                              write_deadline);
    if (handlers.on_request) handlers.on_request(request.path, reply.status);
    if (!written || !keep_alive) break;
    // A pipelined request already here is answered in turn, on this worker.
    RequestScan next = ScanRequest(connection->buffer(), limits);
    if (next.state != RequestScan::State::kComplete) {
      std::lock_guard<std::mutex> lock(mutex);
      returned.push_back(std::move(connection));
      Wake();
      return;
    }
    connection->buffer().erase(0, next.consumed);
    request = std::move(next.request);
  }
  CloseConnection(std::move(connection));
}

void HttpServer::Impl::ShutDownWorkers(std::vector<std::thread>& workers) {
  std::unique_lock<std::mutex> lock(mutex);
  work_ready.notify_all();
  // Answers in flight get a grace period; then their sockets are shut down, so a client that
  // reads slowly (or not at all) cannot hold the stop.
  if (!drained.wait_for(lock, kStopGrace, [&] { return busy == 0 && jobs.empty(); })) {
    for (int fd : answering) shutdown(fd, SHUT_RDWR);
  }
  lock.unlock();
  for (std::thread& worker : workers) worker.join();
  for (auto& connection : returned) CloseConnection(std::move(connection));
  returned.clear();
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Create(HttpHandlers handlers, const HttpServerOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->handlers = std::move(handlers);
  impl->options = options;
  if (!options.cert_file.empty()) {
    impl->tls.reset(SSL_CTX_new(TLS_server_method()));
    if (!impl->tls || !ConfigureWebTls(*impl->tls, &impl->options)) {
      return Status::Error(DescribeWebTlsFailure(options));
    }
  }
  impl->auth = std::make_unique<BasicAuth>(options.basic_auth_users);
  impl->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  impl->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (impl->epoll_fd < 0 || impl->wake_fd < 0) return Status::Error("cannot create the HTTP server's event loop");
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::~HttpServer() { Stop(); }

StatusOr<int> HttpServer::Bind(const std::string& listen_address) {
  StatusOr<HostPort> address = ParseHostPort(listen_address);
  if (!address.ok()) return address.status();
  StatusOr<std::vector<sockaddr_storage>> resolved = ResolveListenAddress(*address);
  if (!resolved.ok()) return resolved.status();
  for (const sockaddr_storage& candidate : *resolved) {
    const int fd = socket(candidate.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    SetExclusivePortOptions(fd);
    const socklen_t length = candidate.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    // A deep backlog: thousands of idle connections must not make a scraper's connect wait.
    if (bind(fd, reinterpret_cast<const sockaddr*>(&candidate), length) != 0 || listen(fd, SOMAXCONN) != 0) {
      close(fd);
      continue;
    }
    sockaddr_storage bound{};
    socklen_t bound_length = sizeof(bound);
    getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_length);
    impl_->listen_fd = fd;
    return bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                       : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  }
  return Status::Error("cannot listen on " + listen_address + " (address in use or not local?)");
}

void HttpServer::Run() {
  Impl& impl = *impl_;
  impl.run_active = true;
  epoll_event listen_event{};
  listen_event.events = EPOLLIN;
  listen_event.data.fd = impl.listen_fd;
  epoll_event wake_event{};
  wake_event.events = EPOLLIN;
  wake_event.data.fd = impl.wake_fd;
  if (impl.listen_fd >= 0 && epoll_ctl(impl.epoll_fd, EPOLL_CTL_ADD, impl.listen_fd, &listen_event) == 0 &&
      epoll_ctl(impl.epoll_fd, EPOLL_CTL_ADD, impl.wake_fd, &wake_event) == 0) {
    std::vector<std::thread> workers;
    for (int i = 0; i < impl.options.max_concurrent_requests; ++i) workers.emplace_back([&impl] { impl.Work(); });
    impl.EventLoop();
    close(impl.listen_fd);  // new clients are refused at once, not queued
    impl.listen_fd = -1;
    impl.ShutDownWorkers(workers);
  }
  impl.run_active = false;
}

void HttpServer::Stop() {
  if (!impl_) return;
  impl_->stopping = true;
  impl_->Wake();
  while (impl_->run_active) std::this_thread::sleep_for(milliseconds(5));
}

}  // namespace tikv_exporter
