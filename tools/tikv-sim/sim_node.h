#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "prom/exposition.h"
#include "tools/tikv-sim/sim_health_states.h"

namespace tikv_exporter::sim {

// A request type served at a constant rate. Each request's latency is 0.5×, 1× or 1.5× the
// mean (a quarter, a half and a quarter of the requests), so the true mean is `mean_latency`.
// The rate may swing as a sine wave (the demo): qps × (1 + amplitude × sin(2πt / period)).
struct RequestLoad {
  std::string type;
  double qps = 0;
  double mean_latency_seconds = 0;
  double wave_amplitude = 0;  // 0 = constant rate
  double wave_period_seconds = 120;
};

// A RocksDB ticker of TiKV's (family + db + type) that grows at a constant rate.
struct TickerLoad {
  std::string family;
  std::string db;
  std::string type;  // "" for families without a type label
  double per_second = 0;
};

// A simulated TiKV node's /metrics: a base exposition (a real fixture dump, or the built-in
// TiKV-shaped one) whose gRPC histograms and tickers advance with time at the configured rates.
// The built-in node also carries the inputs of the exporter's node-health checks
// (sim_health_series.h), healthy until a HealthState is set. Thread-safe.
class SimNode {
 public:
  explicit SimNode(Exposition base);
  // Serves `raw_body` byte for byte, never advancing (a real dump exactly as captured).
  static std::unique_ptr<SimNode> Raw(std::string raw_body);
  // The built-in node, with its node-health series; without `ready_endpoint`, GET /ready answers
  // 404 as on a TiKV older than the v8.5.6 builds.
  static std::unique_ptr<SimNode> BuiltIn(bool ready_endpoint = true);

  // The built-in node's exposition: TiKV >= 7.6 shapes (priority label, 50 µs×2ⁿ buckets, used
  // size), the health series at their start values.
  static Exposition BuiltInExposition();
  static std::vector<RequestLoad> DefaultRequestLoads();
  static std::vector<TickerLoad> DefaultTickerLoads();
  // GET /config of the simulated node (TiKV's kebab-case JSON): the seed configuration's
  // settings, except storage.reserve-space, which has TiKV's default "5GiB".
  static std::string ConfigJson();

  void SetRequestLoad(const RequestLoad& load);  // adds or replaces by type
  void SetTickerLoads(std::vector<TickerLoad> loads);
  // Counters start again from the base values, as after a TiKV restart.
  void Restart();
  // The same at a chosen moment: with RenderAt, the same offsets render the same body (golden
  // outputs).
  void RestartAt(std::chrono::steady_clock::time_point now, std::chrono::system_clock::time_point wall_now);
  // Drives the node into an unhealthy state, or out of it (sim_health_states.h); ClearHealth()
  // heals them all. The states act on the built-in node only: a fixture node serves its dump.
  void SetHealthState(HealthState state, bool on);
  void ClearHealth();
  std::vector<HealthState> health_states() const;
  // GET /ready: 200 when true, 500 when false (kNotReady); nullopt (404) for a fixture node, whose
  // TiKV is older than /ready, and a built-in one without it.
  std::optional<bool> Ready() const;

  // The kv RocksDB's write-stall time so far in microseconds (kWriteStall), for the debug
  // service's statistics: the same stall /metrics counts.
  double KvStallMicros() const;

  std::string Render() const;
  // /metrics as it is at `now` (`wall_now` on the wall clock), for tests that need a time window.
  std::string RenderAt(std::chrono::steady_clock::time_point now,
                       std::chrono::system_clock::time_point wall_now) const;
  std::vector<RequestLoad> request_loads() const;

 private:
  // A load held from `from` until `until` (open while it is the current one), so a rate change
  // never rewrites what was already counted.
  struct LoadSegment {
    RequestLoad load;
    std::chrono::steady_clock::time_point from;
    std::optional<std::chrono::steady_clock::time_point> until;
  };

  mutable std::mutex mutex_;
  Exposition base_;
  std::map<std::string, std::vector<LoadSegment>> request_loads_;
  std::vector<TickerLoad> ticker_loads_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::system_clock::time_point wall_start_;
  std::optional<std::string> raw_body_;
  bool health_series_ = false;
  bool ready_endpoint_ = false;
  HealthTimeline health_;
};

}  // namespace tikv_exporter::sim
