#include "snapshot/gc_progress.h"

#include "snapshot/snapshot.h"

namespace tikv_exporter {

void GcProgress::Note(const std::string& source, int64_t safe_point_ms, int64_t now_ms) {
  auto it = watches_.find(source);
  if (it == watches_.end() || safe_point_ms < it->second.safe_point_ms) {
    watches_[source] = Watch{safe_point_ms, now_ms, now_ms, false};
    return;
  }
  Watch& watch = it->second;
  if (safe_point_ms > watch.safe_point_ms) {
    watch.safe_point_ms = safe_point_ms;
    watch.last_moved_ms = now_ms;
    watch.moved = true;
  }
}

void GcProgress::Observe(Snapshot* snapshot) {
  const int64_t now_ms = snapshot->timestamp_ms;
  // A restarted TiKV reports its safe point afresh; what it said before is no evidence.
  if (snapshot->pressure.tikv_restarted) watches_.erase("TiKV");
  if (snapshot->gc_safe_point_ms) Note("TiKV", *snapshot->gc_safe_point_ms, now_ms);
  if (snapshot->pd_gc && snapshot->pd_gc->lag_seconds) Note("PD", snapshot->pd_gc->safe_point_ms, now_ms);

  const bool tikv = snapshot->gc_safe_point_ms.has_value();
  const bool pd = snapshot->pd_gc && snapshot->pd_gc->lag_seconds;
  std::optional<GcAdvance> worst;
  for (const auto& [source, watch] : watches_) {
    if ((source == "TiKV" && !tikv) || (source == "PD" && !pd)) continue;  // not seen this poll
    GcAdvance advance{source, static_cast<double>(now_ms - watch.last_moved_ms) / 1000,
                      static_cast<double>(now_ms - watch.since_ms) / 1000, watch.moved};
    if (!worst || advance.unmoved_seconds > worst->unmoved_seconds) worst = advance;
  }
  snapshot->gc_advance = worst;
}

}  // namespace tikv_exporter
