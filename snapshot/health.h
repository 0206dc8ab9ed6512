#pragma once

// The node's health verdict (issue 17): each check turns one signal of the snapshot into ok,
// warning or critical with a reason in words; the node is the worst of them. The thresholds are
// the [health] config keys; their defaults follow TiKV's and PD's own alert rules where those
// exist (README "Node health" lists each one and where it comes from).

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
  HealthThreshold gc_safe_point_lag_seconds{3600, 86400};  // TiKV_GC_can_not_work: a day
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
};

}  // namespace tikv_exporter
