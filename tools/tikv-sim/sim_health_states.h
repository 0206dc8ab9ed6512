#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tikv_exporter::sim {

// The unhealthy states a simulated node can be driven into (POST /control/unhealthy?state=S),
// one per node-health check of the exporter. Several may be on at once.
enum class HealthState {
  kSlowScore,       // TiKV's tikv_raftstore_slow_score{type="disk"} and PD's slow_score = 100
  kDiskAlmostFull,  // available just under TiKV's reserve, max(5 % of capacity, reserve-space)
  kDiskFull,        // available under half the reserve
  kApplyLatency,    // apply-log p99 ≈ 2 s
  kBusy,            // ~50 scheduler "too busy" rejections per second
  kGcStuck,         // the GC safe point frozen 48 h in the past
  kResolvedTs,      // min resolved-ts gap 20 min
  kNotReady,        // GET /ready answers 500
  kCriticalError,   // tikv_critical_error_total grows
  kThreadPools,     // raftstore threads ~100 % busy
  kWriteStall,      // the kv RocksDB stalls writes 2 % of the time
  kLatchWait,       // scheduler latch-wait p99 ≈ 2 s (prewrites wait on each other)
  kGrpcErrors,      // 500 failed gRPC messages a second (about a fifth of them)
  kFlowControl,     // flow control discards 60 % of writes
  kCpuQuota,        // TiKV's CPU quota cut to 3.5 cores: its threads use 96 % of it
  // Not trouble: a cluster with tidb_gc_life_time = 24 h, whose GC works (the safe point 24 h
  // behind and advancing). The verdict must not page on a documented setting.
  kGcLongLifeTime,
  kGcFutureSafePoint,  // PD's gc_safe_point in the year 2510 (tikv/pd#7767), a 2-year-old BR service safe point
  kLatchWaitOneType,   // acquire_pessimistic_lock, 0.5 % of the commands, waits ≈ 2 s on latches
  // server.simplify-metrics = true: the kv stall counter, 0 so far, is left out of /metrics, so
  // the write stall comes from the RocksDB LOG. Not trouble by itself.
  kSimplifyMetrics,
};
inline constexpr int kHealthStateCount = 19;

// kWriteStall: the kv RocksDB stalls writes 20 ms every second (2 % of the time), in /metrics'
// stall counter and in the debug service's RocksDB statistics alike.
inline constexpr double kWriteStallMicrosPerSecond = 20000;

std::string_view HealthStateName(HealthState state);
std::optional<HealthState> ParseHealthState(std::string_view name);
// "slow_score|disk_almost_full|...", for error messages.
std::string HealthStateNames();

// The simulated cluster's GC safe point (a TSO: Unix ms above 18 logical bits) at `wall_now`:
// `life_time` behind it (TiDB's gc_life_time: 10 min by default), or, while GC has been stuck
// since `stuck_since`, frozen 48 h + `life_time` before that moment. TiKV's auto-GC safe point
// and PD's agree.
uint64_t SimGcSafePoint(std::chrono::system_clock::time_point wall_now,
                        std::optional<std::chrono::system_clock::time_point> stuck_since,
                        std::chrono::seconds life_time = std::chrono::minutes(10));
// The GC life time the simulated cluster runs with while `long_life_time` (kGcLongLifeTime) is on.
std::chrono::seconds SimGcLifeTime(bool long_life_time);
// PD's gc_safe_point of a kGcFutureSafePoint body: 2510-01-01 00:00:00 UTC as a TSO.
uint64_t SimFutureGcSafePoint();

// Which states are on, over time: segments each holding the set of states on, so that a series
// that grows with time (a histogram, a counter, thread CPU) integrates its rate segment by
// segment and a state going on or off never rewrites what was already counted. Not
// thread-safe (SimNode guards it).
class HealthTimeline {
 public:
  using Clock = std::chrono::steady_clock;
  using WallClock = std::chrono::system_clock;
  using Mask = uint32_t;  // bit i: HealthState i is on

  explicit HealthTimeline(Clock::time_point start);

  void Set(HealthState state, bool on, Clock::time_point now, WallClock::time_point wall_now);
  void Clear(Clock::time_point now);
  // Forgets the past (a TiKV restart: counters start again); the states on stay on.
  void Restart(Clock::time_point now);

  bool On(HealthState state) const { return On(mask(), state); }
  static bool On(Mask mask, HealthState state) { return (mask >> static_cast<int>(state)) & 1U; }
  Mask mask() const { return segments_.back().mask; }
  std::vector<HealthState> active() const;
  // When `state` last went on (wall clock), for the states that freeze a value then.
  std::optional<WallClock::time_point> OnSince(HealthState state) const;

  // Calls `f(mask, seconds)` for each segment from the start until `now`.
  void ForEachSegment(Clock::time_point now, const std::function<void(Mask, double)>& f) const;
  // The sum over segments of rate(mask) × seconds, each term rounded down when `whole` (events).
  double Integral(Clock::time_point now, const std::function<double(Mask)>& rate, bool whole) const;

 private:
  struct Segment {
    Mask mask = 0;
    Clock::time_point from;
  };
  std::vector<Segment> segments_;
  std::array<std::optional<WallClock::time_point>, kHealthStateCount> on_since_;
};

}  // namespace tikv_exporter::sim
