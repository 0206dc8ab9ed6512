// The TiKV collector against scripted upstreams: what one poll asks for and returns, what fails
// it and what does not.

#include "collectors/tikv/tikv_collector.h"

#include <gtest/gtest.h>

#include "tests/unit/fake_http_fetcher.h"

namespace tikv_exporter {
namespace {

using testing::FakeUpstreams;

constexpr char kTikv[] = "http://127.0.0.1:20180";
constexpr char kMetrics[] =
    "# TYPE tikv_engine_size_bytes gauge\n"
    "tikv_engine_size_bytes{db=\"kv\",type=\"default\"} 42\n"
    "tikv_engine_size_bytes{db=\"kv\",type=\"write\"} 7\n";

class TikvCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    upstreams_.Answer(kTikv, "/status", "");
    upstreams_.Answer(kTikv, "/metrics", kMetrics, 200, "text/plain; version=0.0.4");
    upstreams_.Answer(kTikv, "/config", R"({"storage":{"reserve-space":"5GiB"}})");
  }
  StatusOr<std::shared_ptr<const TikvScrape>> Poll() {
    TikvCollector collector(upstreams_.Fetcher(kTikv), 1 << 20, ParseLimits{});
    deadline_ = Clock::now() + std::chrono::milliseconds(300);
    return collector.Collect(deadline_);
  }

  FakeUpstreams upstreams_;
  Clock::time_point deadline_;
};

TEST_F(TikvCollectorTest, ReturnsTheParsedScrapeAndTheLiveConfig) {
  StatusOr<std::shared_ptr<const TikvScrape>> scrape = Poll();
  ASSERT_TRUE(scrape.ok()) << scrape.status().message();
  EXPECT_EQ((*scrape)->metrics.SampleCount(), 2u);
  ASSERT_NE((*scrape)->summary, nullptr);
  EXPECT_EQ((*scrape)->summary->series, 2u);
  EXPECT_EQ((*scrape)->summary->body_bytes, std::string(kMetrics).size());
  EXPECT_FALSE((*scrape)->config.empty());
  EXPECT_TRUE((*scrape)->config_error.empty());
  EXPECT_GT((*scrape)->timestamp_ms, 0);
  EXPECT_EQ(upstreams_.Asked("/status").size(), 1u);
  for (const FakeUpstreams::Call& call : upstreams_.calls()) {
    EXPECT_EQ(call.deadline, deadline_) << call.path << " must be bounded by the poll's deadline";
  }
}

// A poll's GETs share one connection, closed when the poll ends, however it ends.
TEST_F(TikvCollectorTest, APollsRequestsShareOneConnectionClosedWhenItEnds) {
  ASSERT_TRUE(Poll().ok());
  upstreams_.Answer(kTikv, "/metrics", "<html>login</html>", 200, "text/html");
  ASSERT_FALSE(Poll().ok());
  const std::vector<FakeUpstreams::Call>& calls = upstreams_.calls();
  // /status, /metrics, /ready, /config; then /status, /metrics, stopped by the HTML page.
  ASSERT_EQ(calls.size(), 6u);
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_TRUE(calls[i].keep_connection) << calls[i].path;
    EXPECT_EQ(calls[i].connection_closed, i == 3 || i == 5) << i << " " << calls[i].path;
  }
}

TEST_F(TikvCollectorTest, AMissingConfigDoesNotFailThePoll) {
  upstreams_.Answer(kTikv, "/config", "404 page not found\n", 404, "text/plain");
  StatusOr<std::shared_ptr<const TikvScrape>> scrape = Poll();
  ASSERT_TRUE(scrape.ok()) << scrape.status().message();
  EXPECT_TRUE((*scrape)->config.empty());
  EXPECT_EQ((*scrape)->config_error, "GET /config answered HTTP 404");
}

// /config is on its own schedule: asked at most once per refresh, its answer kept in between,
// and a body it refuses (nested too deep) noted in every scrape while it stands.
TEST_F(TikvCollectorTest, TheConfigIsRefreshedOnItsOwnSchedule) {
  upstreams_.Answer(kTikv, "/config", "{\"a\":" + std::string(1000, '[') + std::string(1000, ']') + "}");
  TikvCollector collector(upstreams_.Fetcher(kTikv), 1 << 20, ParseLimits{}, RelayRules{},
                          std::chrono::hours(1));
  for (int poll = 0; poll < 3; ++poll) {
    StatusOr<std::shared_ptr<const TikvScrape>> scrape = collector.Collect(Clock::now() + std::chrono::seconds(5));
    ASSERT_TRUE(scrape.ok()) << scrape.status().message();
    EXPECT_TRUE((*scrape)->config.empty());
    EXPECT_EQ((*scrape)->config_error, "TiKV /config: JSON nested deeper than 32 levels (at byte 36)");
    ASSERT_EQ((*scrape)->limit_notes.size(), 1u);
    EXPECT_EQ((*scrape)->limit_notes[0].limit, Limit::kUpstreamJsonDepth);
  }
  EXPECT_EQ(upstreams_.Asked("/config").size(), 1u);
  TikvCollector every_poll(upstreams_.Fetcher(kTikv), 1 << 20, ParseLimits{}, RelayRules{}, std::chrono::milliseconds(0));
  ASSERT_TRUE(every_poll.Collect(Clock::now() + std::chrono::seconds(5)).ok());
  ASSERT_TRUE(every_poll.Collect(Clock::now() + std::chrono::seconds(5)).ok());
  EXPECT_EQ(upstreams_.Asked("/config").size(), 3u);
}

TEST_F(TikvCollectorTest, ReadinessIsAbsentWhereTikvHasNoReadyEndpoint) {
  // Not scripted: the fake answers 404, as a TiKV without /ready does. That is not "down".
  StatusOr<std::shared_ptr<const TikvScrape>> scrape = Poll();
  ASSERT_TRUE(scrape.ok()) << scrape.status().message();
  EXPECT_FALSE((*scrape)->ready);
  EXPECT_EQ(upstreams_.Asked("/ready").size(), 1u);
}

TEST_F(TikvCollectorTest, ReadinessFollowsTheReadyEndpoint) {
  // upstreams §1: 200 when ready, 500 otherwise (body {"connected_to_pd": ..} only with ?verbose).
  upstreams_.Answer(kTikv, "/ready", "");
  StatusOr<std::shared_ptr<const TikvScrape>> ready = Poll();
  ASSERT_TRUE(ready.ok()) << ready.status().message();
  EXPECT_EQ((*ready)->ready, true);
  upstreams_.Answer(kTikv, "/ready", "", 500);
  StatusOr<std::shared_ptr<const TikvScrape>> not_ready = Poll();
  ASSERT_TRUE(not_ready.ok()) << not_ready.status().message();
  EXPECT_EQ((*not_ready)->ready, false) << "a TiKV not ready yet is still polled";
}

TEST_F(TikvCollectorTest, AFailedStatusStopsThePollBeforeMetrics) {
  upstreams_.Answer(kTikv, "/status", "overloaded", 503, "text/plain");
  StatusOr<std::shared_ptr<const TikvScrape>> scrape = Poll();
  ASSERT_FALSE(scrape.ok());
  EXPECT_NE(scrape.status().message().find("/status"), std::string::npos) << scrape.status().message();
  EXPECT_TRUE(upstreams_.Asked("/metrics").empty());
}

TEST_F(TikvCollectorTest, AnHtmlPageInsteadOfMetricsSaysSo) {
  upstreams_.Answer(kTikv, "/metrics", "<html>login</html>", 200, "text/html; charset=utf-8");
  StatusOr<std::shared_ptr<const TikvScrape>> scrape = Poll();
  ASSERT_FALSE(scrape.ok());
  EXPECT_NE(scrape.status().message().find("not the Prometheus text format (a proxy in between?)"),
            std::string::npos)
      << scrape.status().message();
}

TEST_F(TikvCollectorTest, AHungTikvFailsByTheDeadline) {
  upstreams_.Hang(kTikv);
  StatusOr<std::shared_ptr<const TikvScrape>> scrape = Poll();
  ASSERT_FALSE(scrape.ok());
  EXPECT_GE(Clock::now(), deadline_);
  EXPECT_LT(Clock::now(), deadline_ + std::chrono::seconds(2));
}

}  // namespace
}  // namespace tikv_exporter
