#pragma once

// Node-health signals of issue 17 that come from TiKV's /metrics and /config and PD's /stores:
// disk headroom by TiKV's own disk-full rule, slow store, GC and resolved-ts lag. Each is absent
// when the node does not export its inputs. The snapshot carries them (snapshot.h); this file
// computes them, snapshot_proto.cc and node_signals_metrics.cc give their forms.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace tikv_exporter {

struct TikvScrape;
struct PdData;
struct Snapshot;
class Families;

// TiKV's disk-full protection (TiKV >= 5.2, storage.reserve-space) applied to this node's
// capacity and available space.
struct DiskHeadroom {
  double reserve_bytes =
      0;  // max(5 % of capacity, storage.reserve-space); 0 when reserve-space is 0 (off)
  std::string state;  // "normal", "almost_full" (available <= reserve), "full" (<= reserve / 2)
  // available - reserve, at least 0: what can still be written before TiKV refuses ordinary writes
  // (TiKV rejects writes once almost full unless the client allows it).
  double bytes_before_write_refusal = 0;
};

// This store's slow score as TiKV and PD see it.
struct SlowStore {
  // tikv_raftstore_slow_score by its `type` label (disk, network, ... in newer TiKV); "" when TiKV
  // has no type label (v5.3 .. v7.x). Empty when TiKV does not export it (< 5.3).
  std::map<std::string, double> tikv_score;
  std::optional<double> pd_score;  // PD /stores status.slow_score (PD >= 5.3, omitted when 0)
  // PD /stores status.slow_trend (PD >= 6.6): the cause (disk latency) and result (QPS) values and
  // their rates of change.
  std::optional<double> pd_trend_cause_value;
  std::optional<double> pd_trend_cause_rate;
  std::optional<double> pd_trend_result_value;
  std::optional<double> pd_trend_result_rate;
  std::optional<bool> pd_busy;  // PD /stores status.is_busy; absent when PD does not say

  bool empty() const {
    return tikv_score.empty() && !pd_score && !pd_trend_cause_value && !pd_trend_cause_rate &&
           !pd_trend_result_value && !pd_trend_result_rate && !pd_busy;
  }
};

// PD's GC state (GET /gc/safepoint): how far the cluster's GC safe point is behind, and the
// service safe point that is oldest: what holds GC back (TiCDC, BR, TiDB's own gc_worker).
struct PdGcLag {
  // Snapshot time - PD's gc_safe_point, at least 0 (a little clock skew is not a future safe
  // point). When the body is invalid, the oldest service safe point's lag; absent without one.
  std::optional<double> lag_seconds;
  std::string oldest_service;
  double oldest_service_lag_seconds = 0;
  std::optional<double> oldest_service_expires_in_seconds;  // absent when it never expires
  // Why the body's gc_safe_point cannot be right (PD keeps it at or below every service safe point,
  // and no safe point lies in the future); empty when it is valid.
  std::string invalid;
  int64_t safe_point_ms = 0;  // the physical time of the safe point lag_seconds measures
};

// Whether the GC safe point moves, remembered across polls (GcProgress): a GC with a long
// tidb_gc_life_time advances, a stuck one stands still whatever its lag.
struct GcAdvance {
  std::string source;          // "PD" or "TiKV": the safe point that stood still longest
  double unmoved_seconds = 0;  // since it last moved, or since watching began
  double watched_seconds = 0;  // since watching began (start, reload, upstream restart)
  bool moved = false;          // seen moving since watching began
};

// Fills disk headroom, TiKV's slow score, GC safe-point lag and the min resolved-ts gap from one
// TiKV scrape (its /metrics and /config). Call after the storage sizes are in `snapshot`.
void AddTikvNodeSignals(const TikvScrape& scrape, Snapshot* snapshot);

// Fills this node's PD slow score, slow trend, busy flag and store state, when PD knows the local
// store, and PD's GC lag (needs snapshot->timestamp_ms).
void AddPdNodeSignals(const PdData& pd, Snapshot* snapshot);

// The series of the signals from TiKV (tikv_exporter_disk_*, *_tikv_slow_score, *_gc_*, ...):
// only while TiKV answers.
void AddNodeSignalSeries(const Snapshot& snapshot, Families& families);
// The series of what PD says of this node (its slow score, trend and busy flag, PD's GC lags):
// whenever PD answered, TiKV up or not.
void AddPdNodeSignalSeries(const Snapshot& snapshot, Families& families);

}  // namespace tikv_exporter
