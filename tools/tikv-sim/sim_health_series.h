#pragma once

#include <chrono>
#include <string_view>

#include "prom/exposition.h"
#include "tools/tikv-sim/sim_health_states.h"

namespace tikv_exporter::sim {

// The series of the built-in node that feed the exporter's node-health checks (raft write path,
// scheduler latch wait and rejections, errors, write stall, thread CPU, slow score, GC safe
// point, resolved ts, store size, start time), in TiKV >= 7.6 shapes. Healthy values unless a
// HealthState is on; histograms, counters and thread CPU grow with time at their rates, like the
// gRPC histograms.

// Capacity and healthy available space of the built-in node's store, and TiKV's reserve for it:
// max(5 % of capacity, storage.reserve-space = 5 GiB) (SimNode::ConfigJson).
inline constexpr double kSimGiB = 1024.0 * 1024 * 1024;
inline constexpr double kSimCapacityBytes = 500 * kSimGiB;
inline constexpr double kSimAvailableBytes = 300 * kSimGiB;
inline constexpr double kSimReserveBytes = kSimCapacityBytes / 20;

// Adds the families, with their values at the node's start, to `e`.
void AddHealthFamilies(Exposition* e);
bool IsHealthFamily(std::string_view family);

// What a health sample's value depends on: the states over time and the clocks.
struct HealthClock {
  const HealthTimeline& timeline;
  HealthTimeline::Clock::time_point now;
  HealthTimeline::WallClock::time_point wall_now;
  HealthTimeline::WallClock::time_point wall_start;  // when the node (re)started
};

// Sets `sample` (of `family`, one of the families above) to its value at `clock.now`.
void RenderHealthSample(const MetricFamily& family, const HealthClock& clock, Sample* sample);
// Whether the family is left out of /metrics now: TiKV with server.simplify-metrics = true drops
// counters that are 0, the kv stall counter among them (kSimplifyMetrics).
bool HealthFamilyLeftOut(const MetricFamily& family, const HealthClock& clock);

}  // namespace tikv_exporter::sim
