#include "tools/tikv-sim/sim_server.h"

#include <httplib.h>

#include <chrono>
#include <cstdlib>

namespace tikv_exporter::sim {
namespace {

const char* FaultName(Fault fault) {
  switch (fault) {
    case Fault::kDown:
      return "down";
    case Fault::kSlow:
      return "slow";
    case Fault::kError:
      return "error";
    case Fault::kGarbage:
      return "garbage";
    case Fault::kNone:
      break;
  }
  return "none";
}

}  // namespace

void UseExclusivePort(httplib::Server& server) {
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
  });
}

SimServer::SimServer(SimNode* node, SimPdCluster* pd, std::string status_host, int status_port)
    : node_(node), pd_(pd), status_host_(std::move(status_host)), status_port_(status_port) {}

SimServer::~SimServer() { StopAll(); }

bool SimServer::StartStatus() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (status_server_) return true;
  auto server = std::make_unique<httplib::Server>();
  UseExclusivePort(*server);
  auto misbehave = [this](httplib::Response& res) {
    Fault fault = fault_.load();
    if (fault == Fault::kSlow) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_.load()));
    if (fault == Fault::kError) {
      res.status = 500;
      res.set_content("simulated internal error\n", "text/plain");
      return true;
    }
    return false;
  };
  server->Get("/status", [misbehave](const httplib::Request&, httplib::Response& res) {
    misbehave(res);  // TiKV answers an empty 200 without a content type
  });
  server->Get("/config", [misbehave](const httplib::Request&, httplib::Response& res) {
    if (misbehave(res)) return;
    res.set_content(SimNode::ConfigJson(), "application/json");
  });
  server->Get("/metrics", [this, misbehave](const httplib::Request&, httplib::Response& res) {
    if (misbehave(res)) return;
    if (fault_.load() == Fault::kGarbage) {
      res.set_content("<html>\x01\x02 not { prometheus = \"text\n", "text/plain; version=0.0.4");
      return;
    }
    res.set_content(node_->Render(), "text/plain; version=0.0.4");
  });
  if (!server->bind_to_port(status_host_, status_port_)) return false;
  status_server_ = std::move(server);
  status_thread_ = std::thread([s = status_server_.get()] { s->listen_after_bind(); });
  // stop() is a no-op before the accept loop runs: wait for it so "down" always takes.
  while (!status_server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return true;
}

void SimServer::StopStatus() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!status_server_) return;
  status_server_->stop();
  if (status_thread_.joinable()) status_thread_.join();
  status_server_.reset();
}

void SimServer::SetFault(Fault fault, int delay_ms) {
  delay_ms_ = delay_ms;
  fault_ = fault;
  if (fault == Fault::kDown) {
    StopStatus();
  } else {
    StartStatus();
  }
}

std::string SimServer::StateText() const {
  std::string text = std::string("fault ") + FaultName(fault_.load()) + " delay_ms " +
                     std::to_string(delay_ms_.load()) + "\n";
  if (pd_ != nullptr) text += pd_->StateText();
  for (const RequestLoad& load : node_->request_loads()) {
    text += "load " + load.type + " qps " + std::to_string(load.qps) + " latency " +
            std::to_string(load.mean_latency_seconds) + "\n";
  }
  return text;
}

bool SimServer::ServeControl(const std::string& host, int port) {
  control_server_ = std::make_unique<httplib::Server>();
  httplib::Server& control = *control_server_;
  UseExclusivePort(control);
  control.Post("/control/fault", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string mode = req.get_param_value("mode");
    const int delay = std::atoi(req.get_param_value("delay_ms").c_str());
    const std::pair<const char*, Fault> modes[] = {{"none", Fault::kNone},   {"down", Fault::kDown},
                                                   {"slow", Fault::kSlow},   {"error", Fault::kError},
                                                   {"garbage", Fault::kGarbage}};
    for (const auto& [name, fault] : modes) {
      if (mode == name) {
        SetFault(fault, delay);
        res.set_content(StateText(), "text/plain");
        return;
      }
    }
    res.status = 400;
    res.set_content("mode must be none|down|slow|error|garbage\n", "text/plain");
  });
  control.Post("/control/restart", [this](const httplib::Request&, httplib::Response& res) {
    node_->Restart();
    res.set_content(StateText(), "text/plain");
  });
  control.Post("/control/load", [this](const httplib::Request& req, httplib::Response& res) {
    RequestLoad load{req.get_param_value("type"), std::atof(req.get_param_value("qps").c_str()),
                     std::atof(req.get_param_value("latency").c_str())};
    if (load.type.empty() || load.qps < 0 || load.mean_latency_seconds <= 0) {
      res.status = 400;
      res.set_content("need type, qps >= 0 and latency > 0 (seconds)\n", "text/plain");
      return;
    }
    node_->SetRequestLoad(load);
    res.set_content(StateText(), "text/plain");
  });
  control.Get("/control/state", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(StateText(), "text/plain");
  });
  auto pd_reply = [this](httplib::Response& res, bool ok) {
    if (!ok) {
      res.status = 400;
      res.set_content("no simulated PD, or no such member/store, or the port cannot be bound\n", "text/plain");
      return;
    }
    res.set_content(StateText(), "text/plain");
  };
  control.Post("/control/pd/member", [this, pd_reply](const httplib::Request& req, httplib::Response& res) {
    const std::string mode = req.get_param_value("mode");
    pd_reply(res, pd_ != nullptr && (mode == "down" || mode == "up") &&
                      pd_->SetMemberDown(std::stoul("0" + req.get_param_value("index")), mode == "down"));
  });
  control.Post("/control/pd/leader", [this, pd_reply](const httplib::Request& req, httplib::Response& res) {
    pd_reply(res, pd_ != nullptr && pd_->SetLeader(std::stoul("0" + req.get_param_value("index"))));
  });
  control.Post("/control/pd/store", [this, pd_reply](const httplib::Request& req, httplib::Response& res) {
    pd_reply(res, pd_ != nullptr && pd_->SetStoreState(std::stoull("0" + req.get_param_value("id")),
                                                       req.get_param_value("state")));
  });
  return control.listen(host, port);
}

void SimServer::StopAll() {
  if (control_server_) control_server_->stop();
  StopStatus();
}

}  // namespace tikv_exporter::sim
