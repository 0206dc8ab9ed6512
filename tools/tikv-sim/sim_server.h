#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "tools/tikv-sim/sim_node.h"
#include "tools/tikv-sim/sim_pd.h"

namespace httplib {
class Server;
}

namespace tikv_exporter::sim {

// Makes `server` fail to bind a port another process holds (httplib's default SO_REUSEPORT
// would let two simulators share one port).
void UseExclusivePort(httplib::Server& server);

// How the simulated status server misbehaves, switchable at run time.
enum class Fault { kNone, kDown, kSlow, kError, kGarbage };

// Serves a SimNode as a TiKV status server (GET /metrics, GET /status with an empty 200) on
// one port, and a control API on another:
//   POST /control/fault?mode=none|down|slow|error|garbage[&delay_ms=N]
//   POST /control/restart                         counters start again (a TiKV restart)
//   POST /control/load?type=T&qps=Q&latency=S     set one request type's rate and mean latency
//   GET  /control/state                           the current fault and loads
//   POST /control/pd/member?index=N&mode=down|up  a PD member's port closes or opens
//   POST /control/pd/leader?index=N               PD's leader moves
//   POST /control/pd/store?id=N&state=S           a store's state (Up, Disconnected, Down, ...)
// "down" closes the status port (connections are refused); "slow" delays every answer.
// Owns both servers and their threads.
class SimServer {
 public:
  // `pd` may be null (no simulated PD).
  SimServer(SimNode* node, SimPdCluster* pd, std::string status_host, int status_port);
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  bool StartStatus();  // false when the port cannot be bound
  void StopStatus();
  bool ServeControl(const std::string& host, int port);  // blocks until StopAll()
  void StopAll();

 private:
  void SetFault(Fault fault, int delay_ms);
  std::string StateText() const;

  SimNode* const node_;
  SimPdCluster* const pd_;
  const std::string status_host_;
  const int status_port_;
  std::atomic<Fault> fault_{Fault::kNone};
  std::atomic<int> delay_ms_{0};
  std::mutex mutex_;  // guards status_server_ and status_thread_
  std::unique_ptr<httplib::Server> status_server_;
  std::thread status_thread_;
  std::unique_ptr<httplib::Server> control_server_;
};

}  // namespace tikv_exporter::sim
