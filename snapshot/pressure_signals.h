#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace tikv_exporter {

// CPU of one thread pool over the window, from tikv_thread_cpu_seconds_total.
struct ThreadPoolCpu {
  double cpu_seconds_per_second = 0;  // summed over the pool's threads
  int threads = 0;                    // threads of the pool in the latest scrape
  // cpu_seconds_per_second / threads: 1 means every thread of the pool was busy all the time.
  std::optional<double> ShareOfThreads() const;
};

// Node-health signals of the write path, the scheduler, errors and thread pools (issue 17),
// computed from the two latest TiKV scrapes. Each is absent when TiKV does not export its inputs.
struct PressureSignals {
  // Stage (append_log, commit_log, apply_log, apply_wait, request_wait) -> p99 in the window.
  std::map<std::string, double> raft_write_p99_seconds;
  std::optional<double> scheduler_latch_wait_p99_seconds;  // over every command type
  // Command type (prewrite, commit, acquire_pessimistic_lock, ...) -> its own p99, as
  // TiKV_scheduler_latch_wait_duration_seconds takes it (by le, instance, type): one contended
  // type hides in the merged p99 when it is a small share of the commands.
  std::map<std::string, double> scheduler_latch_wait_p99_by_type;
  // Reason (scheduler_too_busy, channel_full, coprocessor_full) -> rejections per second.
  std::map<std::string, double> busy_rejections_per_second;
  std::optional<double> flow_control_discard_ratio;   // 0..1, TiKV >= 5.2 flow control
  std::optional<double> grpc_failure_ratio;           // failed / handled gRPC messages
  std::optional<double> critical_errors;              // tikv_critical_error_total increase
  std::optional<double> tikv_start_time_seconds;      // process_start_time_seconds
  bool tikv_restarted = false;                        // the start time changed in the window
  std::optional<uint64_t> tikv_restarts;              // restarts seen since the exporter started
  std::map<std::string, ThreadPoolCpu> thread_pools;  // by pool (a bounded set, see PoolOfThread)
  std::optional<double>
      cpu_cores_quota;  // tikv_server_cpu_cores_quota (TiKV >= 5.3): pools' share of it
};

}  // namespace tikv_exporter
