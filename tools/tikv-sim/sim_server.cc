#include "tools/tikv-sim/sim_server.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>

#include "tools/tikv-sim/hostile_bodies.h"

namespace tikv_exporter::sim {

SimServer::SimServer(SimNode* node, SimPdCluster* pd, std::string status_host, int status_port, SimTls tls)
    : node_(node),
      pd_(pd),
      status_host_(std::move(status_host)),
      status_port_(status_port),
      tls_(std::move(tls)),
      control_server_(MakeSimHttpServer(SimTls{})) {}

SimServer::~SimServer() { StopAll(); }

bool SimServer::StartStatus() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (status_server_) return true;
  std::unique_ptr<httplib::Server> server = MakeSimHttpServer(tls_);
  if (!server) return false;
  faults_.InstallOn(*server);
  // TiKV answers /status with an empty 200 without a content type.
  server->Get("/status", [](const httplib::Request&, httplib::Response&) {});
  // TiKV >= v8.5.6 builds: 200 when ready, 500 when not; with ?verbose a JSON of the two
  // conditions (components/tikv_util/src/lib.rs ServerReadiness). Older TiKV: 404.
  server->Get("/ready", [this](const httplib::Request& req, httplib::Response& res) {
    const std::optional<bool> ready = node_->Ready();
    if (!ready) {
      res.status = 404;
      res.set_content("path not found", "text/plain");
      return;
    }
    res.status = *ready ? 200 : 500;
    if (req.has_param("verbose")) {
      const std::string caught_up = *ready ? "true" : "false";
      res.set_content("{\n  \"connected_to_pd\": true,\n  \"raft_peers_caught_up\": " + caught_up + "\n}",
                      "application/json");
    }
  });
  server->Get("/config", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(config_mutex_);
    res.set_content(config_body_.empty() ? SimNode::ConfigJson() : config_body_, "application/json");
  });
  server->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(faults_.Distort(node_->Render()), "text/plain; version=0.0.4");
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

void SimServer::SetFault(bool down, Fault fault, int delay_ms, int code) {
  down_ = down;
  faults_.Set(fault, delay_ms, code);  // also releases hung requests, so a stop cannot wait on them
  if (down_) {
    StopStatus();
  } else {
    StartStatus();
  }
}

std::string SimServer::StateText() const {
  std::string text = down_ ? "fault down\n" : faults_.StateText();
  if (pd_ != nullptr) text += pd_->StateText();
  if (debug_service_ != nullptr) text += debug_service_->StateText();
  for (HealthState state : node_->health_states()) text += "unhealthy " + std::string(HealthStateName(state)) + "\n";
  for (const RequestLoad& load : node_->request_loads()) {
    text += "load " + load.type + " qps " + std::to_string(load.qps) + " latency " +
            std::to_string(load.mean_latency_seconds) + "\n";
  }
  return text;
}

bool SimServer::ServeControl(const std::string& host, int port) {
  httplib::Server& control = *control_server_;
  // ?mode=M[&delay_ms=N][&code=C] of both fault endpoints; false (and a 400) for an unknown mode.
  struct FaultRequest {
    bool down = false;
    Fault fault = Fault::kNone;
    int delay_ms = 0;
    int code = 0;
  };
  auto parse_fault = [](const httplib::Request& req, httplib::Response& res, bool allow_down, FaultRequest* out) {
    const std::string mode = req.get_param_value("mode");
    out->down = allow_down && mode == "down";
    out->delay_ms = std::atoi(req.get_param_value("delay_ms").c_str());
    out->code = std::atoi(req.get_param_value("code").c_str());
    if (out->down || ParseFault(mode, &out->fault)) return true;
    res.status = 400;
    res.set_content("mode must be " + std::string(allow_down ? "down|" : "") + FaultNames() + "\n", "text/plain");
    return false;
  };
  control.Post("/control/fault", [this, parse_fault](const httplib::Request& req, httplib::Response& res) {
    FaultRequest request;
    if (!parse_fault(req, res, true, &request)) return;
    SetFault(request.down, request.fault, request.delay_ms, request.code);
    res.set_content(StateText(), "text/plain");
  });
  control.Post("/control/pd/fault", [this, parse_fault](const httplib::Request& req, httplib::Response& res) {
    FaultRequest request;
    if (!parse_fault(req, res, false, &request)) return;
    if (pd_ == nullptr) {
      res.status = 400;
      res.set_content("no simulated PD\n", "text/plain");
      return;
    }
    pd_->faults().Set(request.fault, request.delay_ms, request.code);
    res.set_content(StateText(), "text/plain");
  });
  control.Post("/control/pd/proxy", [this](const httplib::Request& req, httplib::Response& res) {
    if (pd_ == nullptr) {
      res.status = 400;
      res.set_content("no simulated PD\n", "text/plain");
      return;
    }
    pd_->SetBehindProxy(req.get_param_value("on") != "false");
    res.set_content(StateText(), "text/plain");
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
  control.Post("/control/unhealthy", [this](const httplib::Request& req, httplib::Response& res) {
    if (!SetUnhealthy(req.get_param_value("state"), req.get_param_value("on") != "false")) {
      res.status = 400;
      res.set_content("state must be none|" + HealthStateNames() + " (on=false heals one)\n", "text/plain");
      return;
    }
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
  control.Post("/control/pd/advertise", [this, pd_reply](const httplib::Request& req, httplib::Response& res) {
    pd_reply(res, pd_ != nullptr && pd_->SetAdvertisedAddress(std::stoul("0" + req.get_param_value("index")),
                                                              req.get_param_value("address")));
  });
  control.Post("/control/pd/store", [this, pd_reply](const httplib::Request& req, httplib::Response& res) {
    pd_reply(res, pd_ != nullptr && pd_->SetStoreState(std::stoull("0" + req.get_param_value("id")),
                                                       req.get_param_value("state")));
  });
  control.Post("/control/pd/hostile-stores", [this, pd_reply](const httplib::Request& req, httplib::Response& res) {
    const std::string shape = req.get_param_value("shape");
    const std::string body = HostilePdStores(shape, std::stoul("0" + req.get_param_value("count")),
                                             std::stoul("0" + req.get_param_value("bytes")));
    if (pd_ != nullptr && (shape == "none" || !body.empty())) pd_->SetStoresBody(body);
    pd_reply(res, pd_ != nullptr && (shape == "none" || !body.empty()));
  });
  control.Post("/control/debug/fault", [this](const httplib::Request& req, httplib::Response& res) {
    const std::optional<DebugFault> fault = ParseEnum(kDebugFaultNames, req.get_param_value("mode"));
    if (debug_service_ == nullptr || !fault) {
      res.status = 400;
      res.set_content("needs --grpc-address, and mode " + EnumNames(kDebugFaultNames) + "\n", "text/plain");
      return;
    }
    debug_service_->SetFault(*fault, std::stoul("0" + req.get_param_value("bytes")));
    res.set_content(StateText(), "text/plain");
  });
  control.Post("/control/hostile-config", [this](const httplib::Request& req, httplib::Response& res) {
    const size_t bytes = std::stoul("0" + req.get_param_value("bytes"));
    {
      std::lock_guard<std::mutex> lock(config_mutex_);
      config_body_ = bytes > 0 ? DeepArraysJson(bytes) : "";
    }
    res.set_content(StateText(), "text/plain");
  });
  return control.listen(host, port);
}

bool SimServer::SetUnhealthy(const std::string& name, bool on) {
  if (name == "none") {
    node_->ClearHealth();
  } else if (std::optional<HealthState> state = ParseHealthState(name)) {
    node_->SetHealthState(*state, on);
  } else {
    return false;
  }
  // PD sees the slow store and the stuck GC too: the local store's (the first one's) slow_score
  // follows TiKV's, and PD's GC safe point TiKV's auto-GC one.
  if (pd_ != nullptr) {
    const std::vector<HealthState> states = node_->health_states();
    auto on = [&states](HealthState state) { return std::find(states.begin(), states.end(), state) != states.end(); };
    pd_->SetLocalSlowScore(on(HealthState::kSlowScore) ? 100 : 1);
    pd_->SetGc(on(HealthState::kGcStuck), on(HealthState::kGcLongLifeTime), on(HealthState::kGcFutureSafePoint));
  }
  return true;
}

void SimServer::StopAll() {
  control_server_->stop();
  faults_.Set(Fault::kNone, 0, 0);  // hung requests end, so the status server can stop
  StopStatus();
}

}  // namespace tikv_exporter::sim
