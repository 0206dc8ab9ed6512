// GcProgress: whether the GC safe point advances, remembered across polls (issue 21 case 1).
#include "snapshot/gc_progress.h"

#include <gtest/gtest.h>

#include "snapshot/snapshot.h"

namespace tikv_exporter {
namespace {

constexpr int64_t kStartMs = 1764500000000;

// A poll at `at_ms` that saw TiKV's safe point at `tikv_ms` and PD's at `pd_ms` (0: not seen).
Snapshot Poll(int64_t at_ms, int64_t tikv_ms, int64_t pd_ms) {
  Snapshot s;
  s.timestamp_ms = at_ms;
  if (tikv_ms > 0) s.gc_safe_point_ms = tikv_ms;
  if (pd_ms > 0) s.pd_gc = PdGcLag{static_cast<double>(at_ms - pd_ms) / 1000, "gc_worker", 0, std::nullopt, "", pd_ms};
  return s;
}

// TiDB with tidb_gc_life_time = 24 h: every 10 min the safe point moves to now - 24 h. The watch
// sees it move, so the time it stood still is never more than one run interval.
TEST(GcProgress, AGcThatRunsEveryTenMinutesIsSeenMoving) {
  GcProgress progress;
  const int64_t day_ms = 86'400'000, run_ms = 600'000;
  for (int64_t minute = 0; minute <= 120; ++minute) {
    const int64_t now = kStartMs + minute * 60'000;
    const int64_t safe_point = now - now % run_ms - day_ms;  // set at the last run
    Snapshot s = Poll(now, safe_point, safe_point);
    progress.Observe(&s);
    ASSERT_TRUE(s.gc_advance);
    EXPECT_LT(s.gc_advance->unmoved_seconds, 600) << minute;
    if (minute == 120) {
      EXPECT_TRUE(s.gc_advance->moved);
      EXPECT_EQ(s.gc_advance->watched_seconds, 7200);
    }
  }
}

// A GC that stopped: the time it stands still grows from the first poll on; the source that
// stood still longest is named.
TEST(GcProgress, AStoppedGcStandsStillFromTheFirstPoll) {
  GcProgress progress;
  const int64_t frozen = kStartMs - 48LL * 3600 * 1000;
  for (int64_t minute = 0; minute <= 40; minute += 10) {
    Snapshot s = Poll(kStartMs + minute * 60'000, frozen, kStartMs + minute * 60'000 - 600'000);
    progress.Observe(&s);
    ASSERT_TRUE(s.gc_advance);
    if (minute > 0) {
      EXPECT_EQ(s.gc_advance->source, "TiKV");  // PD's moved at every run
    }
    EXPECT_EQ(s.gc_advance->unmoved_seconds, minute * 60);
    EXPECT_FALSE(s.gc_advance->moved);
  }
}

// A TiKV restart, or a safe point that goes back (a restored cluster), starts the watch again;
// a poll without any safe point has no verdict on progress.
TEST(GcProgress, ARestartOrASafePointThatGoesBackStartsAgain) {
  GcProgress progress;
  const int64_t frozen = kStartMs - 3'600'000;
  Snapshot first = Poll(kStartMs, frozen, 0);
  progress.Observe(&first);
  Snapshot later = Poll(kStartMs + 1'800'000, frozen, 0);
  progress.Observe(&later);
  EXPECT_EQ(later.gc_advance->unmoved_seconds, 1800);
  Snapshot restarted = Poll(kStartMs + 1'900'000, frozen, 0);
  restarted.pressure.tikv_restarted = true;
  progress.Observe(&restarted);
  EXPECT_EQ(restarted.gc_advance->unmoved_seconds, 0);
  Snapshot back = Poll(kStartMs + 2'000'000, frozen - 1, 0);
  progress.Observe(&back);
  EXPECT_EQ(back.gc_advance->unmoved_seconds, 0);
  EXPECT_EQ(back.gc_advance->watched_seconds, 0);
  Snapshot none = Poll(kStartMs + 2'100'000, 0, 0);
  progress.Observe(&none);
  EXPECT_FALSE(none.gc_advance);
}

}  // namespace
}  // namespace tikv_exporter
