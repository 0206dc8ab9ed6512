#include "prom/relay_filter.h"

#include <gtest/gtest.h>

#include "prom/exposition_parser.h"
#include "tests/unit/test_files.h"

namespace tikv_exporter {
namespace {

TEST(GlobMatch, MatchesLikeAShell) {
  EXPECT_TRUE(GlobMatch("tikv_engine_*", "tikv_engine_size_bytes"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("tikv_?rpc_*_seconds", "tikv_grpc_msg_duration_seconds"));
  EXPECT_TRUE(GlobMatch("*size*", "tikv_store_size_bytes"));
  EXPECT_FALSE(GlobMatch("tikv_engine_*", "tikv_store_size_bytes"));
  EXPECT_FALSE(GlobMatch("tikv_engine", "tikv_engine_size_bytes"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXXbXX"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbXXc"));
}

ParsedExposition V53() {
  return std::move(ParseExposition(testing::ReadFile(testing::Fixture("tikv-v5.3.0-alpha-metrics.prom")))->exposition);
}

TEST(Relay, NothingWithoutAnAllowlist) { EXPECT_TRUE(FilterForRelay(V53(), RelayRules{}).families().empty()); }

TEST(Relay, AllowlistAndDenylistSelectFamilies) {
  RelayRules rules{{"tikv_engine_size_bytes", "tikv_grpc_*", "tikv_store_size_bytes"}, {"tikv_grpc_msg_fail_total"}, {}};
  Exposition relayed = FilterForRelay(V53(), rules);
  EXPECT_NE(relayed.Find("tikv_engine_size_bytes"), nullptr);
  EXPECT_NE(relayed.Find("tikv_grpc_msg_duration_seconds"), nullptr);
  EXPECT_EQ(relayed.Find("tikv_grpc_msg_fail_total"), nullptr);
  EXPECT_EQ(relayed.Find("tikv_engine_cache_efficiency"), nullptr);
  EXPECT_EQ(relayed.Find("tikv_grpc_msg_duration_seconds")->type, MetricType::kHistogram);
  EXPECT_EQ(relayed.Find("tikv_grpc_msg_duration_seconds")->samples.size(),
            V53().Find("tikv_grpc_msg_duration_seconds")->samples.size());
  EXPECT_EQ(relayed.Find("tikv_store_size_bytes")->samples.size(), 2u);
}

TEST(Relay, DroppedLabelsSumTheSeriesTheyMerge) {
  RelayRules rules{{"tikv_engine_size_bytes", "tikv_grpc_msg_duration_seconds"}, {}, {"type"}};
  Exposition relayed = FilterForRelay(V53(), rules);
  const MetricFamily* size = relayed.Find("tikv_engine_size_bytes");
  ASSERT_NE(size, nullptr);
  ASSERT_EQ(size->samples.size(), 2u);  // kv and raft
  EXPECT_EQ(size->samples[0].LabelValue("db"), "kv");
  EXPECT_EQ(size->samples[0].value, 589776 + 4075656 + 14716200 + 14871280);
  EXPECT_EQ(size->samples[1].value, 1180424);
  EXPECT_TRUE(size->samples[0].LabelValue("type").empty());
  // The histogram over all request types: one _count, one _sum and one series per bucket.
  const MetricFamily* grpc = relayed.Find("tikv_grpc_msg_duration_seconds");
  size_t counts = 0;
  for (const Sample& s : grpc->samples) counts += s.name == "tikv_grpc_msg_duration_seconds_count";
  EXPECT_EQ(counts, 1u);
}

TEST(Relay, ASeriesTiKVStopsExportingDisappears) {
  RelayRules rules{{"x_*"}, {}, {}};
  ParsedExposition before = std::move(ParseExposition("x_a 1\nx_b 2\n")->exposition);
  ParsedExposition after = std::move(ParseExposition("x_a 3\n")->exposition);
  EXPECT_NE(FilterForRelay(before, rules).Find("x_b"), nullptr);
  EXPECT_EQ(FilterForRelay(after, rules).Find("x_b"), nullptr);
}

}  // namespace
}  // namespace tikv_exporter
