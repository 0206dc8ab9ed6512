// The exporter's self-instrumentation on prometheus-cpp, converted into our families.

#include <gtest/gtest.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/summary.h>

#include "exporter/client_families.h"
#include "exporter/self_instrumentation.h"
#include "prom/exposition_writer.h"
#include "tests/unit/exposition_checks.h"

namespace tikv_exporter {
namespace {

using testing::ValueOf;

TEST(SelfInstrumentation, CountsRequestsAndWhatIsInFlight) {
  SelfInstrumentation instrumentation;
  instrumentation.InFlight(1);
  instrumentation.InFlight(1);
  instrumentation.InFlight(-1);
  instrumentation.Observe("/metrics", 200);
  instrumentation.Observe("/metrics", 200);
  instrumentation.Observe("/no/such/path", 404);
  instrumentation.Observe("", 503);
  Families families;
  instrumentation.AppendTo(families);
  EXPECT_EQ(ValueOf(families, "tikv_exporter_http_requests_in_flight", "tikv_exporter_http_requests_in_flight{}"), 1);
  EXPECT_EQ(ValueOf(families, "tikv_exporter_http_requests_total",
                    "tikv_exporter_http_requests_total{code=\"200\",path=\"/metrics\"}"),
            2);
  EXPECT_EQ(ValueOf(families, "tikv_exporter_http_requests_total",
                    "tikv_exporter_http_requests_total{code=\"404\",path=\"other\"}"),
            1);
  EXPECT_EQ(ValueOf(families, "tikv_exporter_http_requests_total",
                    "tikv_exporter_http_requests_total{code=\"503\",path=\"other\"}"),
            1);
  ASSERT_NE(families.exposition().Find("process_open_fds"), nullptr);
  // promtool accepts all of it, and no series comes twice.
  testing::ExpectWellFormed(families);
}

TEST(ClientFamilies, HistogramsAndSummariesBecomeTheirSamples) {
  prometheus::Registry registry;
  auto& histogram = prometheus::BuildHistogram().Name("poll_seconds").Help("Polls.").Register(registry);
  prometheus::Histogram& polls = histogram.Add({{"source", "tikv"}}, prometheus::Histogram::BucketBoundaries{0.1, 1});
  polls.Observe(0.05);
  polls.Observe(0.5);
  polls.Observe(5);
  auto& summary = prometheus::BuildSummary().Name("size_bytes").Help("Sizes.").Register(registry);
  prometheus::Summary& sizes = summary.Add({}, prometheus::Summary::Quantiles{{0.5, 0.05}});
  sizes.Observe(10);
  Families families;
  AppendClientFamilies(registry.Collect(), families);
  const MetricFamily* found = families.exposition().Find("poll_seconds");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->type, MetricType::kHistogram);
  EXPECT_EQ(ValueOf(families, "poll_seconds", "poll_seconds_bucket{le=\"0.1\",source=\"tikv\"}"), 1);
  EXPECT_EQ(ValueOf(families, "poll_seconds", "poll_seconds_bucket{le=\"1\",source=\"tikv\"}"), 2);
  EXPECT_EQ(ValueOf(families, "poll_seconds", "poll_seconds_bucket{le=\"+Inf\",source=\"tikv\"}"), 3);
  EXPECT_EQ(ValueOf(families, "poll_seconds", "poll_seconds_sum{source=\"tikv\"}"), 5.55);
  EXPECT_EQ(ValueOf(families, "poll_seconds", "poll_seconds_count{source=\"tikv\"}"), 3);
  EXPECT_EQ(ValueOf(families, "size_bytes", "size_bytes{quantile=\"0.5\"}"), 10);
  EXPECT_EQ(ValueOf(families, "size_bytes", "size_bytes_count{}"), 1);
  testing::ExpectWellFormed(families);
}

}  // namespace
}  // namespace tikv_exporter
