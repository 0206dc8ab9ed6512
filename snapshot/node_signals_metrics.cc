// The series of the node signals (node_signals.h), added by AddSnapshotSeries: TiKV's while TiKV
// is up, PD's whenever PD answered, for PD is then the only witness left.
#include "prom/family_builder.h"
#include "snapshot/node_signals.h"
#include "snapshot/snapshot.h"

namespace tikv_exporter {
namespace {

void AddDiskSeries(const DiskHeadroom& disk, Families& f) {
  Set(f.Gauge("tikv_exporter_disk_reserve_bytes",
              "Space TiKV keeps free: max(5% of capacity, storage.reserve-space); 0 when "
              "reserve-space is 0 (protection off)."),
      {}, disk.reserve_bytes);
  Set(f.Gauge("tikv_exporter_disk_headroom_bytes",
              "Bytes that can still be written before TiKV refuses writes for disk full: available "
              "- reserve, at least 0."),
      {}, disk.bytes_before_write_refusal);
  auto& state = f.Gauge(
      "tikv_exporter_disk_state",
      "TiKV's disk-full state by its own rule: 1 for the current one of normal, almost_full "
      "(available <= reserve) and full (available <= reserve / 2).");
  for (const char* name : {"normal", "almost_full", "full"}) {
    Set(state, {{"state", name}}, disk.state == name ? 1 : 0);
  }
}

void AddPdSlowStoreSeries(const SlowStore& slow, Families& f) {
  SetIf(
      f.Gauge(
          "tikv_exporter_pd_local_slow_score",
          "This node's store slow score as PD's /stores reports it (1 = healthy, 100 = slowest)."),
      {}, slow.pd_score);
  auto& trend = f.Gauge(
      "tikv_exporter_pd_local_slow_trend",
      "PD's slow trend of this node's store: the cause (disk latency) and result (QPS) values.");
  SetIf(trend, {{"kind", "cause"}}, slow.pd_trend_cause_value);
  SetIf(trend, {{"kind", "result"}}, slow.pd_trend_result_value);
  auto& rate = f.Gauge(
      "tikv_exporter_pd_local_slow_trend_rate",
      "PD's slow trend of this node's store: the rate of change of the cause and the result.");
  SetIf(rate, {{"kind", "cause"}}, slow.pd_trend_cause_rate);
  SetIf(rate, {{"kind", "result"}}, slow.pd_trend_result_rate);
  if (slow.pd_busy) {
    Set(f.Gauge("tikv_exporter_pd_local_busy",
                "1 when PD's /stores marks this node's store busy (is_busy)."),
        {}, *slow.pd_busy ? 1 : 0);
  }
}

}  // namespace

void AddNodeSignalSeries(const Snapshot& s, Families& f) {
  if (s.disk_headroom) AddDiskSeries(*s.disk_headroom, f);
  auto& tikv = f.Gauge(
      "tikv_exporter_tikv_slow_score",
      "TiKV's own slow score of the store (tikv_raftstore_slow_score, 1 = healthy, 100 = slowest), "
      "by type where TiKV has one.");
  for (const auto& [type, score] : s.slow_store.tikv_score) {
    Set(tikv, type.empty() ? Labels{} : Labels{{"type", type}}, score);
  }
  SetIf(
      f.Gauge(
          "tikv_exporter_gc_safe_point_lag_seconds",
          "Scrape time minus TiKV's auto-GC safe point (tikv_gcworker_autogc_safe_point, a TSO)."),
      {}, s.gc_safe_point_lag_seconds);
  SetIf(f.Gauge("tikv_exporter_min_resolved_ts_gap_seconds",
                "TiKV's smallest resolved-ts gap (tikv_resolved_ts_min_resolved_ts_gap_millis), in "
                "seconds."),
        {}, s.min_resolved_ts_gap_seconds);
  if (s.tikv_ready) {
    Set(f.Gauge("tikv_exporter_tikv_ready",
                "1 when TiKV's GET /ready answers 200, 0 when it answers 500 (absent where TiKV "
                "has no /ready)."),
        {}, *s.tikv_ready ? 1 : 0);
  }
}

void AddPdNodeSignalSeries(const Snapshot& s, Families& f) {
  AddPdSlowStoreSeries(s.slow_store, f);
  if (!s.pd_gc) return;
  SetIf(f.Gauge("tikv_exporter_pd_gc_safe_point_lag_seconds",
                "Snapshot time minus the cluster's GC safe point in PD (GET /gc/safepoint), at least 0; "
                "from an invalid body (tikv_exporter_pd_gc_safe_point_invalid) the oldest service safe point's."),
        {}, s.pd_gc->lag_seconds);
  Set(f.Gauge("tikv_exporter_pd_gc_safe_point_invalid",
              "1 when PD's gc_safe_point is after a service safe point or in the future: a body PD's own "
              "rules never produce."),
      {}, s.pd_gc->invalid.empty() ? 0 : 1);
  if (!s.pd_gc->oldest_service.empty()) {
    Set(f.Gauge("tikv_exporter_pd_oldest_service_safe_point_lag_seconds",
                "Snapshot time minus the oldest service GC safe point in PD, by that service: what "
                "holds GC back (gc_worker is TiDB's own GC)."),
        {{"service", s.pd_gc->oldest_service}}, s.pd_gc->oldest_service_lag_seconds);
  }
}

}  // namespace tikv_exporter
