#include "tools/tikv-sim/sim_health_series.h"

#include <cmath>
#include <string>

#include "tools/tikv-sim/sim_buckets.h"

namespace tikv_exporter::sim {
namespace {

using Mask = HealthTimeline::Mask;
constexpr int kNoState = -1;

bool On(Mask mask, int state) {
  return state != kNoState && HealthTimeline::On(mask, static_cast<HealthState>(state));
}
constexpr int S(HealthState state) { return static_cast<int>(state); }

// A histogram whose observations come at `per_second`, each taking `latency` seconds, or
// `slow_latency` while `slow` is on. TiKV's raftstore and scheduler histograms use
// exponential_buckets(0.0005, 2, 20) (components/raftstore/src/store/metrics.rs; the v5.x dumps).
struct HistogramSpec {
  const char* family;
  const char* help;
  const char* type;  // the `type` label's value; nullptr for a histogram without labels
  double per_second;
  double latency;
  int slow;
  double slow_latency;
};
// Healthy p99s: append 1 ms, commit 2 ms, the rest 0.5 ms (a bucket's upper bound). Slow apply:
// every observation in (1.024, 2.048], so the p99 is ≈ 2.04 s.
constexpr HistogramSpec kHistograms[] = {
    {"tikv_raftstore_append_log_duration_seconds",
     "Bucketed histogram of peer appending log duration", nullptr, 500, 0.0008, kNoState, 0},
    {"tikv_raftstore_commit_log_duration_seconds",
     "Bucketed histogram of peer commits logs duration.", nullptr, 500, 0.0015, kNoState, 0},
    {"tikv_raftstore_apply_log_duration_seconds",
     "Bucketed histogram of peer applying log duration.", nullptr, 500, 0.0004,
     S(HealthState::kApplyLatency), 1.8},
    {"tikv_raftstore_apply_wait_time_duration_secs",
     "Bucketed histogram of apply task wait time duration.", nullptr, 500, 0.0002, kNoState, 0},
    {"tikv_raftstore_request_wait_time_duration_secs",
     "Bucketed histogram of request wait time duration.", nullptr, 500, 0.0001, kNoState, 0},
    {"tikv_scheduler_latch_wait_duration_seconds", "Bucketed histogram of latch wait", "prewrite",
     300, 0.0001, S(HealthState::kLatchWait), 1.8},
    {"tikv_scheduler_latch_wait_duration_seconds", "Bucketed histogram of latch wait", "commit",
     300, 0.0001, kNoState, 0},
    // 0.5 % of the commands: merged with the others, its 2 s waits stay below the p99.
    {"tikv_scheduler_latch_wait_duration_seconds", "Bucketed histogram of latch wait",
     "acquire_pessimistic_lock", 3, 0.0001, S(HealthState::kLatchWaitOneType), 1.8},
};

// An event counter: `per_second` events, or `on_per_second` while `state` is on. Carried at 0 from
// the start (TiKV registers some of them with their first event; the exporter reads a missing one
// as 0).
struct CounterSpec {
  const char* family;
  const char* help;
  const char* label;
  const char* value;
  double per_second;
  int state;
  double on_per_second;
};
constexpr CounterSpec kCounters[] = {
    {"tikv_scheduler_too_busy_total", "Total count of scheduler too busy", "type", "prewrite", 0,
     S(HealthState::kBusy), 50},
    {"tikv_channel_full_total", "Total number of channel full events.", "type", "raftstore", 0,
     kNoState, 0},
    {"tikv_coprocessor_request_error", "Total number of push down request error.", "reason", "full",
     0, kNoState, 0},
    {"tikv_grpc_msg_fail_total", "Total number of handle grpc message failure", "type", "kv_get", 0,
     S(HealthState::kGrpcErrors), 500},
    {"tikv_critical_error_total", "Counter of critical error.", "type", "sim", 0,
     S(HealthState::kCriticalError), 2},
    {"tikv_engine_stall_micro_seconds", "RocksDB ticker", "db", "kv", 0,
     S(HealthState::kWriteStall), kWriteStallMicrosPerSecond},
    {"tikv_engine_stall_micro_seconds", "RocksDB ticker", "db", "raft", 0, kNoState, 0},
};

// A thread's CPU seconds per second, or `on_share` while `state` is on.
struct ThreadSpec {
  const char* name;  // as Linux shows it, cut to 15 characters
  const char* tid;
  double share;
  int state;
  double on_share;
};
constexpr ThreadSpec kThreads[] = {
    {"raftstore_1_0", "101", 0.25, S(HealthState::kThreadPools), 0.99},
    {"raftstore_1_1", "102", 0.25, S(HealthState::kThreadPools), 0.99},
    {"apply_0", "103", 0.2, kNoState, 0},
    {"apply_1", "104", 0.2, kNoState, 0},
    {"sched_worker_po", "105", 0.05, kNoState, 0},
    {"sched_worker_po", "106", 0.05, kNoState, 0},
    {"sched_worker_po", "107", 0.05, kNoState, 0},
    {"sched_worker_po", "108", 0.05, kNoState, 0},
    {"grpc_server_0", "109", 0.3, kNoState, 0},
    {"grpc_server_1", "110", 0.3, kNoState, 0},
    {"grpc_server_2", "111", 0.3, kNoState, 0},
    {"grpc_server_3", "112", 0.3, kNoState, 0},
    {"grpc_server_4", "113", 0.3, kNoState, 0},
    {"unified_read_po", "114", 0.15, kNoState, 0},
    {"unified_read_po", "115", 0.15, kNoState, 0},
    {"unified_read_po", "116", 0.15, kNoState, 0},
    {"unified_read_po", "117", 0.15, kNoState, 0},
    {"rocksdb:low0", "118", 0.1, kNoState, 0},
    {"rocksdb:high0", "119", 0.05, kNoState, 0},
};

constexpr const char* kThreadCpu = "tikv_thread_cpu_seconds_total";
constexpr const char* kSlowScore = "tikv_raftstore_slow_score";
constexpr const char* kSafePoint = "tikv_gcworker_autogc_safe_point";
constexpr const char* kResolvedGap = "tikv_resolved_ts_min_resolved_ts_gap_millis";
constexpr const char* kStoreSize = "tikv_store_size_bytes";
constexpr const char* kStartTime = "process_start_time_seconds";
constexpr const char* kCpuQuota = "tikv_server_cpu_cores_quota";
constexpr const char* kDiscardRatio = "tikv_scheduler_discard_ratio";
constexpr const char* kGauges[] = {kSlowScore, kSafePoint, kResolvedGap, kStoreSize,
                                   kStartTime, kCpuQuota,  kDiscardRatio};

// The threads above use 3.35 cores: 42 % of 8, 96 % of 3.5.
constexpr double kCpuCores = 8;
constexpr double kShortCpuQuota = 3.5;
constexpr double kHealthyResolvedGapMs = 1000;
constexpr double kLaggingResolvedGapMs = 20.0 * 60 * 1000;
constexpr double kOtherUsedBytes = 74 * kSimGiB;  // capacity - available - used: not TiKV's data

int64_t Ms(HealthTimeline::WallClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

double AvailableBytes(Mask mask) {
  if (On(mask, S(HealthState::kDiskFull))) return kSimReserveBytes / 2 - 2 * kSimGiB;
  if (On(mask, S(HealthState::kDiskAlmostFull))) return kSimReserveBytes - kSimGiB;
  return kSimAvailableBytes;
}

}  // namespace

bool HealthFamilyLeftOut(const MetricFamily& family, const HealthClock& clock) {
  return family.name == "tikv_engine_stall_micro_seconds" && clock.timeline.On(HealthState::kSimplifyMetrics);
}

namespace {

double GaugeValue(const MetricFamily& family, const Sample& sample, const HealthClock& clock) {
  const Mask mask = clock.timeline.mask();
  if (family.name == kSlowScore) {
    return sample.LabelValue("type") == "disk" && On(mask, S(HealthState::kSlowScore)) ? 100 : 1;
  }
  if (family.name == kSafePoint) {
    // TiKV takes PD's safe point as it is, a broken one too.
    if (On(mask, S(HealthState::kGcFutureSafePoint))) return static_cast<double>(SimFutureGcSafePoint());
    return static_cast<double>(SimGcSafePoint(clock.wall_now, clock.timeline.OnSince(HealthState::kGcStuck),
                                              SimGcLifeTime(On(mask, S(HealthState::kGcLongLifeTime)))));
  }
  if (family.name == kResolvedGap) {
    return On(mask, S(HealthState::kResolvedTs)) ? kLaggingResolvedGapMs : kHealthyResolvedGapMs;
  }
  if (family.name == kStoreSize) {
    const std::string_view type = sample.LabelValue("type");
    if (type == "capacity") return kSimCapacityBytes;
    if (type == "available") return AvailableBytes(mask);
    return kSimCapacityBytes - AvailableBytes(mask) - kOtherUsedBytes;
  }
  if (family.name == kStartTime) {
    return static_cast<double>(Ms(clock.wall_start)) / 1000.0;
  }
  if (family.name == kCpuQuota) return On(mask, S(HealthState::kCpuQuota)) ? kShortCpuQuota : kCpuCores;
  if (family.name == kDiscardRatio) return On(mask, S(HealthState::kFlowControl)) ? 0.6e7 : 0;  // × 10^7
  return sample.value;
}

void RenderHistogramSample(const HistogramSpec& spec, const HealthClock& clock, Sample* sample) {
  const std::string_view suffix =
      std::string_view(sample->name).substr(std::string_view(spec.family).size());
  const double bound = ParseLe(sample->LabelValue("le"));
  double value = 0;
  clock.timeline.ForEachSegment(clock.now, [&](Mask mask, double seconds) {
    const double latency = On(mask, spec.slow) ? spec.slow_latency : spec.latency;
    const double count = std::floor(spec.per_second * seconds);
    if (suffix == "_sum") {
      value += count * latency;
    } else if (suffix == "_count" || latency <= bound) {
      value += count;
    }
  });
  sample->value = value;
}

void AddHistogram(Exposition* e, const HistogramSpec& spec) {
  MetricFamily& family = e->FindOrAdd(spec.family);
  family.type = MetricType::kHistogram;
  family.help = spec.help;
  std::vector<Label> labels;
  if (spec.type != nullptr) labels.push_back({"type", spec.type});
  for (std::string& le : ExponentialBucketLes(0.0005, 2, 20)) {
    std::vector<Label> with_le = labels;
    with_le.push_back({"le", std::move(le)});
    family.samples.push_back({family.name + "_bucket", std::move(with_le), 0, {}});
  }
  family.samples.push_back({family.name + "_sum", labels, 0, {}});
  family.samples.push_back({family.name + "_count", labels, 0, {}});
}

}  // namespace

void AddHealthFamilies(Exposition* e) {
  auto add = [e](const char* name, MetricType type, const char* help, std::vector<Label> labels,
                 double value) {
    MetricFamily& family = e->FindOrAdd(name);
    family.type = type;
    family.help = help;
    family.samples.push_back({name, std::move(labels), value, {}});
  };
  for (const HistogramSpec& spec : kHistograms) AddHistogram(e, spec);
  for (const CounterSpec& spec : kCounters) {
    add(spec.family, MetricType::kCounter, spec.help, {{spec.label, spec.value}}, 0);
  }
  for (const ThreadSpec& thread : kThreads) {
    add(kThreadCpu, MetricType::kGauge,
        "Total user and system CPU time spent in seconds by threads.",
        {{"name", thread.name}, {"tid", thread.tid}}, 0);
  }
  add(kCpuQuota, MetricType::kGauge, "Total CPU cores quota for TiKV server", {}, kCpuCores);
  add(kDiscardRatio, MetricType::kGauge, "Discard ratio of the scheduler flow control (x 10^7)", {},
      0);
  for (const char* type : {"disk", "network"}) {
    add(kSlowScore, MetricType::kGauge, "Slow score of the store.", {{"type", type}}, 1);
  }
  add(kSafePoint, MetricType::kGauge, "Safe point used for auto gc", {}, 0);
  add(kResolvedGap, MetricType::kGauge,
      "The minimal (non-zero) resolved ts gap for observe regions", {}, 0);
  for (const char* type : {"available", "capacity", "used"}) {
    add(kStoreSize, MetricType::kGauge, "Size of storage.", {{"type", type}}, 0);
  }
  add(kStartTime, MetricType::kGauge, "Start time of the process since unix epoch in seconds.", {},
      0);
}

bool IsHealthFamily(std::string_view family) {
  for (const HistogramSpec& spec : kHistograms) {
    if (family == spec.family) return true;
  }
  for (const CounterSpec& spec : kCounters) {
    if (family == spec.family) return true;
  }
  for (const char* gauge : kGauges) {
    if (family == gauge) return true;
  }
  return family == kThreadCpu;
}

void RenderHealthSample(const MetricFamily& family, const HealthClock& clock, Sample* sample) {
  for (const HistogramSpec& spec : kHistograms) {
    if (family.name == spec.family &&
        (spec.type == nullptr || sample->LabelValue("type") == spec.type)) {
      RenderHistogramSample(spec, clock, sample);
      return;
    }
  }
  for (const CounterSpec& spec : kCounters) {
    if (family.name == spec.family && sample->LabelValue(spec.label) == spec.value) {
      sample->value = clock.timeline.Integral(
          clock.now,
          [&spec](Mask mask) {
            return On(mask, spec.state) ? spec.on_per_second : spec.per_second;
          },
          true);
      return;
    }
  }
  if (family.name == kThreadCpu) {
    for (const ThreadSpec& thread : kThreads) {
      if (sample->LabelValue("tid") == thread.tid) {
        sample->value = clock.timeline.Integral(
            clock.now,
            [&thread](Mask mask) {
              return On(mask, thread.state) ? thread.on_share : thread.share;
            },
            false);
        return;
      }
    }
    return;
  }
  sample->value = GaugeValue(family, *sample, clock);
}

}  // namespace tikv_exporter::sim
