#include "server/http_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/address.h"
#include "common/exclusive_port.h"
#include "common/mutex.h"
#include "server/basic_auth.h"
#include "server/http_connection.h"
#include "server/http_reply.h"
#include "server/http_request.h"
#include "server/http_routes.h"
#include "server/web_tls.h"

namespace tikv_exporter {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ConnectionPtr = std::shared_ptr<HttpConnection>;
using State = HttpConnection::State;

// A connection with no request in progress is closed after this long.
constexpr auto kIdleTimeout = seconds(5);
// A TLS handshake, and from its first byte a request head (and its small body), must be complete
// within this.
constexpr auto kHeadTimeout = seconds(5);
// A client must take an answer at this rate at least, judged over each window of this length
// from the start of the answer (the first window is the grace: kernel buffers absorb a burst).
constexpr size_t kMinDrainBytesPerSecond = 4 << 10;
constexpr auto kDrainWindow = seconds(2);
// After the last answer of a connection, what the client still sends is read and dropped this
// long at most (lingering close).
constexpr auto kLingerTimeout = milliseconds(500);
// After Stop(), answers in flight get this long before their connections are cut.
constexpr auto kStopGrace = milliseconds(1000);
// Requests answered on one connection before it is closed (clients reconnect).
constexpr int kMaxRequestsPerConnection = 1000;
// Out of file descriptors, accepting pauses this long instead of failing again at once.
constexpr auto kAcceptPause = milliseconds(100);
// Deadlines, idle connections and drain rates are checked this often.
constexpr auto kSweepInterval = milliseconds(100);
// A connection whose handshake or head received bytes this recently is advancing: never evicted.
constexpr auto kAdvancing = seconds(1);

struct Job {
  ConnectionPtr connection;
  HttpRequest request;
  bool last = false;  // the connection's last request (kMaxRequestsPerConnection)
};

// The socket addresses "host" names for listening ("" and "0.0.0.0": every IPv4 address).
StatusOr<std::vector<sockaddr_storage>> ResolveListenAddress(const HostPort& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(address.port);
  const int error = getaddrinfo(address.host.empty() ? nullptr : address.host.c_str(), port.c_str(),
                                &hints, &found);
  if (error != 0)
    return Status::InvalidArgument("cannot resolve listen address " + address.host + ": " +
                         gai_strerror(error));
  std::vector<sockaddr_storage> addresses;
  for (addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
    sockaddr_storage storage{};
    std::memcpy(&storage, entry->ai_addr, entry->ai_addrlen);
    addresses.push_back(storage);
  }
  freeaddrinfo(found);
  return addresses;
}

bool OutOfDescriptors(const boost::system::error_code& error) {
  return error.value() == EMFILE || error.value() == ENFILE || error.value() == ENOBUFS ||
         error.value() == ENOMEM;
}

}  // namespace

// The policy layer over Asio: every member but the job queue (under `mutex`) is owned by the
// event-loop thread, the one that runs Run().
struct HttpServer::Impl {
  HttpServerHooks hooks;
  HttpRoutes routes;
  HttpServerOptions options;  // before `tls`: its certificate callback points into it
  RequestLimits limits;
  std::unique_ptr<asio::ssl::context> tls;
  std::unique_ptr<BasicAuth> auth;
  asio::io_context loop{1};
  asio::ip::tcp::acceptor acceptor{loop};
  asio::steady_timer accept_pause{loop};
  asio::steady_timer sweep{loop};
  bool sweep_armed = false;  // the loop's thread only
  std::atomic<bool> stopping{false};
  std::atomic<bool> run_active{false};
  Clock::time_point stop_deadline;

  std::unordered_set<ConnectionPtr> open;
  std::unordered_map<std::string, int> per_address;

  Mutex mutex;
  CondVar work_ready;
  std::deque<Job> jobs ABSL_GUARDED_BY(mutex);
  size_t busy ABSL_GUARDED_BY(mutex) = 0;  // workers answering a request

  void ReportLimit(Limit limit, bool hit, const std::string& detail = "") const {
    if (hooks.on_limit) hooks.on_limit(limit, hit, detail);
  }

  void Accept();
  void Accepted(const boost::system::error_code& error, asio::ip::tcp::socket socket);
  bool MakeRoom(const std::string& address);
  ConnectionPtr EvictionCandidate(const std::string* address) const;
  void Read(const ConnectionPtr& connection);
  void Received(const ConnectionPtr& connection, bool ok);
  void Reject(const ConnectionPtr& connection, int status, const std::string& reason,
              std::vector<std::pair<std::string, std::string>> headers = {});
  void Dispatch(const ConnectionPtr& connection, RequestScan scan);
  void Work();
  void Send(const ConnectionPtr& connection, ReplyBytes bytes, bool keep_alive);
  void Linger(const ConnectionPtr& connection);
  void Close(const ConnectionPtr& connection);
  void Sweep();
  // Runs the sweep every kSweepInterval while connections are open or the server is stopping:
  // an idle exporter wakes only to poll (ten wake-ups a second cost a tenth of its CPU).
  void ArmSweep();
  void BeginStop();
};

void HttpServer::Impl::Close(const ConnectionPtr& connection) {
  if (connection->closed()) return;
  connection->Close();
  if (open.erase(connection) == 0) return;
  auto it = per_address.find(connection->address());
  if (it != per_address.end() && --it->second == 0) per_address.erase(it);
}

// The connection to close for a new one: never one being answered, never one whose handshake
// or head is advancing (a byte or TLS record within kAdvancing). Among the others, from the
// source address holding the most connections (a flood from a few addresses makes room from its
// own), the one without progress for longest. Only that address's connections when `address` is
// set.
ConnectionPtr HttpServer::Impl::EvictionCandidate(const std::string* address) const {
  const auto now = Clock::now();
  ConnectionPtr best;
  int best_count = 0;
  for (const ConnectionPtr& connection : open) {
    if (address != nullptr && connection->address() != *address) continue;
    if (connection->state == State::kAnswering || connection->state == State::kWriting) continue;
    const bool started = (connection->state == State::kReading && !connection->buffer().empty()) ||
                         (connection->state == State::kHandshake && connection->handshake_started);
    if (started && now - connection->last_progress < kAdvancing) continue;
    const auto found = per_address.find(connection->address());
    const int count = found == per_address.end() ? 0 : found->second;
    if (!best || count > best_count ||
        (count == best_count && connection->last_progress < best->last_progress)) {
      best = connection;
      best_count = count;
    }
  }
  return best;
}

// False when nothing may be closed to make room for a connection from `address`.
bool HttpServer::Impl::MakeRoom(const std::string& address) {
  auto same = per_address.find(address);
  if (same != per_address.end() && same->second >= options.max_connections_per_address) {
    ConnectionPtr victim = EvictionCandidate(&address);
    if (!victim) return false;
    ReportLimit(Limit::kHttpConnections, true,
                "closing the connection without progress for longest from an address with " +
                    std::to_string(options.max_connections_per_address) + " open ones");
    Close(victim);
  }
  if (open.size() < static_cast<size_t>(options.max_connections)) return true;
  ConnectionPtr victim = EvictionCandidate(nullptr);
  if (!victim) return false;
  ReportLimit(Limit::kHttpConnections, true,
              "closing the connection without progress for longest for each new one beyond " +
                  std::to_string(options.max_connections));
  Close(victim);
  return true;
}

void HttpServer::Impl::Accept() {
  acceptor.async_accept(
      loop, [this](const boost::system::error_code& error, asio::ip::tcp::socket socket) {
        Accepted(error, std::move(socket));
      });
}

void HttpServer::Impl::Accepted(const boost::system::error_code& error,
                                asio::ip::tcp::socket socket) {
  if (stopping || !acceptor.is_open()) return;
  if (OutOfDescriptors(error)) {
    // The listen socket stays readable while the backlog waits: accepting again at once would
    // spin. Pause, and let closing connections give descriptors back. (The tracker logs the
    // start and the end of a streak, not each pause.)
    ReportLimit(Limit::kHttpAcceptDescriptors, true,
                "out of file descriptors (" + error.message() +
                    "): pausing accepting for 100 ms at a time");
    accept_pause.expires_after(kAcceptPause);
    accept_pause.async_wait([this](const boost::system::error_code& waited) {
      if (!waited) Accept();
    });
    return;
  }
  Accept();
  if (error) return;  // e.g. the client reset before we accepted
  ReportLimit(Limit::kHttpAcceptDescriptors, false);
  auto connection = std::make_shared<HttpConnection>(std::move(socket), tls.get());
  if (!MakeRoom(connection->address())) {
    ReportLimit(Limit::kHttpConnections, true,
                "closing new connections while all " + std::to_string(open.size()) +
                    " open ones make progress");
    connection->Close();
    return;
  }
  ReportLimit(Limit::kHttpConnections, false);
  open.insert(connection);
  ArmSweep();
  ++per_address[connection->address()];
  connection->state = State::kHandshake;
  connection->deadline = connection->opened + kHeadTimeout;
  connection->Handshake([this, connection](bool ok) {
    if (connection->closed()) return;
    if (!ok) {
      Close(connection);
      return;
    }
    connection->state = State::kReading;
    connection->deadline = Clock::now() + kIdleTimeout;
    Read(connection);
  });
}

// Waits for the rest of a request (a pipelined one may already be buffered). The idle timeout
// runs until the request's first byte, the head deadline from then on.
void HttpServer::Impl::Read(const ConnectionPtr& connection) {
  connection->state = State::kReading;
  connection->head_started = !connection->buffer().empty();
  connection->deadline = Clock::now() + (connection->head_started ? kHeadTimeout : kIdleTimeout);
  Received(connection, true);
}

void HttpServer::Impl::Received(const ConnectionPtr& connection, bool ok) {
  if (!connection->head_started && !connection->buffer().empty()) {
    connection->head_started = true;
    connection->deadline = Clock::now() + kHeadTimeout;
  }
  RequestScan scan = ScanRequest(connection->buffer(), limits);
  switch (scan.state) {
    case RequestScan::State::kComplete:
      Dispatch(connection, std::move(scan));
      return;
    case RequestScan::State::kRejected:
      ReportLimit(scan.limit, true,
                  "answering " + std::to_string(scan.reject_status) + ": " + scan.reject_reason);
      Reject(connection, scan.reject_status, scan.reject_reason + "\n");
      return;
    case RequestScan::State::kIncomplete:
      break;
  }
  if (!ok) {  // the client closed mid-request, or between requests
    Close(connection);
    return;
  }
  const size_t capacity = limits.max_head_bytes + limits.max_body_bytes + 4 /* CRLFCRLF */;
  if (connection->buffer().size() >= capacity) {  // stray CRLFs before a head and its body
    ReportLimit(Limit::kHttpRequestHeadBytes, true,
                "answering 431: request larger than the buffer");
    Reject(connection, 431, "request larger than " + std::to_string(capacity) + " bytes\n");
    return;
  }
  // A read completes after a 408 was decided (the read is cancelled then): only a connection
  // still reading goes on.
  connection->ReadSome(capacity, [this, connection](bool more) {
    if (connection->state == State::kReading) Received(connection, more);
  });
}

// Answers from the event loop (a rejection, a 408, a 503): written like any answer, then the
// connection is closed with a linger.
void HttpServer::Impl::Reject(const ConnectionPtr& connection, int status,
                              const std::string& reason,
                              std::vector<std::pair<std::string, std::string>> headers) {
  HttpReply reply = HttpReply::Text(status, reason);
  reply.headers = std::move(headers);
  for (const auto& header : options.headers) reply.headers.push_back(header);
  if (hooks.on_request) hooks.on_request("", status);
  Send(connection, FrameReply(reply, false, false, false), false);
}

void HttpServer::Impl::Dispatch(const ConnectionPtr& connection, RequestScan scan) {
  connection->buffer().erase(0, scan.consumed);
  const auto capacity = static_cast<size_t>(options.max_concurrent_requests);
  bool queued = false;
  {
    MutexLock lock(mutex);
    // Served plus waiting, as many waiting as can be served at once: a scrape queued behind a
    // full set of workers still answers within a couple of handler runs.
    if (busy + jobs.size() < 2 * capacity) {
      connection->state = State::kAnswering;
      jobs.push_back(Job{connection, std::move(scan.request),
                         connection->requests_served + 1 >= kMaxRequestsPerConnection});
      work_ready.NotifyOne();
      queued = true;
    }
  }
  if (queued) {
    for (Limit limit : {Limit::kHttpConcurrentRequests, Limit::kHttpRequestHeadBytes,
                        Limit::kHttpRequestBodyBytes, Limit::kHttpRequestDeadline,
                        Limit::kHttpRequestMalformed}) {
      ReportLimit(limit, false);
    }
    return;
  }
  ReportLimit(
      Limit::kHttpConcurrentRequests, true,
      "answering 503 to requests beyond max_concurrent_requests = " + std::to_string(capacity));
  Reject(connection, 503, "Too many concurrent requests ([exporter] max_concurrent_requests).\n",
         {{"Retry-After", "1"}});
}

// A worker: computes answers, never writes them. The bytes go back to the loop, so a client that
// does not read holds no worker.
void HttpServer::Impl::Work() {
  while (true) {
    Job job;
    {
      MutexLock lock(mutex);
      work_ready.Wait(mutex, [&] {
        mutex.AssertHeld();
        return stopping || !jobs.empty();
      });
      if (jobs.empty()) return;  // stopping, and every queued request has been answered
      job = std::move(jobs.front());
      jobs.pop_front();
      ++busy;
    }
    const HttpRequest& request = job.request;
    if (hooks.on_in_flight) hooks.on_in_flight(1);
    HttpReply reply = routes.Answer(request, *auth, hooks);
    for (const auto& header : options.headers) reply.headers.push_back(header);
    const bool keep_alive = request.KeepAlive() && !stopping && !job.last;
    const int status = reply.status;
    ReplyBytes bytes =
        FrameReply(std::move(reply), keep_alive, AcceptsGzip(request.Header("accept-encoding")),
                   request.method == "HEAD");
    if (hooks.on_in_flight) hooks.on_in_flight(-1);
    if (hooks.on_request) hooks.on_request(request.path, status);
    asio::post(loop, [this, connection = std::move(job.connection), bytes = std::move(bytes),
                      keep_alive]() mutable {
      if (connection->closed()) return;
      ++connection->requests_served;
      Send(connection, std::move(bytes), keep_alive);
    });
    MutexLock lock(mutex);
    --busy;
  }
}

// One answer at a time per connection: the next pipelined request is read only once this one
// is sent, so a connection holds at most one answer in memory (the output cap).
void HttpServer::Impl::Send(const ConnectionPtr& connection, ReplyBytes bytes, bool keep_alive) {
  connection->state = State::kWriting;
  connection->drain_mark_time = Clock::now();
  connection->drain_mark_bytes = 0;
  connection->Write(std::move(bytes), [this, connection, keep_alive](bool ok) {
    if (connection->closed()) return;
    if (!ok) {
      Close(connection);
    } else if (keep_alive && !stopping) {
      Read(connection);
    } else {
      Linger(connection);
    }
  });
}

void HttpServer::Impl::Linger(const ConnectionPtr& connection) {
  connection->state = State::kLingering;
  connection->deadline = Clock::now() + kLingerTimeout;
  connection->Linger([this, connection](bool) { Close(connection); });
}

void HttpServer::Impl::Sweep() {
  const auto now = Clock::now();
  std::vector<ConnectionPtr> expired;
  for (const ConnectionPtr& connection : open) {
    switch (connection->state) {
      case State::kHandshake:
      case State::kReading:
      case State::kLingering:
        if (connection->deadline <= now) expired.push_back(connection);
        break;
      case State::kWriting:
        if (now - connection->drain_mark_time >= kDrainWindow) {
          const size_t taken = connection->bytes_written() - connection->drain_mark_bytes;
          const auto window =
              std::chrono::duration_cast<milliseconds>(now - connection->drain_mark_time);
          if (taken * 1000 < kMinDrainBytesPerSecond * static_cast<size_t>(window.count())) {
            expired.push_back(connection);
          } else {
            connection->drain_mark_time = now;
            connection->drain_mark_bytes = connection->bytes_written();
          }
        }
        break;
      case State::kAnswering:
      case State::kClosed:
        break;
    }
  }
  for (const ConnectionPtr& connection : expired) {
    if (connection->state == State::kReading && connection->head_started) {
      const std::string limit = std::to_string(seconds(kHeadTimeout).count()) + " s";
      ReportLimit(Limit::kHttpRequestDeadline, true,
                  "answering 408 to requests not complete within " + limit);
      connection->CancelRead();
      Reject(connection, 408, "The request was not complete within " + limit + ".\n");
      continue;
    }
    if (connection->state == State::kWriting) {
      ReportLimit(Limit::kHttpSlowReaders, true,
                  "closing connections that take their answer slower than " +
                      std::to_string(kMinDrainBytesPerSecond >> 10) + " KiB/s");
    }
    Close(connection);  // idle, a handshake past its deadline, a linger over, a slow reader
  }
  if (stopping) {
    bool idle;
    {
      MutexLock lock(mutex);
      idle = busy == 0 && jobs.empty();
    }
    for (const ConnectionPtr& connection : std::vector<ConnectionPtr>(open.begin(), open.end())) {
      if (connection->state != State::kAnswering && connection->state != State::kWriting)
        Close(connection);
    }
    // Answers in flight get a grace period; then their connections are cut, so a client that
    // reads slowly (or not at all) cannot hold the stop.
    if ((idle && open.empty()) || now >= stop_deadline) {
      for (const ConnectionPtr& connection : std::vector<ConnectionPtr>(open.begin(), open.end()))
        Close(connection);
      loop.stop();
      return;
    }
  }
  sweep_armed = false;
  if (!open.empty() || stopping) ArmSweep();
}

void HttpServer::Impl::ArmSweep() {
  if (sweep_armed) return;
  sweep_armed = true;
  sweep.expires_after(kSweepInterval);
  sweep.async_wait([this](const boost::system::error_code& error) {
    if (!error) Sweep();
  });
}

void HttpServer::Impl::BeginStop() {
  stop_deadline = Clock::now() + kStopGrace;
  boost::system::error_code ignored;
  acceptor.close(ignored);  // new clients are refused at once, not queued
  accept_pause.cancel();
  sweep.cancel();
  Sweep();
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Create(HttpServerHooks hooks,
                                                         const HttpServerOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->hooks = std::move(hooks);
  impl->options = options;
  if (!options.cert_file.empty()) {
    impl->tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    if (!ConfigureWebTls(*impl->tls->native_handle(), &impl->options)) {
      return Status::InvalidArgument(DescribeWebTlsFailure(options));
    }
  }
  impl->auth = std::make_unique<BasicAuth>(options.basic_auth_users);
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Handle(std::string method, std::string path, HttpHandler handler,
                        bool public_route) {
  impl_->routes.Add(std::move(method), std::move(path), std::move(handler), public_route);
}

StatusOr<int> HttpServer::Bind(const std::string& listen_address) {
  StatusOr<HostPort> address = ParseHostPort(listen_address);
  if (!address.ok()) return address.status();
  StatusOr<std::vector<sockaddr_storage>> resolved = ResolveListenAddress(*address);
  if (!resolved.ok()) return resolved.status();
  for (const sockaddr_storage& candidate : *resolved) {
    const int fd = socket(candidate.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    SetExclusivePortOptions(fd);
    const socklen_t length =
        candidate.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    // A deep backlog: thousands of idle connections must not make a scraper's connect wait.
    if (bind(fd, reinterpret_cast<const sockaddr*>(&candidate), length) != 0 ||
        listen(fd, SOMAXCONN) != 0) {
      close(fd);
      continue;
    }
    sockaddr_storage bound{};
    socklen_t bound_length = sizeof(bound);
    getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_length);
    boost::system::error_code error;
    impl_->acceptor.assign(
        candidate.ss_family == AF_INET6 ? asio::ip::tcp::v6() : asio::ip::tcp::v4(), fd, error);
    if (error) {
      close(fd);
      continue;
    }
    return bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                       : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  }
  return Status::Unavailable("cannot listen on " + listen_address + " (address in use or not local?)");
}

void HttpServer::Run() {
  Impl& impl = *impl_;
  impl.run_active = true;
  if (impl.acceptor.is_open() && !impl.stopping) {
    std::vector<std::thread> workers;
    for (int i = 0; i < impl.options.max_concurrent_requests; ++i)
      workers.emplace_back([&impl] { impl.Work(); });
    impl.Accept();
    impl.Sweep();
    impl.loop.run();
    {
      MutexLock lock(impl.mutex);
      impl.stopping = true;
      impl.work_ready.NotifyAll();
    }
    for (std::thread& worker : workers) worker.join();
    for (const ConnectionPtr& connection :
         std::vector<ConnectionPtr>(impl.open.begin(), impl.open.end())) {
      impl.Close(connection);
    }
    boost::system::error_code ignored;
    impl.acceptor.close(ignored);
  }
  impl.run_active = false;
}

void HttpServer::Stop() {
  if (!impl_) return;
  if (!impl_->stopping.exchange(true)) {
    MutexLock lock(impl_->mutex);
    impl_->work_ready.NotifyAll();
  }
  asio::post(impl_->loop, [impl = impl_.get()] { impl->BeginStop(); });
  while (impl_->run_active) std::this_thread::sleep_for(milliseconds(5));
}

}  // namespace tikv_exporter
