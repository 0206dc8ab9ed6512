// The OpenMetrics writer: the same series as the text format, in a body the official client's
// strict OpenMetrics parser accepts.

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "prom/exposition_parser.h"
#include "prom/exposition_writer.h"
#include "prom/openmetrics_writer.h"
#include "tests/unit/openmetrics_check.h"

namespace tikv_exporter {
namespace {

// A body with every family type, a counter without _total (as TiKV has), a HELP with quotes, a
// backslash and a newline, escaped label values and a timestamp.
constexpr const char* kText =
    "# HELP requests_total Requests \"served\", by \\ path\\nsecond line.\n"
    "# TYPE requests_total counter\n"
    "requests_total{path=\"/a\\\"b\\\\c\"} 3\n"
    "requests_total{path=\"/x\\ny\"} 4\n"
    "# HELP tikv_engine_flow_bytes A TiKV counter without the suffix.\n"
    "# TYPE tikv_engine_flow_bytes counter\n"
    "tikv_engine_flow_bytes{db=\"kv\"} 12345\n"
    "# TYPE temperature gauge\n"
    "temperature -1.5 1700000000123\n"
    "# TYPE mystery untyped\n"
    "mystery NaN\n"
    "# HELP latency_seconds Latency.\n"
    "# TYPE latency_seconds histogram\n"
    "latency_seconds_bucket{le=\"0.1\"} 1\n"
    "latency_seconds_bucket{le=\"+Inf\"} 2\n"
    "latency_seconds_sum 0.35\n"
    "latency_seconds_count 2\n"
    "# TYPE quantiles_seconds summary\n"
    "quantiles_seconds{quantile=\"0.99\"} 0.2\n"
    "quantiles_seconds_sum 1\n"
    "quantiles_seconds_count 10\n";

Exposition Parsed(const std::string& text) {
  StatusOr<ParseResult> parsed = ParseExposition(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed.ok() ? parsed->exposition.ToExposition() : Exposition();
}

// The sample lines of a body (no comments), which name the series and their values.
std::multiset<std::string> SampleLines(const std::string& body, bool strip_timestamps) {
  std::multiset<std::string> lines;
  size_t at = 0;
  while (at < body.size()) {
    size_t end = body.find('\n', at);
    if (end == std::string::npos) end = body.size();
    std::string line = body.substr(at, end - at);
    at = end + 1;
    if (line.empty() || line[0] == '#') continue;
    const size_t close = line.rfind('}');
    const size_t value = line.find(' ', close == std::string::npos ? 0 : close);
    if (strip_timestamps) line = line.substr(0, line.find(' ', value + 1));
    lines.insert(line);
  }
  return lines;
}

TEST(OpenMetricsWriter, TheOfficialParserAcceptsIt) {
  const std::string body = WriteOpenMetrics(Parsed(kText)) + "# EOF\n";
  std::string output;
  ASSERT_EQ(testing::PythonOpenMetricsCheck(body, &output), 0) << output << "\n" << body;
  // The counter is announced without _total, its samples keep it; the others keep their types.
  EXPECT_NE(output.find("requests counter 2"), std::string::npos) << output;
  EXPECT_NE(output.find("tikv_engine_flow_bytes unknown 1"), std::string::npos) << output;
  EXPECT_NE(output.find("mystery unknown 1"), std::string::npos) << output;
  EXPECT_NE(output.find("latency_seconds histogram 4"), std::string::npos) << output;
  EXPECT_NE(output.find("quantiles_seconds summary 3"), std::string::npos) << output;
}

TEST(OpenMetricsWriter, WritesTheSameSeriesAsTheTextFormat) {
  const Exposition exposition = Parsed(kText);
  const std::string text = WriteExposition(exposition);
  const std::string openmetrics = WriteOpenMetrics(exposition);
  // Timestamps differ in unit (ms / s); everything else on a sample line is the same.
  EXPECT_EQ(SampleLines(openmetrics, true), SampleLines(text, true)) << openmetrics;
  EXPECT_EQ(SampleLines(text, true).size(), exposition.SampleCount());
}

TEST(OpenMetricsWriter, MetadataFollowsTheSpec) {
  const std::string body = WriteOpenMetrics(Parsed(kText));
  EXPECT_NE(body.find("# TYPE requests counter\n"), std::string::npos) << body;
  EXPECT_NE(body.find("# TYPE tikv_engine_flow_bytes unknown\n"), std::string::npos) << body;
  EXPECT_NE(body.find("# TYPE mystery unknown\n"), std::string::npos) << body;
  // OpenMetrics escapes double quotes in HELP too (the text format does not).
  EXPECT_NE(body.find("# HELP requests Requests \\\"served\\\", by \\\\ path\\nsecond line.\n"), std::string::npos)
      << body;
  // Seconds, exactly: 1700000000123 ms.
  EXPECT_NE(body.find("temperature -1.5 1700000000.123\n"), std::string::npos) << body;
  EXPECT_EQ(body.find("# EOF"), std::string::npos) << "the caller closes the body";
}

TEST(OpenMetricsWriter, TimestampsInSecondsKeepEveryMillisecond) {
  for (const auto& [ms, seconds] : std::vector<std::pair<int64_t, std::string>>{
           {0, "0"}, {5, "0.005"}, {1000, "1"}, {1500, "1.5"}, {-1500, "-1.5"}, {1700000000010, "1700000000.01"}}) {
    Exposition exposition;
    MetricFamily& family = exposition.FindOrAdd("g");
    family.type = MetricType::kGauge;
    family.samples.push_back(Sample{"g", {}, 1, ms});
    EXPECT_EQ(WriteOpenMetrics(exposition), "# TYPE g gauge\ng 1 " + seconds + "\n") << ms;
  }
}

TEST(OpenMetricsWriter, EmptyFamiliesAndInvalidUtf8) {
  Exposition exposition;
  exposition.FindOrAdd("empty").type = MetricType::kGauge;
  MetricFamily& family = exposition.FindOrAdd("bad");
  family.type = MetricType::kGauge;
  family.help = "bad \xff help";
  family.samples.push_back(Sample{"bad", {{"l", "v\xc3"}}, 1, std::nullopt});
  const std::string body = WriteOpenMetrics(exposition);
  EXPECT_EQ(body.find("empty"), std::string::npos);
  std::string output;
  EXPECT_EQ(testing::PythonOpenMetricsCheck(body + "# EOF\n", &output), 0) << output << body;
  EXPECT_NE(body.find("\xef\xbf\xbd"), std::string::npos) << "ill-formed UTF-8 becomes U+FFFD";
}

}  // namespace
}  // namespace tikv_exporter
