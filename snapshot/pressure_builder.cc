#include "snapshot/pressure_builder.h"

#include <functional>
#include <map>
#include <string>

#include "prom/histogram.h"

namespace tikv_exporter {
namespace {

struct Stage {
  const char* name;
  const char* family;
};
// The raft write path as TiKV's "Raft IO" and "Raft propose" panels show it (v4.0 .. v8.x).
constexpr Stage kRaftStages[] = {
    {"append_log", "tikv_raftstore_append_log_duration_seconds"},
    {"commit_log", "tikv_raftstore_commit_log_duration_seconds"},
    {"apply_log", "tikv_raftstore_apply_log_duration_seconds"},
    {"apply_wait", "tikv_raftstore_apply_wait_time_duration_secs"},
    {"request_wait", "tikv_raftstore_request_wait_time_duration_secs"},
};
constexpr std::string_view kLatchWait = "tikv_scheduler_latch_wait_duration_seconds";
constexpr std::string_view kGrpcDuration = "tikv_grpc_msg_duration_seconds";
constexpr std::string_view kGrpcFail = "tikv_grpc_msg_fail_total";
constexpr std::string_view kCritical = "tikv_critical_error_total";
constexpr std::string_view kTooBusy = "tikv_scheduler_too_busy_total";
constexpr std::string_view kChannelFull = "tikv_channel_full_total";
constexpr std::string_view kCopError = "tikv_coprocessor_request_error";
constexpr std::string_view kDiscardRatio = "tikv_scheduler_discard_ratio";
constexpr double kDiscardRatioScale = 1e7;  // TiKV exports the ratio times 10^7 as an integer
constexpr std::string_view kStartTime = "process_start_time_seconds";
constexpr std::string_view kThreadCpu = "tikv_thread_cpu_seconds_total";
constexpr std::string_view kCpuQuota = "tikv_server_cpu_cores_quota";

using SamplePredicate = std::function<bool(const ParsedSample&)>;

bool AnySample(const ParsedSample&) { return true; }

// The sum of the family's samples that `keep` accepts; nullopt when the family is absent.
std::optional<double> Total(const ParsedExposition& metrics, std::string_view family_name,
                            const SamplePredicate& keep = AnySample) {
  const ParsedFamily* family = metrics.Find(family_name);
  if (family == nullptr) return std::nullopt;
  double total = 0;
  for (const ParsedSample& sample : family->samples) {
    if (sample.name == family->name && keep(sample)) total += sample.value;
  }
  return total;
}

// The increase of an event counter TiKV registers lazily (it appears with its first event): a
// family missing from either scrape counts as 0 events there.
double EventIncrease(const ParsedExposition& previous, const ParsedExposition& current, std::string_view family,
                     const SamplePredicate& keep = AnySample) {
  return CounterIncrease(Total(previous, family, keep).value_or(0),
                         Total(current, family, keep).value_or(0));
}

// The histogram of `family` over every label, in the window; nullopt when `current` lacks it.
std::optional<Histogram> WindowHistogram(const ParsedExposition& previous, const ParsedExposition& current,
                                         std::string_view family) {
  auto now = HistogramsByLabel(current, family, "");
  if (now.empty()) return std::nullopt;
  auto before = HistogramsByLabel(previous, family, "");
  if (before.empty()) return now.front().second;
  return HistogramIncrease(before.front().second, now.front().second);
}

std::optional<double> WindowP99(const ParsedExposition& previous, const ParsedExposition& current,
                                std::string_view family) {
  std::optional<Histogram> increase = WindowHistogram(previous, current, family);
  if (!increase) return std::nullopt;
  return HistogramQuantile(0.99, *increase);
}

// The p99 in the window of each value of `label`; a value absent before the window counts from 0.
std::map<std::string, double> WindowP99ByLabel(const ParsedExposition& previous, const ParsedExposition& current,
                                               std::string_view family, std::string_view label) {
  std::map<std::string, Histogram> before;
  for (auto& [value, histogram] : HistogramsByLabel(previous, family, label)) before.emplace(value, std::move(histogram));
  std::map<std::string, double> p99;
  for (const auto& [value, histogram] : HistogramsByLabel(current, family, label)) {
    auto old = before.find(value);
    const Histogram increase = old == before.end() ? histogram : HistogramIncrease(old->second, histogram);
    if (std::optional<double> q = HistogramQuantile(0.99, increase)) p99[value] = *q;
  }
  return p99;
}

void AddThreadPools(const ParsedExposition& previous, const ParsedExposition& current, double window,
                    PressureSignals* out) {
  const ParsedFamily* now = current.Find(kThreadCpu);
  const ParsedFamily* before = previous.Find(kThreadCpu);
  if (now == nullptr || before == nullptr) return;
  // One thread is one series (name and tid): its CPU before, by its whole label set.
  auto key = [](const ParsedSample& sample) {
    std::string k;
    for (const LabelView& label : sample.labels) {
      k.append(label.name).append(1, '=').append(label.value).append(1, '\x1f');
    }
    return k;
  };
  std::map<std::string, double> cpu_before;
  for (const ParsedSample& sample : before->samples) cpu_before[key(sample)] = sample.value;
  for (const ParsedSample& sample : now->samples) {
    if (sample.name != now->name) continue;
    auto old = cpu_before.find(key(sample));
    // A thread started in the window counts from 0.
    double used = CounterIncrease(old == cpu_before.end() ? 0 : old->second, sample.value);
    ThreadPoolCpu& pool = out->thread_pools[std::string(PoolOfThread(sample.LabelValue("name")))];
    pool.cpu_seconds_per_second += used / window;
    ++pool.threads;
  }
}

void AddWindowSignals(const ParsedExposition& previous, const ParsedExposition& current, double window,
                      PressureSignals* out) {
  for (const Stage& stage : kRaftStages) {
    if (auto p99 = WindowP99(previous, current, stage.family))
      out->raft_write_p99_seconds[stage.name] = *p99;
  }
  out->scheduler_latch_wait_p99_seconds = WindowP99(previous, current, kLatchWait);
  out->scheduler_latch_wait_p99_by_type = WindowP99ByLabel(previous, current, kLatchWait, "type");
  AddThreadPools(previous, current, window, out);

  // The event counters below appear only with their first event, so they are read as 0 when
  // missing — but only from a TiKV that serves gRPC, the family every TiKV since 2.0 exports.
  std::optional<Histogram> requests = WindowHistogram(previous, current, kGrpcDuration);
  if (!requests) return;
  if (requests->count > 0) {
    out->grpc_failure_ratio = EventIncrease(previous, current, kGrpcFail) / requests->count;
  }
  out->critical_errors = EventIncrease(previous, current, kCritical);
  auto full = [](const ParsedSample& sample) {
    return sample.LabelValue("reason") == "full" || sample.LabelValue("type") == "full";
  };
  out->busy_rejections_per_second["scheduler_too_busy"] =
      EventIncrease(previous, current, kTooBusy) / window;
  out->busy_rejections_per_second["channel_full"] =
      EventIncrease(previous, current, kChannelFull) / window;
  out->busy_rejections_per_second["coprocessor_full"] =
      EventIncrease(previous, current, kCopError, full) / window;
}

bool StartsWithAny(std::string_view name, std::initializer_list<std::string_view> prefixes) {
  for (std::string_view prefix : prefixes) {
    if (name.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace

std::string_view PoolOfThread(std::string_view thread_name) {
  std::string name(thread_name);
  for (char& c : name) {
    if (c == '-') c = '_';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (StartsWithAny(name, {"raftstore", "rs_"})) return "raftstore";
  if (StartsWithAny(name, {"apply"})) return "apply";
  if (StartsWithAny(name, {"sched_"})) return "scheduler";
  if (StartsWithAny(name, {"grpc_server"})) return "grpc";
  if (StartsWithAny(name, {"unified_read"})) return "unified_read_pool";
  if (StartsWithAny(name, {"cop_"})) return "coprocessor";
  if (StartsWithAny(name, {"store_read"})) return "storage_read";
  if (StartsWithAny(name, {"store_write"})) return "store_write";
  if (StartsWithAny(name, {"rocksdb"})) return "rocksdb";
  return "other";
}

void AddPressureSignals(const TikvScrape* previous, const TikvScrape& current, Snapshot* snapshot) {
  PressureSignals& out = snapshot->pressure;
  const ParsedFamily* start = current.metrics.Find(kStartTime);
  if (start != nullptr && !start->samples.empty())
    out.tikv_start_time_seconds = start->samples.front().value;
  if (const ParsedFamily* quota = current.metrics.Find(kCpuQuota);
      quota != nullptr && !quota->samples.empty()) {
    out.cpu_cores_quota = quota->samples.front().value;
  }
  if (std::optional<double> discard = Total(current.metrics, kDiscardRatio)) {
    out.flow_control_discard_ratio = *discard / kDiscardRatioScale;
  }
  if (previous == nullptr || previous->monotonic_ms >= current.monotonic_ms) return;
  const ParsedFamily* start_before = previous->metrics.Find(kStartTime);
  if (out.tikv_start_time_seconds && start_before != nullptr && !start_before->samples.empty()) {
    out.tikv_restarted = start_before->samples.front().value != *out.tikv_start_time_seconds;
  }
  const double window = static_cast<double>(current.monotonic_ms - previous->monotonic_ms) / 1000.0;
  AddWindowSignals(previous->metrics, current.metrics, window, &out);
}

std::vector<std::string_view> PressureInputFamilies() {
  std::vector<std::string_view> families = {kLatchWait,   kGrpcFail, kCritical,  kTooBusy,
                                            kChannelFull, kCopError, kStartTime, kThreadCpu};
  for (const Stage& stage : kRaftStages) families.push_back(stage.family);
  return families;
}

void CountTikvRestarts(const Snapshot* previous, Snapshot* current) {
  std::optional<uint64_t> before = previous ? previous->pressure.tikv_restarts : std::nullopt;
  PressureSignals& now = current->pressure;
  if (!before && !now.tikv_start_time_seconds) return;
  now.tikv_restarts = before.value_or(0) + (now.tikv_restarted ? 1 : 0);
}

}  // namespace tikv_exporter
