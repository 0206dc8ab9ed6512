#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "common/limits.h"
#include "common/mutex.h"

namespace tikv_exporter {

// Counts how often each of the exporter's bounds was hit (tikv_exporter_limit_hits_total{limit})
// and whether it is being hit now (tikv_exporter_limit_reached{limit}). Logs once when a limit
// starts being hit and once when it stops, never per hit, so a hostile upstream or a scrape storm
// cannot flood the log: a streak ends only after `hold` without a hit, so a flood that comes in
// waves logs one start and one end, not one pair per wave. Thread-safe.
class LimitTracker {
 public:
  struct Entry {
    uint64_t hits = 0;
    bool reached = false;
    std::chrono::steady_clock::time_point last_hit;
  };

  // Every limit (kLimitNames), so each has a series (0) before it is first hit.
  explicit LimitTracker(std::chrono::milliseconds hold = std::chrono::seconds(10));

  // Records one hit of `limit`; `detail` goes into the log line when this starts a hit streak.
  void Hit(Limit limit, const std::string& detail);
  // Records that `limit` was checked and not hit (ends a hit streak `hold` after its last hit).
  // Called for every request and poll that passes a bound: without a streak it takes no lock.
  void Clear(Limit limit);

  std::map<Limit, Entry> Snapshot() const;

 private:
  const std::chrono::milliseconds hold_;
  mutable Mutex mutex_;
  std::map<Limit, Entry> limits_ ABSL_GUARDED_BY(mutex_);
  // One bit per Limit whose streak is on: a mirror of Entry::reached that Clear() reads unlocked.
  std::atomic<uint32_t> reached_bits_{0};
};

}  // namespace tikv_exporter
