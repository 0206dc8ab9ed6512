#include "snapshot/health_checks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iterator>
#include <numeric>

#include "collectors/upstream_error.h"
#include "common/units.h"
#include "snapshot/snapshot.h"

namespace tikv_exporter {
namespace {

using Words = std::string (*)(double);

// Three significant digits, whole numbers from 1000 on (no exponent in a sentence).
std::string Plain(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), std::fabs(value) >= 1000 ? "%.0f" : "%.3g", value);
  return text;
}
std::string Percent(double ratio) { return Plain(ratio * 100) + " %"; }
std::string PerSecond(double rate) { return Plain(rate) + "/s"; }

HealthLevel Grade(double value, const HealthThreshold& threshold) {
  auto reaches = [value](double limit) { return limit > 0 ? value >= limit : value > 0; };
  if (reaches(threshold.critical)) return HealthLevel::kCritical;
  if (reaches(threshold.warning)) return HealthLevel::kWarning;
  return HealthLevel::kOk;
}

HealthCheckResult NoData(HealthCheck check, const std::string& why) {
  HealthCheckResult result;
  result.check = check;
  result.reason = "no data: " + why;
  return result;
}

HealthCheckResult Fixed(HealthCheck check, HealthLevel level, std::string reason) {
  HealthCheckResult result;
  result.check = check;
  result.level = level;
  result.reason = std::move(reason);
  return result;
}

// A check on one number: `what` names it ("apply log p99"), `words` writes its values; when the
// value reaches a threshold, the reason says which and, with `advice`, what it means.
HealthCheckResult Graded(HealthCheck check, const std::string& what, double value, const HealthThreshold& threshold,
                         Words words, const std::string& advice = "") {
  HealthCheckResult result = Fixed(check, Grade(value, threshold), what + " " + words(value));
  result.value = value;
  result.warning_threshold = threshold.warning;
  result.critical_threshold = threshold.critical;
  if (*result.level == HealthLevel::kOk) return result;
  const double limit = *result.level == HealthLevel::kCritical ? threshold.critical : threshold.warning;
  result.reason += limit > 0 ? " ≥ " + words(limit) : " > 0";
  if (!advice.empty()) result.reason += ": " + advice;
  return result;
}

// What a check sees besides its own signal: whether TiKV answered this poll, so an absent input
// is explained by TiKV being down rather than by its version.
struct Context {
  const Snapshot& snapshot;
  const HealthThresholds& thresholds;
  bool tikv_enabled = false;
  bool tikv_up = false;

  HealthCheckResult Missing(HealthCheck check, const std::string& why) const {
    if (!tikv_enabled) return NoData(check, "the TiKV collector is off");
    return NoData(check, tikv_up ? why : "TiKV is not answering");
  }
};

HealthCheckResult TikvReachable(const Context& c) {
  auto it = c.snapshot.sources.find(Source::kTikv);
  if (it == c.snapshot.sources.end() || !it->second.enabled) {
    return NoData(HealthCheck::kTikvReachable, "the TiKV collector is off");
  }
  if (it->second.up) return Fixed(HealthCheck::kTikvReachable, HealthLevel::kOk, "TiKV's status server answers");
  // The exporter's own shortage says nothing of TiKV: "does not answer" would be a false page.
  if (IsOutOfDescriptors(it->second.last_error)) {
    return NoData(HealthCheck::kTikvReachable, "the exporter cannot tell: " + it->second.last_error);
  }
  return Fixed(HealthCheck::kTikvReachable, HealthLevel::kCritical,
               "TiKV's status server does not answer: " + it->second.last_error);
}

HealthCheckResult TikvReady(const Context& c) {
  const std::optional<bool>& ready = c.snapshot.tikv_ready;
  if (!ready) return c.Missing(HealthCheck::kTikvReady, "this TiKV has no GET /ready");
  if (*ready) return Fixed(HealthCheck::kTikvReady, HealthLevel::kOk, "TiKV says it is ready");
  return Fixed(HealthCheck::kTikvReady, HealthLevel::kCritical,
               "TiKV says it is not ready (GET /ready answers 500): it is starting or cannot serve");
}

HealthCheckResult PdStoreState(const Context& c) {
  const std::optional<StoreState>& state = c.snapshot.pd_store_state;
  if (!state || *state == StoreState::kUnknown) {
    return NoData(HealthCheck::kPdStoreState, "PD is not polled or does not list this node's store");
  }
  const std::string name(NameOf(kStoreStateNames, *state));
  switch (*state) {
    case StoreState::kUp:
      return Fixed(HealthCheck::kPdStoreState, HealthLevel::kOk, "PD sees this store Up");
    case StoreState::kDisconnected:
      return Fixed(HealthCheck::kPdStoreState, HealthLevel::kWarning,
                   "PD sees this store Disconnected: no heartbeat for 20 s");
    case StoreState::kOffline:
      return Fixed(HealthCheck::kPdStoreState, HealthLevel::kWarning,
                   "PD sees this store Offline: it is being removed from the cluster");
    default:
      return Fixed(HealthCheck::kPdStoreState, HealthLevel::kCritical,
                   "PD sees this store " + name + (*state == StoreState::kDown
                                                       ? ": no heartbeat for max-store-down-time, its regions are "
                                                         "being replicated elsewhere"
                                                       : ": it has left the cluster"));
  }
}

HealthCheckResult DiskSpace(const Context& c) {
  const StorageSize& storage = c.snapshot.storage;
  if (!storage.capacity_bytes || !storage.available_bytes || *storage.capacity_bytes <= 0) {
    return c.Missing(HealthCheck::kDiskSpace, "TiKV does not export its capacity and available size");
  }
  const double ratio = *storage.available_bytes / *storage.capacity_bytes;
  const double warning = c.thresholds.disk_available_ratio_warning;
  HealthCheckResult result =
      Fixed(HealthCheck::kDiskSpace, ratio < warning ? HealthLevel::kWarning : HealthLevel::kOk, "");
  result.value = ratio;
  result.warning_threshold = warning;
  const std::string free = Percent(ratio) + " of capacity free";
  const std::optional<DiskHeadroom>& disk = c.snapshot.disk_headroom;
  if (disk && disk->state != "normal") {
    result.level = HealthLevel::kCritical;
    result.reason = "disk " + std::string(disk->state == "full" ? "full" : "almost full") + ": " +
                    FormatBytes(*storage.available_bytes) + " available ≤ " +
                    (disk->state == "full" ? "half the reserve " : "the reserve ") + FormatBytes(disk->reserve_bytes) +
                    ", TiKV refuses writes";
    return result;
  }
  std::string words = disk ? FormatBytes(disk->bytes_before_write_refusal) +
                                 " left before TiKV refuses writes (reserve " + FormatBytes(disk->reserve_bytes) +
                                 "), " + free
                           : free;
  result.reason = *result.level == HealthLevel::kOk ? words : "disk low: " + words + " < " + Percent(warning);
  return result;
}

HealthCheckResult SlowScore(const Context& c) {
  const SlowStore& slow = c.snapshot.slow_store;
  // The score runs from 1 (healthy) to 100; PD's 0 is "none reported" (PD < 5.3 over gRPC, whose
  // StoreStats field defaults to 0, or a store that has not computed one yet).
  const std::optional<double> pd_score =
      slow.pd_score && *slow.pd_score >= 1 ? slow.pd_score : std::nullopt;
  std::optional<double> worst = pd_score;
  std::string parts = pd_score ? "PD " + Plain(*pd_score) : "";
  for (const auto& [type, score] : slow.tikv_score) {
    worst = std::max(worst.value_or(score), score);
    parts += (parts.empty() ? "" : ", ") + std::string("TiKV ") + (type.empty() ? "" : type + " ") + Plain(score);
  }
  if (!worst) return c.Missing(HealthCheck::kSlowStore, "neither TiKV (< 5.3) nor PD reports a slow score");
  HealthCheckResult result = Graded(HealthCheck::kSlowStore, "slow score", *worst, c.thresholds.slow_score, Plain,
                                    "the store answers its health inspections late; PD evicts leaders from a "
                                    "store it counts slow (from 80)");
  result.reason += " (" + parts + ")";
  return result;
}

// The entry with the largest value of a per-name map, name and value; nullopt when it is empty.
template <typename Map>
std::optional<std::pair<std::string, double>> Worst(const Map& values) {
  std::optional<std::pair<std::string, double>> worst;
  for (const auto& [key, value] : values) {
    if (!worst || value > worst->second) worst = {key, value};
  }
  return worst;
}

std::string Spaced(std::string name) {
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

HealthCheckResult RaftWritePath(const Context& c) {
  auto worst = Worst(c.snapshot.pressure.raft_write_p99_seconds);
  if (!worst) return c.Missing(HealthCheck::kRaftWritePath, "no raft write-path histograms in the window");
  return Graded(HealthCheck::kRaftWritePath, Spaced(worst->first) + " p99", worst->second,
                c.thresholds.raft_write_p99_seconds, FormatSeconds,
                "writes wait on the raft log or apply; look at disk latency and the raftstore/apply pools");
}

HealthCheckResult SchedulerLatchWait(const Context& c) {
  // TiKV's rule takes the p99 of each command type; the worst type is the verdict.
  auto worst = Worst(c.snapshot.pressure.scheduler_latch_wait_p99_by_type);
  if (!worst) return c.Missing(HealthCheck::kSchedulerLatchWait, "no latch-wait histogram in the window");
  return Graded(HealthCheck::kSchedulerLatchWait, "scheduler latch wait p99" + (worst->first.empty() ? "" : " of " + worst->first), worst->second,
                c.thresholds.scheduler_latch_wait_p99_seconds, FormatSeconds,
                "transactions contend for the same keys");
}

HealthCheckResult ServerBusy(const Context& c) {
  const auto& rejections = c.snapshot.pressure.busy_rejections_per_second;
  if (rejections.empty()) return c.Missing(HealthCheck::kServerBusy, "no gRPC traffic in the window");
  double total = 0;
  std::string parts;
  for (const auto& [reason, rate] : rejections) {
    total += rate;
    if (rate > 0) parts += (parts.empty() ? "" : ", ") + Spaced(reason) + " " + PerSecond(rate);
  }
  HealthCheckResult result = Graded(HealthCheck::kServerBusy, "busy rejections", total,
                                    c.thresholds.busy_rejections_per_second, PerSecond,
                                    "clients get ServerIsBusy and retry");
  auto channel_full = rejections.find("channel_full");
  if (channel_full != rejections.end() && channel_full->second > 0) {
    result.level = HealthLevel::kCritical;  // TiKV_channel_full_total: raftstore cannot keep up
  }
  if (!parts.empty()) result.reason += " (" + parts + ")";
  return result;
}

HealthCheckResult WriteStall(const Context& c) {
  const Snapshot& s = c.snapshot;
  auto worst = Worst(s.write_stall_seconds);
  if (!worst) return c.Missing(HealthCheck::kWriteStall, "no write-stall time in the window");
  // A kv stall from RocksDB's own dumps (the LOG's, or the debug service's answers) covers the time
  // between the two dumps, anything else the window.
  auto source = s.signal_sources.find("write_stall");
  const std::string_view from =
      worst->first == "kv" && source != s.signal_sources.end() ? std::string_view(source->second) : std::string_view();
  const char* between_dumps = from == "rocksdb_log"             ? " between the RocksDB LOG's last two stats dumps)"
                              : from == "rocksdb_debug_service" ? " between the last two answers of TiKV's debug service)"
                                                                : nullptr;
  const std::optional<double> span = between_dumps ? s.write_stall_log_dumps_seconds : s.window_seconds;
  if (!span || *span <= 0) return c.Missing(HealthCheck::kWriteStall, "no write-stall time in the window");
  HealthCheckResult result = Graded(HealthCheck::kWriteStall, "write stall in the " + worst->first + " db",
                                    worst->second / *span, c.thresholds.write_stall_ratio, Percent,
                                    "RocksDB stops writes until compaction catches up (L0 files, pending "
                                    "compaction bytes, memtables)");
  result.reason += " (" + FormatSeconds(worst->second) + " of " + FormatSeconds(*span) +
                   (between_dumps ? between_dumps : ", the window of TiKV's /metrics)");
  return result;
}

HealthCheckResult FlowControl(const Context& c) {
  const std::optional<double>& ratio = c.snapshot.pressure.flow_control_discard_ratio;
  if (!ratio) return c.Missing(HealthCheck::kFlowControl, "this TiKV has no flow control (< 5.2)");
  return Graded(HealthCheck::kFlowControl, "flow control discards", *ratio, c.thresholds.flow_control_discard_ratio,
                Percent, "TiKV throttles writes before RocksDB would stall");
}

HealthCheckResult GrpcErrors(const Context& c) {
  const std::optional<double>& ratio = c.snapshot.pressure.grpc_failure_ratio;
  if (!ratio) return c.Missing(HealthCheck::kGrpcErrors, "no gRPC messages in the window");
  return Graded(HealthCheck::kGrpcErrors, "gRPC failures", *ratio, c.thresholds.grpc_failure_ratio, Percent);
}

HealthCheckResult CriticalErrors(const Context& c) {
  const std::optional<double>& errors = c.snapshot.pressure.critical_errors;
  if (!errors) return c.Missing(HealthCheck::kCriticalErrors, "no window yet");
  return Graded(HealthCheck::kCriticalErrors, "critical errors in the window", *errors, HealthThreshold{0, 0}, Plain,
                "TiKV logged a critical error (tikv_critical_error_total); read its log");
}

HealthCheckResult Restarts(const Context& c) {
  const PressureSignals& p = c.snapshot.pressure;
  if (!p.tikv_start_time_seconds) return c.Missing(HealthCheck::kRestarts, "TiKV exports no process start time");
  if (p.tikv_restarted) {
    return Fixed(HealthCheck::kRestarts, HealthLevel::kWarning,
                 "TiKV restarted in the window (its process start time changed)");
  }
  return Fixed(HealthCheck::kRestarts, HealthLevel::kOk, "no TiKV restart in the window");
}

HealthCheckResult ThreadPools(const Context& c) {
  std::optional<std::pair<std::string, double>> worst;
  for (const auto& [pool, cpu] : c.snapshot.pressure.thread_pools) {
    std::optional<double> share = cpu.ShareOfThreads();
    if (pool != "other" && share && (!worst || *share > worst->second)) worst = {pool, *share};
  }
  if (!worst) return c.Missing(HealthCheck::kThreadPools, "no thread CPU counters in the window");
  return Graded(HealthCheck::kThreadPools, Spaced(worst->first) + " threads busy", worst->second,
                c.thresholds.thread_pool_busy_ratio, Percent, "the pool is saturated; requests queue behind it");
}

HealthCheckResult CpuQuota(const Context& c) {
  const PressureSignals& p = c.snapshot.pressure;
  if (!p.cpu_cores_quota || *p.cpu_cores_quota <= 0 || p.thread_pools.empty()) {
    return c.Missing(HealthCheck::kCpuQuota, "TiKV exports no CPU quota (< 5.3) or no thread CPU");
  }
  double used = 0;
  for (const auto& [pool, cpu] : p.thread_pools) used += cpu.cpu_seconds_per_second;
  HealthCheckResult result = Graded(HealthCheck::kCpuQuota, "CPU", used / *p.cpu_cores_quota,
                                    c.thresholds.cpu_quota_ratio, Percent, "TiKV is short of CPU");
  result.reason += " (" + Plain(used) + " of " + Plain(*p.cpu_cores_quota) + " cores)";
  return result;
}

// TiKV_GC_can_not_work pages when GC has not run for a day.
constexpr double kGcStoppedCriticalSeconds = 86400;

// What holds GC back, for a reason that is not ok.
std::string HeldBack(const std::optional<PdGcLag>& pd) {
  if (!pd || pd->oldest_service.empty()) {
    return "PD's /gc/safepoint shows which service (TiCDC, BR, TiDB) holds GC back";
  }
  return "the oldest service safe point is " + pd->oldest_service + "'s, " +
         FormatSeconds(pd->oldest_service_lag_seconds) + " old" +
         (pd->oldest_service_expires_in_seconds
              ? ", expiring in " + FormatSeconds(std::max(0.0, *pd->oldest_service_expires_in_seconds))
              : ", never expiring");
}

HealthCheckResult GcSafePoint(const Context& c) {
  // TiKV's auto-GC safe point is its copy of PD's; either may be missing (TiKV without GC yet,
  // PD over gRPC). The larger lag counts: a copy that stays behind PD's means this node's GC
  // does not follow the cluster's.
  std::optional<double> lag = c.snapshot.gc_safe_point_lag_seconds;
  const std::optional<PdGcLag>& pd = c.snapshot.pd_gc;
  if (pd && pd->lag_seconds) lag = std::max(lag.value_or(*pd->lag_seconds), *pd->lag_seconds);
  const std::string invalid =
      pd && !pd->invalid.empty() ? "PD's /gc/safepoint is invalid: " + pd->invalid : "";
  if (!lag) {
    if (!invalid.empty()) return NoData(HealthCheck::kGcSafePoint, invalid + ", and it lists no service safe point");
    if (const std::optional<double>& ahead = c.snapshot.gc_safe_point_ahead_seconds) {
      return c.Missing(HealthCheck::kGcSafePoint, "TiKV's GC safe point is " + FormatSeconds(*ahead) +
                                                      " in the future (a clock skew or an invalid value; left out) "
                                                      "and PD reports none");
    }
    return c.Missing(HealthCheck::kGcSafePoint, "neither TiKV nor PD reports a GC safe point");
  }
  const HealthThresholds& t = c.thresholds;
  HealthCheckResult result = Fixed(HealthCheck::kGcSafePoint, HealthLevel::kOk, "GC safe point " + FormatSeconds(*lag) + " old");
  result.value = *lag;
  std::string findings;
  auto find = [&](HealthLevel level, const std::string& what) {
    result.level = std::max(*result.level, level);
    findings += (findings.empty() ? "" : "; ") + what;
  };
  // Whatever tidb_gc_life_time is, TiDB accepts none longer than 8760 h.
  if (*lag > kGcMaxLifeTimeSeconds + kGcRunIntervalSeconds) {
    find(HealthLevel::kCritical, "beyond any valid tidb_gc_life_time (8760 h + the 10 min run interval)");
  }
  if (t.gc_life_time_seconds > 0) {
    const double allowed = t.gc_life_time_seconds + kGcRunIntervalSeconds;
    result.warning_threshold = allowed + t.gc_safe_point_lag_seconds.warning;
    result.critical_threshold = allowed + t.gc_safe_point_lag_seconds.critical;
    const double beyond = *lag - allowed;
    const HealthLevel level = beyond > 0 ? Grade(beyond, t.gc_safe_point_lag_seconds) : HealthLevel::kOk;
    if (level != HealthLevel::kOk) {
      const HealthThreshold& limit = t.gc_safe_point_lag_seconds;
      find(level, FormatSeconds(beyond) + " beyond gc_life_time " + FormatSeconds(t.gc_life_time_seconds) +
                      " + the 10 min run interval ≥ " +
                      FormatSeconds(level == HealthLevel::kCritical ? limit.critical : limit.warning));
    }
  }
  std::string watch;
  if (const std::optional<GcAdvance>& advance = c.snapshot.gc_advance) {
    const double window = t.gc_advance_window_seconds;
    const std::string still = advance->source + "'s safe point has not advanced for " +
                              FormatSeconds(advance->unmoved_seconds);
    if (advance->unmoved_seconds >= std::max(window, kGcStoppedCriticalSeconds)) {
      find(HealthLevel::kCritical, still + " ≥ 24 h (TiKV_GC_can_not_work's day)");
    } else if (advance->unmoved_seconds >= window) {
      find(HealthLevel::kWarning, still + " ≥ the " + FormatSeconds(window) + " window (TiDB runs GC every 10 min)");
    }
    watch = advance->moved ? "advancing: " + advance->source + "'s moved " + FormatSeconds(advance->unmoved_seconds) +
                                 " ago, window " + FormatSeconds(window)
                           : "watched for " + FormatSeconds(advance->watched_seconds) + " of the " +
                                 FormatSeconds(window) + " window";
  }
  if (!invalid.empty()) find(HealthLevel::kWarning, invalid + ", so the oldest service safe point counts");
  if (*result.level == HealthLevel::kOk) {
    if (!watch.empty()) result.reason += " (" + watch + ")";
    return result;
  }
  result.reason += ": " + findings + ": old versions pile up and slow reads down; " + HeldBack(pd);
  return result;
}

HealthCheckResult ResolvedTs(const Context& c) {
  const std::optional<double>& gap = c.snapshot.min_resolved_ts_gap_seconds;
  if (!gap) return c.Missing(HealthCheck::kResolvedTs, "TiKV exports no resolved-ts gap (< 5.3)");
  return Graded(HealthCheck::kResolvedTs, "min resolved-ts gap", *gap, c.thresholds.resolved_ts_gap_seconds,
                FormatSeconds, "stale reads and TiCDC wait; look for long transactions or a stuck region leader");
}

using CheckFunction = HealthCheckResult (*)(const Context&);
constexpr std::pair<HealthCheck, CheckFunction> kChecks[] = {
    {HealthCheck::kTikvReachable, TikvReachable},
    {HealthCheck::kTikvReady, TikvReady},
    {HealthCheck::kPdStoreState, PdStoreState},
    {HealthCheck::kDiskSpace, DiskSpace},
    {HealthCheck::kSlowStore, SlowScore},
    {HealthCheck::kRaftWritePath, RaftWritePath},
    {HealthCheck::kSchedulerLatchWait, SchedulerLatchWait},
    {HealthCheck::kServerBusy, ServerBusy},
    {HealthCheck::kWriteStall, WriteStall},
    {HealthCheck::kFlowControl, FlowControl},
    {HealthCheck::kGrpcErrors, GrpcErrors},
    {HealthCheck::kCriticalErrors, CriticalErrors},
    {HealthCheck::kRestarts, Restarts},
    {HealthCheck::kThreadPools, ThreadPools},
    {HealthCheck::kCpuQuota, CpuQuota},
    {HealthCheck::kGcSafePoint, GcSafePoint},
    {HealthCheck::kResolvedTs, ResolvedTs},
};
static_assert(std::size(kChecks) == std::size(kHealthCheckNames), "every check has its function");

}  // namespace

HealthVerdict EvaluateHealth(const Snapshot& snapshot, const HealthThresholds& thresholds) {
  auto tikv = snapshot.sources.find(Source::kTikv);
  const bool enabled = tikv != snapshot.sources.end() && tikv->second.enabled;
  const Context context{snapshot, thresholds, enabled, enabled && tikv->second.up};
  HealthVerdict verdict;
  for (const auto& [check, function] : kChecks) {
    HealthCheckResult result =
        thresholds.disabled.contains(check) ? NoData(check, "disabled in [health]") : function(context);
    if (result.level) verdict.level = std::max(verdict.level, *result.level);
    verdict.checks.push_back(std::move(result));
  }
  return verdict;
}

std::vector<HealthCheck> HealthVerdict::Evaluated() const {
  std::vector<HealthCheck> evaluated;
  for (const HealthCheckResult& check : checks) {
    if (check.level) evaluated.push_back(check.check);
  }
  return evaluated;
}

bool HealthVerdict::Passing() const { return !Evaluated().empty() && level != HealthLevel::kCritical; }

std::vector<std::string> HealthVerdict::Reasons() const {
  std::vector<std::string> reasons;
  for (HealthLevel level : {HealthLevel::kCritical, HealthLevel::kWarning}) {
    for (const HealthCheckResult& check : checks) {
      if (check.level == level) reasons.push_back(check.reason);
    }
  }
  return reasons;
}

}  // namespace tikv_exporter
