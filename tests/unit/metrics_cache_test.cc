// /metrics from the cache (exporter/metrics_cache.h): a poll's part rendered once per poll,
// format and store_series, the exporter's own series fresh in every answer.

#include "exporter/metrics_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/limit_tracker.h"
#include "tests/unit/gunzip.h"

namespace tikv_exporter {
namespace {

class MetricsCacheTest : public ::testing::Test {
 protected:
  MetricsAnswer Answer(const std::shared_ptr<const PollState>& state, ExpositionFormat format = ExpositionFormat::kText,
                       StoreSeries store_series = StoreSeries::kWitnesses, bool gzip = false) {
    return cache_.Answer(state, SelfMetrics{&instrumentation_, &limits_, {}}, RenderOptions{store_series}, format, gzip);
  }
  static std::shared_ptr<const PollState> Poll(uint64_t polls_total) {
    auto state = std::make_shared<PollState>();
    state->polls_total = polls_total;
    return state;
  }
  SelfInstrumentation instrumentation_{"/nonexistent-procfs"};
  LimitTracker limits_;
  MetricsCache cache_{BuildInfo{"1.2.3", "abc"}};
};

// With 10,000 PD stores the poll's part is megabytes: scrapes send the cached bytes themselves.
TEST_F(MetricsCacheTest, ScrapesOfOnePollShareItsRenderedBytesInsteadOfCopyingThem) {
  const auto poll = Poll(1);
  const MetricsAnswer first = Answer(poll);
  const MetricsAnswer second = Answer(poll);
  ASSERT_EQ(first.text.size(), 3u);  // the poll's head, the exporter's own series, the poll's tail
  EXPECT_EQ(first.text.front().get(), second.text.front().get());
  EXPECT_EQ(first.text.back().get(), second.text.back().get());
  EXPECT_NE(first.text[1].get(), second.text[1].get()) << "the exporter's own series are fresh";
}

TEST_F(MetricsCacheTest, OnePollIsRenderedOnceHoweverOftenItIsScraped) {
  const auto poll = Poll(1);
  for (int scrape = 0; scrape < 5; ++scrape) Answer(poll);
  EXPECT_EQ(cache_.poll_renders(), 1u);
  Answer(Poll(2));
  EXPECT_EQ(cache_.poll_renders(), 2u);
}

TEST_F(MetricsCacheTest, EachFormatAndStoreSeriesChoiceIsItsOwnRendering) {
  const auto poll = Poll(1);
  const std::string text = Joined(Answer(poll).text);
  const std::string openmetrics = Joined(Answer(poll, ExpositionFormat::kOpenMetrics).text);
  EXPECT_EQ(cache_.poll_renders(), 2u);
  EXPECT_EQ(Joined(Answer(poll).text).find("# EOF"), std::string::npos);
  EXPECT_NE(openmetrics.find("# EOF"), std::string::npos);
  EXPECT_EQ(cache_.poll_renders(), 2u);  // both formats kept
  Answer(poll, ExpositionFormat::kText, StoreSeries::kAll);  // a reload changed store_series
  EXPECT_EQ(cache_.poll_renders(), 3u);
}

TEST_F(MetricsCacheTest, APollIsRenderedAfterItIsPublishedInTheFormatsScrapersAskFor) {
  const SelfMetrics self{&instrumentation_, &limits_, {}};
  cache_.Prepare(Poll(1), self, {});
  EXPECT_EQ(cache_.poll_renders(), 0u);  // nobody scrapes: nothing rendered
  Answer(Poll(1), ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(cache_.poll_renders(), 1u);
  const auto second = Poll(2);
  cache_.Prepare(second, self, {});
  EXPECT_EQ(cache_.poll_renders(), 2u);  // OpenMetrics only, as asked
  Answer(second, ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(cache_.poll_renders(), 2u);  // the scrape found it rendered
  cache_.Prepare(Poll(3), self, {});
  cache_.Prepare(Poll(4), self, {});
  EXPECT_EQ(cache_.poll_renders(), 3u);  // asked for once since the second poll, then not
}

TEST_F(MetricsCacheTest, TheExportersOwnSeriesAreFreshInEveryAnswer) {
  const auto poll = Poll(7);
  const std::string before = Joined(Answer(poll).text);
  instrumentation_.Observe("/metrics", 200);
  limits_.Hit(Limit::kGrpcWatchers, "test");
  const std::string after = Joined(Answer(poll).text);
  EXPECT_EQ(cache_.poll_renders(), 1u);
  EXPECT_EQ(before.find("tikv_exporter_http_requests_total{code=\"200\",path=\"/metrics\"} 1"), std::string::npos);
  EXPECT_NE(after.find("tikv_exporter_http_requests_total{code=\"200\",path=\"/metrics\"} 1"), std::string::npos)
      << after;
  EXPECT_NE(after.find("tikv_exporter_limit_hits_total{limit=\"grpc_watchers\"} 1"), std::string::npos) << after;
  // And the answer is what RenderMetrics says of the same poll at the same moment.
  EXPECT_EQ(after, RenderMetrics(*poll, BuildInfo{"1.2.3", "abc"}, SelfMetrics{&instrumentation_, &limits_, {}}));
}

TEST_F(MetricsCacheTest, TheGzipFormIsAskedForAndReadsBackAsTheText) {
  const auto poll = Poll(3);
  EXPECT_TRUE(Answer(poll).gzipped.empty());
  const std::string body = Joined(Answer(poll, ExpositionFormat::kOpenMetrics).text);
  const MetricsAnswer answer = Answer(poll, ExpositionFormat::kOpenMetrics, StoreSeries::kWitnesses, /*gzip=*/true);
  EXPECT_TRUE(answer.text.empty()) << "the text is not copied when the gzip form is sent";
  const std::optional<std::string> text = testing::GunzipOneMember(answer.gzipped);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, body);
}

}  // namespace
}  // namespace tikv_exporter
