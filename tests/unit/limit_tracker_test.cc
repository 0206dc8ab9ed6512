#include "common/limit_tracker.h"

#include <gtest/gtest.h>

#include <thread>

namespace tikv_exporter {
namespace {

TEST(LimitTracker, EveryLimitHasASeriesBeforeItIsHit) {
  LimitTracker limits;
  auto snapshot = limits.Snapshot();
  ASSERT_EQ(snapshot.size(), std::size(kLimitNames));
  for (const EnumName<Limit>& row : kLimitNames) {
    const Limit limit = row.value;
    ASSERT_TRUE(snapshot.contains(limit)) << row.name;
    EXPECT_EQ(snapshot[limit].hits, 0u);
    EXPECT_FALSE(snapshot[limit].reached);
  }
}

TEST(LimitTracker, CountsEveryHitAndTracksTheStreak) {
  LimitTracker limits(std::chrono::milliseconds(0));
  limits.Hit(Limit::kGrpcWatchers, "64 watches are open");
  limits.Hit(Limit::kGrpcWatchers, "64 watches are open");
  EXPECT_EQ(limits.Snapshot()[Limit::kGrpcWatchers].hits, 2u);
  EXPECT_TRUE(limits.Snapshot()[Limit::kGrpcWatchers].reached);
  limits.Clear(Limit::kGrpcWatchers);
  EXPECT_FALSE(limits.Snapshot()[Limit::kGrpcWatchers].reached);
  EXPECT_EQ(limits.Snapshot()[Limit::kGrpcWatchers].hits, 2u) << "a counter never goes down";
}

TEST(LimitTracker, AStreakEndsOnlyAfterTheHoldWithoutHits) {
  LimitTracker limits(std::chrono::milliseconds(300));
  limits.Hit(Limit::kHttpConcurrentRequests, "flood");
  limits.Clear(Limit::kHttpConcurrentRequests);  // a wave's gap: too soon to end the streak
  EXPECT_TRUE(limits.Snapshot()[Limit::kHttpConcurrentRequests].reached);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  limits.Clear(Limit::kHttpConcurrentRequests);
  EXPECT_FALSE(limits.Snapshot()[Limit::kHttpConcurrentRequests].reached);
}

}  // namespace
}  // namespace tikv_exporter
