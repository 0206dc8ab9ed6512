#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "tools/tikv-sim/fault_injector.h"
#include "tools/tikv-sim/sim_debug_service.h"
#include "tools/tikv-sim/sim_http.h"
#include "tools/tikv-sim/sim_node.h"
#include "tools/tikv-sim/sim_pd.h"

namespace httplib {
class Server;
}

namespace tikv_exporter::sim {

// Serves a SimNode as a TiKV status server (GET /metrics, GET /status with an empty 200,
// GET /config, GET /ready: 200, 500 while not_ready is on, 404 for a fixture node) on one port,
// and a control API on another:
//   POST /control/fault?mode=M[&delay_ms=N][&code=C]   M: none|down|slow|hang|error|garbage|
//                                                 midbody|huge|wrongtype|flap|badutf8 (fault_injector.h)
//   POST /control/pd/fault?mode=M[&delay_ms=N][&code=C]  the same for every PD member's HTTP API
//   POST /control/restart                         counters start again (a TiKV restart)
//   POST /control/load?type=T&qps=Q&latency=S     set one request type's rate and mean latency
//   POST /control/unhealthy?state=S[&on=false]    drive the node into an unhealthy state, or heal
//                                                 it (on=false; state=none heals all). S: slow_score|
//                                                 disk_almost_full|disk_full|apply_latency|busy|
//                                                 gc_stuck|resolved_ts|not_ready|critical_error|
//                                                 thread_pools|write_stall|latch_wait|grpc_errors|
//                                                 flow_control|cpu_quota (sim_health_states.h)
//   GET  /control/state                           the current fault, unhealthy states and loads
//   POST /control/pd/member?index=N&mode=down|up  a PD member's port closes or opens
//   POST /control/pd/leader?index=N               PD's leader moves
//   POST /control/pd/store?id=N&state=S           a store's state (Up, Disconnected, Down, ...)
//   POST /control/pd/advertise?index=N&address=A  the client URL member N advertises: A = blackhole
//                                                 (accepts, never answers), HOST:PORT, or "" (its own)
//   POST /control/pd/hostile-stores?shape=S[&count=N][&bytes=B]  PD's /stores becomes S: many|
//                                                 minimal|long-address|empty, or none (hostile_bodies.h)
//   POST /control/hostile-config?bytes=B          TiKV's /config becomes B bytes of nested arrays
//                                                 (0: the normal config again)
//   POST /control/debug/fault?mode=M[&bytes=B]    the debug service (debugpb.Debug on the gRPC
//                                                 port): M = none|hang|fail|oversized (B bytes)
// "down" closes the status port (connections are refused).
// Owns both servers and their threads.
class SimServer {
 public:
  // `pd` may be null (no simulated PD).
  SimServer(SimNode* node, SimPdCluster* pd, std::string status_host, int status_port, SimTls tls = {});
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  // The node's debug service, for /control/debug/fault and /control/state; set before ServeControl().
  void SetDebugService(SimDebugService* debug_service) { debug_service_ = debug_service; }
  bool StartStatus();  // false when the port cannot be bound
  void StopStatus();
  bool ServeControl(const std::string& host, int port);  // blocks until StopAll()
  void StopAll();

 private:
  // `down` closes the status port; otherwise it serves with `fault`.
  void SetFault(bool down, Fault fault, int delay_ms, int code);
  std::string StateText() const;
  // POST /control/unhealthy; false for an unknown state name.
  bool SetUnhealthy(const std::string& name, bool on);

  SimNode* const node_;
  SimPdCluster* const pd_;
  SimDebugService* debug_service_ = nullptr;
  const std::string status_host_;
  const int status_port_;
  const SimTls tls_;
  FaultInjector faults_{"/status"};
  std::atomic<bool> down_{false};
  std::mutex mutex_;  // guards status_server_ and status_thread_
  std::unique_ptr<httplib::Server> status_server_;
  std::thread status_thread_;
  // Made with the SimServer, not by ServeControl(): StopAll() runs on the signal thread, and read
  // it while ServeControl() assigned it (a race ThreadSanitizer reported).
  const std::unique_ptr<httplib::Server> control_server_;
  std::mutex config_mutex_;
  std::string config_body_;  // /control/hostile-config; "" serves SimNode::ConfigJson()
};

}  // namespace tikv_exporter::sim
