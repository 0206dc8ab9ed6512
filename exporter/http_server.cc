#include "exporter/http_server.h"

#include <httplib.h>

#include <atomic>
#include <cstdlib>
#include <chrono>
#include <thread>

#include "common/address.h"
#include "common/exclusive_port.h"
#include "exporter/admission_queue.h"
#include "exporter/basic_auth.h"
#include "exporter/web_tls.h"

namespace tikv_exporter {

struct HttpServer::Impl {
  HttpServerOptions options;  // before `server`: its TLS context points into it
  std::unique_ptr<httplib::Server> server;
  std::unique_ptr<BasicAuth> auth;
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> run_active{false};
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Create(HttpHandlers handlers, const HttpServerOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  if (options.cert_file.empty()) {
    impl->server = std::make_unique<httplib::Server>();
  } else {
    const HttpServerOptions* files = &impl->options;
    auto tls = std::make_unique<httplib::SSLServer>([files](SSL_CTX& context) { return ConfigureWebTls(context, files); });
    if (!tls->is_valid()) return Status::Error(DescribeWebTlsFailure(options));
    impl->server = std::move(tls);
  }
  impl->auth = std::make_unique<BasicAuth>(options.basic_auth_users);
  httplib::Server& server = *impl->server;
  server.set_socket_options(SetExclusivePortOptions);
  const auto workers = static_cast<size_t>(options.max_concurrent_requests);
  server.new_task_queue = [workers] { return new AdmissionQueue(workers); };
  server.set_pre_routing_handler([h = handlers, auth = impl->auth.get()](const httplib::Request& req,
                                                                         httplib::Response& res) {
    if (AdmissionQueue::InOverflowLane()) {
      if (h.on_admission) h.on_admission(true);
      res.status = 503;
      res.set_header("Retry-After", "1");
      res.set_header("Connection", "close");
      res.set_content("Too many concurrent requests ([exporter] max_concurrent_requests).\n", "text/plain");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (h.on_admission) h.on_admission(false);
    if (auth->enabled() && req.path != "/-/healthy") {
      switch (auth->Check(req.get_header_value("Authorization"))) {
        case AuthResult::kAllowed:
          break;
        case AuthResult::kDenied:
          res.status = 401;
          res.set_header("WWW-Authenticate", "Basic realm=\"tikv-exporter\"");
          res.set_content("Unauthorized.\n", "text/plain");
          return httplib::Server::HandlerResponse::Handled;
        case AuthResult::kBusy:  // another password check is running: bcrypt runs one at a time
          res.status = 429;
          res.set_header("Retry-After", "1");
          res.set_content("Too many password checks at once; retry in a second.\n", "text/plain");
          return httplib::Server::HandlerResponse::Handled;
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_read_timeout(10, 0);
  server.set_write_timeout(10, 0);
  // Headers and body go out in separate writes: with Nagle's algorithm the body would wait for
  // the client's delayed ACK (40 ms on Linux) on every scrape.
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(100);
  // An idle keep-alive connection holds a server thread this long, and a stop waits for it.
  server.set_keep_alive_timeout(2);
  server.Get("/metrics", [h = handlers](const httplib::Request&, httplib::Response& res) {
    res.set_content(h.metrics(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server.Get("/", [h = handlers](const httplib::Request&, httplib::Response& res) {
    res.set_content(h.landing_page(), "text/html; charset=utf-8");
  });
  server.Get("/api/v1/snapshot", [h = handlers](const httplib::Request&, httplib::Response& res) {
    res.set_content(h.snapshot_json(), "application/json");
  });
  server.Get("/api/v1/snapshots", [h = handlers](const httplib::Request& req, httplib::Response& res) {
    int64_t since = 0;
    if (req.has_param("since")) {
      const std::string text = req.get_param_value("since");
      char* end = nullptr;
      since = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0') {
        res.status = 400;
        res.set_content("since must be a unix time in milliseconds\n", "text/plain");
        return;
      }
    }
    res.set_content(h.snapshots_json(since), "application/json");
  });
  server.Get("/api/v1/targets", [h = handlers](const httplib::Request&, httplib::Response& res) {
    std::string targets = h.targets_json();
    if (targets.empty()) {
      res.status = 503;
      res.set_content("No PD data yet: the PD collector is off or PD has not answered.\n", "text/plain");
      return;
    }
    res.set_content(targets, "application/json");
  });
  server.Get("/-/healthy", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("Healthy.\n", "text/plain");
  });
  server.Get("/-/ready", [h = handlers](const httplib::Request&, httplib::Response& res) {
    if (h.ready()) {
      res.set_content("Ready.\n", "text/plain");
    } else {
      res.status = 503;
      res.set_content("Not ready: no source has answered yet.\n", "text/plain");
    }
  });
  server.Post("/-/reload", [h = handlers](const httplib::Request&, httplib::Response& res) {
    Status reloaded = h.reload ? h.reload() : Status::Error("reload is not available");
    if (!reloaded.ok()) {
      res.status = 500;
      res.set_content("Reload failed, the running config is kept: " + reloaded.message() + "\n", "text/plain");
      return;
    }
    res.set_content("Reloaded.\n", "text/plain");
  });
  server.set_logger([h = handlers](const httplib::Request& req, const httplib::Response& res) {
    if (h.on_request) h.on_request(req.path, res.status);
  });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::~HttpServer() { Stop(); }

StatusOr<int> HttpServer::Bind(const std::string& listen_address) {
  StatusOr<HostPort> address = ParseHostPort(listen_address);
  if (!address.ok()) return address.status();
  httplib::Server& server = *impl_->server;
  if (!server.bind_to_port(address->host, address->port)) {
    return Status::Error("cannot listen on " + listen_address + " (address in use or not local?)");
  }
  return address->port;
}

void HttpServer::Run() {
  impl_->run_active = true;
  if (!impl_->stop_requested) impl_->server->listen_after_bind();
  impl_->run_active = false;
}

void HttpServer::Stop() {
  if (!impl_) return;
  impl_->stop_requested = true;
  // httplib's stop() does nothing until the accept loop runs; a Stop() that races with Run()
  // repeats it until Run() returns.
  while (impl_->run_active) {
    impl_->server->stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace tikv_exporter
