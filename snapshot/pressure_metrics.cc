#include "snapshot/pressure_metrics.h"

namespace tikv_exporter {

void AddPressureSeries(const PressureSignals& p, Families& f) {
  if (!p.raft_write_p99_seconds.empty()) {
    auto& raft = f.Quantiles(
        "tikv_exporter_raft_write_duration_seconds",
        "p99 of each raft write-path stage over the window (append_log, commit_log, apply_log, "
        "apply_wait, request_wait), interpolated as histogram_quantile() does.");
    for (const auto& [stage, p99] : p.raft_write_p99_seconds)
      Set(raft, {{"stage", stage}, {"quantile", "0.99"}}, p99);
  }
  if (p.scheduler_latch_wait_p99_seconds) {
    Set(f.Quantiles("tikv_exporter_scheduler_latch_wait_seconds",
                    "p99 of the scheduler's latch wait over the window "
                    "(tikv_scheduler_latch_wait_duration_seconds)."),
        {{"quantile", "0.99"}}, *p.scheduler_latch_wait_p99_seconds);
  }
  auto& latch_by_type = f.Gauge(
      "tikv_exporter_scheduler_latch_wait_type_p99_seconds",
      "p99 of the scheduler's latch wait over the window by command type, as "
      "TiKV_scheduler_latch_wait_duration_seconds takes it; the verdict grades the worst.");
  for (const auto& [type, p99] : p.scheduler_latch_wait_p99_by_type) Set(latch_by_type, {{"type", type}}, p99);
  auto& busy = f.Gauge(
      "tikv_exporter_busy_rejections_per_second",
      "Requests TiKV rejected as busy per second over the window, by reason: scheduler_too_busy "
      "(tikv_scheduler_too_busy_total), channel_full (tikv_channel_full_total), coprocessor_full "
      "(tikv_coprocessor_request_error full).");
  for (const auto& [reason, rate] : p.busy_rejections_per_second)
    Set(busy, {{"reason", reason}}, rate);
  SetIf(f.Gauge("tikv_exporter_flow_control_discard_ratio",
                "Share of writes TiKV's flow control discards (tikv_scheduler_discard_ratio / "
                "10^7), 0..1."),
        {}, p.flow_control_discard_ratio);
  SetIf(f.Gauge("tikv_exporter_grpc_failure_ratio",
                "Failed gRPC messages / handled gRPC messages over the window "
                "(tikv_grpc_msg_fail_total)."),
        {}, p.grpc_failure_ratio);
  SetIf(f.Gauge(
            "tikv_exporter_critical_errors",
            "Critical errors TiKV reported in the window (increase of tikv_critical_error_total)."),
        {}, p.critical_errors);
  SetIf(f.Gauge("tikv_exporter_tikv_start_time_seconds",
                "Unix time TiKV's process started (process_start_time_seconds)."),
        {}, p.tikv_start_time_seconds);
  if (p.tikv_restarts) {
    Set(f.Counter("tikv_exporter_tikv_restarts_total",
                  "TiKV restarts seen since the exporter started: process_start_time_seconds "
                  "changed between polls."),
        {}, static_cast<double>(*p.tikv_restarts));
  }
  SetIf(f.Gauge("tikv_exporter_tikv_cpu_cores_quota",
                "TiKV's CPU quota in cores (tikv_server_cpu_cores_quota); divide "
                "tikv_exporter_thread_pool_cpu_seconds_per_second by it for a pool's share."),
        {}, p.cpu_cores_quota);
  auto& cpu = f.Gauge("tikv_exporter_thread_pool_cpu_seconds_per_second",
                      "CPU seconds per second of each TiKV thread pool over the window "
                      "(tikv_thread_cpu_seconds_total "
                      "grouped by thread name; unknown names are pool=\"other\").");
  auto& threads = f.Gauge("tikv_exporter_thread_pool_threads",
                          "Threads of each TiKV thread pool in the latest scrape.");
  auto& share = f.Gauge("tikv_exporter_thread_pool_busy_ratio",
                        "CPU seconds per second of each TiKV thread pool / its threads: 1 means "
                        "every thread was busy.");
  for (const auto& [pool, usage] : p.thread_pools) {
    Set(cpu, {{"pool", pool}}, usage.cpu_seconds_per_second);
    Set(threads, {{"pool", pool}}, usage.threads);
    SetIf(share, {{"pool", pool}}, usage.ShareOfThreads());
  }
}

}  // namespace tikv_exporter
