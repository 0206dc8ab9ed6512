#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace tikv_exporter {

struct Snapshot;

// Remembers across polls when each GC safe point this node sees (TiKV's auto-GC copy, PD's) last
// moved, so the gc_safe_point check can tell a GC that advances with a long tidb_gc_life_time
// from one that stopped: one poll shows only a lag. Bounded: one entry per source. A safe point
// that goes back (an upstream restored or restarted with other data), a TiKV restart and a
// reload that names another TiKV node or PD cluster (the owner makes a new one) start the watch
// again; a reload of the same upstreams keeps it.
// Owned by the Poller; not thread-safe (the poll thread only).
class GcProgress {
 public:
  // Notes the safe points of `snapshot` (taken at its timestamp) and sets its gc_advance from the
  // source that has stood still longest; leaves it unset when the snapshot has no safe point.
  void Observe(Snapshot* snapshot);

 private:
  struct Watch {
    int64_t safe_point_ms = 0;
    int64_t since_ms = 0;        // when watching began
    int64_t last_moved_ms = 0;   // when the safe point last moved (since_ms before it moved)
    bool moved = false;
  };
  void Note(const std::string& source, int64_t safe_point_ms, int64_t now_ms);

  std::map<std::string, Watch> watches_;  // "PD", "TiKV"
};

}  // namespace tikv_exporter
