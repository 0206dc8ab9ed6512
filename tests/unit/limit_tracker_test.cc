#include "common/limit_tracker.h"

#include <gtest/gtest.h>

#include <thread>

namespace tikv_exporter {
namespace {

TEST(LimitTracker, EveryLimitHasASeriesBeforeItIsHit) {
  LimitTracker limits;
  auto snapshot = limits.Snapshot();
  for (const char* limit : {"upstream_body_bytes", "series_per_poll", "labels_per_series", "label_value_bytes",
                            "http_concurrent_requests", "grpc_watchers"}) {
    ASSERT_TRUE(snapshot.contains(limit)) << limit;
    EXPECT_EQ(snapshot[limit].hits, 0u);
    EXPECT_FALSE(snapshot[limit].reached);
  }
}

TEST(LimitTracker, CountsEveryHitAndTracksTheStreak) {
  LimitTracker limits(std::chrono::milliseconds(0));
  limits.Hit("grpc_watchers", "64 watches are open");
  limits.Hit("grpc_watchers", "64 watches are open");
  EXPECT_EQ(limits.Snapshot()["grpc_watchers"].hits, 2u);
  EXPECT_TRUE(limits.Snapshot()["grpc_watchers"].reached);
  limits.Clear("grpc_watchers");
  EXPECT_FALSE(limits.Snapshot()["grpc_watchers"].reached);
  EXPECT_EQ(limits.Snapshot()["grpc_watchers"].hits, 2u) << "a counter never goes down";
  limits.Clear("no_such_limit");  // harmless
  EXPECT_FALSE(limits.Snapshot().contains("no_such_limit"));
}

TEST(LimitTracker, AStreakEndsOnlyAfterTheHoldWithoutHits) {
  LimitTracker limits(std::chrono::milliseconds(300));
  limits.Hit("http_concurrent_requests", "flood");
  limits.Clear("http_concurrent_requests");  // a wave's gap: too soon to end the streak
  EXPECT_TRUE(limits.Snapshot()["http_concurrent_requests"].reached);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  limits.Clear("http_concurrent_requests");
  EXPECT_FALSE(limits.Snapshot()["http_concurrent_requests"].reached);
}

}  // namespace
}  // namespace tikv_exporter
