#include "exporter/limit_tracker.h"

#include <gtest/gtest.h>

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
  LimitTracker limits;
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

}  // namespace
}  // namespace tikv_exporter
