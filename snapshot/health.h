#pragma once

// The node's health verdict (issue 17): each check turns one signal of the snapshot into ok,
// warning or critical with a reason in words; the node is the worst of them. The thresholds are
// the [health] config keys; their defaults follow TiKV's and PD's own alert rules where those
// exist (docs/health-checks.md lists each one and where it comes from).

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/enum_names.h"

namespace tikv_exporter {

enum class HealthLevel { kOk, kWarning, kCritical };
inline constexpr EnumName<HealthLevel> kHealthLevelNames[] = {
    {HealthLevel::kOk, "ok"}, {HealthLevel::kWarning, "warning"}, {HealthLevel::kCritical, "critical"}};

// The checks, in the order they are reported. Their names are the `check` label and config names.
enum class HealthCheck {
  kTikvReachable,
  kTikvReady,
  kPdStoreState,
  kDiskSpace,
  kSlowStore,
  kRaftWritePath,
  kSchedulerLatchWait,
  kServerBusy,
  kWriteStall,
  kFlowControl,
  kGrpcErrors,
  kCriticalErrors,
  kRestarts,
  kThreadPools,
  kCpuQuota,
  kGcSafePoint,
  kResolvedTs,
};
inline constexpr EnumName<HealthCheck> kHealthCheckNames[] = {
    {HealthCheck::kTikvReachable, "tikv_reachable"},
    {HealthCheck::kTikvReady, "tikv_ready"},
    {HealthCheck::kPdStoreState, "pd_store_state"},
    {HealthCheck::kDiskSpace, "disk_space"},
    {HealthCheck::kSlowStore, "slow_store"},
    {HealthCheck::kRaftWritePath, "raft_write_path"},
    {HealthCheck::kSchedulerLatchWait, "scheduler_latch_wait"},
    {HealthCheck::kServerBusy, "server_busy"},
    {HealthCheck::kWriteStall, "write_stall"},
    {HealthCheck::kFlowControl, "flow_control"},
    {HealthCheck::kGrpcErrors, "grpc_errors"},
    {HealthCheck::kCriticalErrors, "critical_errors"},
    {HealthCheck::kRestarts, "restarts"},
    {HealthCheck::kThreadPools, "thread_pools"},
    {HealthCheck::kCpuQuota, "cpu_quota"},
    {HealthCheck::kGcSafePoint, "gc_safe_point"},
    {HealthCheck::kResolvedTs, "resolved_ts"},
};

// A value is at a level once it reaches that level's threshold; a threshold of 0 means "any
// value above 0" (an event that should not happen at all).
struct HealthThreshold {
  double warning = 0;
  double critical = 0;
};

// The [health] config section.
struct HealthThresholds {
  // Free space below this share of capacity warns (TiKV_low_space: available / capacity < 0.2).
  // Reaching TiKV's own reserve is always critical: TiKV then refuses writes.
  double disk_available_ratio_warning = 0.2;
  HealthThreshold slow_score{50, 80};                     // PD counts a store slow from 80
  HealthThreshold raft_write_p99_seconds{0.5, 1};         // TiKV_raft_{append,apply}_log_duration_secs > 1 s
  HealthThreshold scheduler_latch_wait_p99_seconds{0.5, 1};  // TiKV_scheduler_latch_wait_duration_seconds
  HealthThreshold busy_rejections_per_second{0, 10};      // channel full is critical at any rate
  HealthThreshold write_stall_ratio{0, 0.1};              // share of the window stalled; TiKV_write_stall: any
  HealthThreshold flow_control_discard_ratio{0, 0.5};
  HealthThreshold grpc_failure_ratio{0.01, 0.1};
  HealthThreshold thread_pool_busy_ratio{0.8, 0.9};       // TiKV_raftstore_thread_cpu_seconds_total (80 %)
  HealthThreshold cpu_quota_ratio{0.8, 0.9};              // TiKV_cpu_quota > 0.8
  // GC (docs/health-checks.md, gc_safe_point). TiDB moves the safe point every run interval (10 min)
  // to now - tidb_gc_life_time, and that life time may be anything from 10 min to 8760 h: the lag
  // alone says nothing until the operator states the life time. What always counts is whether the
  // safe point advances, watched across polls over gc_advance_window_seconds.
  double gc_life_time_seconds = 0;          // the cluster's tidb_gc_life_time; 0 = not stated
  double gc_advance_window_seconds = 1800;  // three of TiDB's 10 min runs: a round may outlast one
  // How far the lag may go beyond gc_life_time_seconds + the run interval (only with a life time).
  HealthThreshold gc_safe_point_lag_seconds{3600, 86400};
  HealthThreshold resolved_ts_gap_seconds{60, 600};
  std::set<HealthCheck> disabled;  // checks the operator turned off: reported as disabled
};

// One check's outcome.
struct HealthCheckResult {
  HealthCheck check = HealthCheck::kTikvReachable;
  // Absent: the node does not export the check's inputs (or the check is disabled); `reason`
  // says which.
  std::optional<HealthLevel> level;
  std::string reason;  // in words, with the value and, when not ok, the threshold it reached
  std::optional<double> value;  // in the threshold's unit
  std::optional<double> warning_threshold;
  std::optional<double> critical_threshold;
};

struct HealthVerdict {
  HealthLevel level = HealthLevel::kOk;  // the worst level of the checks
  std::vector<HealthCheckResult> checks;  // every check, in HealthCheck order; empty before a poll

  // The reasons of the checks that are not ok, critical ones first.
  std::vector<std::string> Reasons() const;
  // The checks that gave a level. A verdict with none checked nothing: it is not "ok".
  std::vector<HealthCheck> Evaluated() const;
  // What a readiness probe on /api/v1/health sees: some check evaluated and none critical.
  bool Passing() const;
};

// TiDB's GC run interval (tidb_gc_run_interval's default) and the largest tidb_gc_life_time TiDB
// accepts: a safe point further behind than their sum is stuck whatever the setting.
inline constexpr double kGcRunIntervalSeconds = 600;
inline constexpr double kGcMaxLifeTimeSeconds = 8760.0 * 3600;

}  // namespace tikv_exporter
