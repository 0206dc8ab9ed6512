#include "exporter/http_server.h"

#include <httplib.h>

#include <atomic>
#include <cstdlib>
#include <chrono>
#include <thread>

#include "common/address.h"

namespace tikv_exporter {

struct HttpServer::Impl {
  httplib::Server server;
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> run_active{false};
};

HttpServer::HttpServer(HttpHandlers handlers) : impl_(std::make_unique<Impl>()) {
  httplib::Server& server = impl_->server;
  // httplib's default adds SO_REUSEPORT, which lets a second exporter bind the same port and
  // silently share its traffic; a taken port must be an error instead.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
  });
  server.set_read_timeout(10, 0);
  server.set_write_timeout(10, 0);
  server.set_keep_alive_max_count(100);
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
  server.set_logger([h = handlers](const httplib::Request& req, const httplib::Response& res) {
    if (h.on_request) h.on_request(req.path, res.status);
  });
}

HttpServer::~HttpServer() { Stop(); }

StatusOr<int> HttpServer::Bind(const std::string& listen_address) {
  StatusOr<HostPort> address = ParseHostPort(listen_address);
  if (!address.ok()) return address.status();
  httplib::Server& server = impl_->server;
  if (!server.bind_to_port(address->host, address->port)) {
    return Status::Error("cannot listen on " + listen_address + " (address in use or not local?)");
  }
  return address->port;
}

void HttpServer::Run() {
  impl_->run_active = true;
  if (!impl_->stop_requested) impl_->server.listen_after_bind();
  impl_->run_active = false;
}

void HttpServer::Stop() {
  if (!impl_) return;
  impl_->stop_requested = true;
  // httplib's stop() does nothing until the accept loop runs; a Stop() that races with Run()
  // repeats it until Run() returns.
  while (impl_->run_active) {
    impl_->server.stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace tikv_exporter
