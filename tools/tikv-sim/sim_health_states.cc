#include "tools/tikv-sim/sim_health_states.h"

#include <algorithm>
#include <cmath>

namespace tikv_exporter::sim {
namespace {

constexpr std::array<std::string_view, kHealthStateCount> kNames = {
    "slow_score",  "disk_almost_full", "disk_full",      "apply_latency", "busy",        "gc_stuck",
    "resolved_ts", "not_ready",        "critical_error", "thread_pools",  "write_stall",
    "latch_wait",  "grpc_errors",      "flow_control",   "cpu_quota",     "gc_long_life_time",
    "gc_future_safe_point", "latch_wait_one_type", "simplify_metrics",
};

}  // namespace

std::string_view HealthStateName(HealthState state) { return kNames[static_cast<size_t>(state)]; }

std::optional<HealthState> ParseHealthState(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<HealthState>(i);
  }
  return std::nullopt;
}

std::string HealthStateNames() {
  std::string names;
  for (std::string_view name : kNames) names += (names.empty() ? "" : "|") + std::string(name);
  return names;
}

uint64_t SimGcSafePoint(std::chrono::system_clock::time_point wall_now,
                        std::optional<std::chrono::system_clock::time_point> stuck_since,
                        std::chrono::seconds life_time) {
  constexpr std::chrono::milliseconds kStuckAge = std::chrono::hours(48);
  const auto physical = stuck_since ? *stuck_since - kStuckAge - life_time : wall_now - life_time;
  const int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(physical.time_since_epoch()).count();
  return static_cast<uint64_t>(ms) << 18;
}

std::chrono::seconds SimGcLifeTime(bool long_life_time) {
  return long_life_time ? std::chrono::hours(24) : std::chrono::minutes(10);
}

uint64_t SimFutureGcSafePoint() {
  constexpr uint64_t k2510Ms = 17'040'758'400'000;  // 2510-01-01T00:00:00Z
  return k2510Ms << 18;
}

HealthTimeline::HealthTimeline(Clock::time_point start) : segments_{{0, start}} {}

void HealthTimeline::Set(HealthState state, bool on, Clock::time_point now,
                         WallClock::time_point wall_now) {
  const Mask bit = Mask{1} << static_cast<int>(state);
  const Mask next = on ? (mask() | bit) : (mask() & ~bit);
  if (on && !On(state)) on_since_[static_cast<size_t>(state)] = wall_now;
  if (!on) on_since_[static_cast<size_t>(state)].reset();
  if (next == mask()) return;
  // A second change at the same instant replaces the empty segment the first one opened.
  if (segments_.size() > 1 && segments_.back().from >= now) {
    segments_.back().mask = next;
  } else {
    segments_.push_back({next, std::max(now, segments_.back().from)});
  }
}

void HealthTimeline::Clear(Clock::time_point now) {
  for (int i = 0; i < kHealthStateCount; ++i) Set(static_cast<HealthState>(i), false, now, {});
}

void HealthTimeline::Restart(Clock::time_point now) { segments_ = {{mask(), now}}; }

std::vector<HealthState> HealthTimeline::active() const {
  std::vector<HealthState> states;
  for (int i = 0; i < kHealthStateCount; ++i) {
    if (On(static_cast<HealthState>(i))) states.push_back(static_cast<HealthState>(i));
  }
  return states;
}

std::optional<HealthTimeline::WallClock::time_point> HealthTimeline::OnSince(
    HealthState state) const {
  return on_since_[static_cast<size_t>(state)];
}

void HealthTimeline::ForEachSegment(Clock::time_point now,
                                    const std::function<void(Mask, double)>& f) const {
  for (size_t i = 0; i < segments_.size(); ++i) {
    const Clock::time_point until = i + 1 < segments_.size() ? segments_[i + 1].from : now;
    const double seconds =
        std::chrono::duration<double>(std::min(until, now) - segments_[i].from).count();
    if (seconds > 0) f(segments_[i].mask, seconds);
  }
}

double HealthTimeline::Integral(Clock::time_point now, const std::function<double(Mask)>& rate,
                                bool whole) const {
  double total = 0;
  ForEachSegment(now, [&](Mask mask, double seconds) {
    const double amount = rate(mask) * seconds;
    total += whole ? std::floor(amount) : amount;
  });
  return total;
}

}  // namespace tikv_exporter::sim
