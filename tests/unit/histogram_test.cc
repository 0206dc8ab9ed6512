#include "prom/histogram.h"

#include "prom/exposition_parser.h"

#include <gtest/gtest.h>

#include <limits>
#include <map>

namespace tikv_exporter {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

Histogram Make(std::vector<std::pair<double, double>> buckets, double sum) {
  Histogram h;
  for (auto [le, count] : buckets) h.buckets.push_back({le, count});
  h.count = h.buckets.back().cumulative_count;
  h.sum = sum;
  return h;
}

TEST(HistogramQuantile, InterpolatesLikePromQL) {
  // 100 observations <= 1, 100 in (1, 2], 100 in (2, 4].
  Histogram h = Make({{1, 100}, {2, 200}, {4, 300}, {kInf, 300}}, 0);
  EXPECT_DOUBLE_EQ(*HistogramQuantile(0.5, h), 1.5);    // rank 150: 1 + 1 * 50/100
  EXPECT_DOUBLE_EQ(*HistogramQuantile(0.95, h), 3.7);   // rank 285: 2 + 2 * 85/100
  EXPECT_DOUBLE_EQ(*HistogramQuantile(0.99, h), 3.94);  // rank 297
  EXPECT_DOUBLE_EQ(*HistogramQuantile(0.1, h), 0.3);    // first bucket starts at 0
  EXPECT_DOUBLE_EQ(*HistogramQuantile(0, h), 0);
}

TEST(HistogramQuantile, ReturnsTheHighestFiniteBoundForTheInfBucket) {
  Histogram h = Make({{1, 10}, {2, 10}, {kInf, 20}}, 0);
  EXPECT_DOUBLE_EQ(*HistogramQuantile(0.99, h), 2);
}

TEST(HistogramQuantile, HasNoAnswerWithoutObservationsOrInfBucket) {
  EXPECT_FALSE(HistogramQuantile(0.5, Make({{1, 0}, {kInf, 0}}, 0)).has_value());
  EXPECT_FALSE(HistogramQuantile(0.5, Make({{1, 5}, {2, 5}}, 0)).has_value());
  EXPECT_FALSE(HistogramQuantile(0.5, Histogram{}).has_value());
}

TEST(HistogramIncrease, SubtractsBucketByBucket) {
  Histogram before = Make({{1, 10}, {2, 20}, {kInf, 20}}, 5);
  Histogram after = Make({{1, 15}, {2, 40}, {kInf, 41}}, 12);
  Histogram inc = HistogramIncrease(before, after);
  EXPECT_EQ(inc.buckets[0].cumulative_count, 5);
  EXPECT_EQ(inc.buckets[1].cumulative_count, 20);
  EXPECT_EQ(inc.buckets[2].cumulative_count, 21);
  EXPECT_EQ(inc.count, 21);
  EXPECT_EQ(inc.sum, 7);
}

TEST(HistogramIncrease, TreatsADecreaseAsARestart) {
  Histogram before = Make({{1, 100}, {kInf, 200}}, 50);
  Histogram after = Make({{1, 3}, {kInf, 4}}, 1);
  Histogram inc = HistogramIncrease(before, after);
  EXPECT_EQ(inc.count, 4);
  EXPECT_EQ(inc.sum, 1);
  EXPECT_EQ(inc.buckets[0].cumulative_count, 3);
}

TEST(CounterIncrease, NeverGoesNegative) {
  EXPECT_EQ(CounterIncrease(10, 15), 5);
  EXPECT_EQ(CounterIncrease(10, 3), 3);
  EXPECT_EQ(CounterIncrease(0, 0), 0);
}

TEST(Histogram, AddMergesBucketsByBound) {
  Histogram a = Make({{1, 1}, {kInf, 2}}, 1);
  a.Add(Make({{1, 3}, {2, 4}, {kInf, 5}}, 2));
  ASSERT_EQ(a.buckets.size(), 3u);
  EXPECT_EQ(a.buckets[0].cumulative_count, 4);
  EXPECT_EQ(a.buckets[1].upper_bound, 2);
  EXPECT_EQ(a.buckets[2].cumulative_count, 7);
  EXPECT_EQ(a.count, 7);
  EXPECT_EQ(a.sum, 3);
}

// The text format allows Inf in any case and a leading +: a bucket the parser accepts must not be
// lost by the quantile maths (it was, with a second, stricter parser of `le`).
TEST(HistogramsByLabel, BoundsWrittenAnyWayThePrometheusFormatAllowsGiveTheSameQuantiles) {
  auto quantile_of = [](const std::string& inf, const std::string& one) {
    const std::string text = "# TYPE d histogram\nd_bucket{le=\"0.5\"} 10\nd_bucket{le=\"" + one +
                             "\"} 30\nd_bucket{le=\"" + inf + "\"} 40\nd_sum 20\nd_count 40\n";
    StatusOr<ParseResult> parsed = ParseExposition(text);
    EXPECT_TRUE(parsed.ok()) << parsed.status().message();
    auto histograms = HistogramsByLabel(parsed->exposition, "d", "");
    EXPECT_EQ(histograms.size(), 1u);
    return histograms.empty() ? std::nullopt : HistogramQuantile(0.5, histograms.front().second);
  };
  const std::optional<double> canonical = quantile_of("+Inf", "1");
  ASSERT_TRUE(canonical.has_value());
  EXPECT_DOUBLE_EQ(*canonical, 0.75);
  EXPECT_EQ(quantile_of("+INF", "1"), canonical);
  EXPECT_EQ(quantile_of("inf", "+1"), canonical);
  EXPECT_EQ(quantile_of("Infinity", "1.0e0"), canonical);
}

// Series of one family may list different bounds, in any order and spelling the format allows:
// each bucket lands under its own bound whatever the series before it listed.
TEST(HistogramsByLabel, EachSeriesBoundsAreItsOwnWhateverTheOrderOfTheOthers) {
  const std::string text =
      "# TYPE d histogram\n"
      "d_bucket{type=\"a\",le=\"0.5\"} 1\nd_bucket{type=\"a\",le=\"1\"} 2\nd_bucket{type=\"a\",le=\"+Inf\"} 3\n"
      "d_bucket{type=\"b\",le=\"1\"} 20\nd_bucket{type=\"b\",le=\"+Inf\"} 30\nd_bucket{type=\"b\",le=\"0.5\"} 10\n"
      "d_bucket{type=\"c\",le=\"0.25\"} 100\nd_bucket{type=\"c\",le=\"1.0\"} 200\nd_bucket{type=\"c\",le=\"+Inf\"} 300\n"
      "d_bucket{type=\"a\",le=\"2\",zone=\"z\"} 1000\n";
  StatusOr<ParseResult> parsed = ParseExposition(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  std::map<std::string, std::vector<std::pair<double, double>>> got;
  for (const auto& [type, histogram] : HistogramsByLabel(parsed->exposition, "d", "type")) {
    for (const Histogram::Bucket& bucket : histogram.buckets) got[type].push_back({bucket.upper_bound, bucket.cumulative_count});
  }
  using Buckets = std::vector<std::pair<double, double>>;
  EXPECT_EQ(got["a"], (Buckets{{0.5, 1}, {1, 2}, {2, 1000}, {kInf, 3}}));
  EXPECT_EQ(got["b"], (Buckets{{0.5, 10}, {1, 20}, {kInf, 30}}));
  EXPECT_EQ(got["c"], (Buckets{{0.25, 100}, {1, 200}, {kInf, 300}})) << "\"1.0\" and \"1\" are one bound";
}

}  // namespace
}  // namespace tikv_exporter
