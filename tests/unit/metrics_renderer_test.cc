// /metrics as a whole: both formats, the relayed TiKV families, and never one series twice.

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <memory>
#include <string>

#include "common/limit_tracker.h"
#include "exporter/metrics_renderer.h"
#include "prom/exposition_parser.h"
#include "prom/exposition_writer.h"
#include "prom/openmetrics_writer.h"
#include "tests/unit/exposition_checks.h"
#include "tests/unit/openmetrics_check.h"

namespace tikv_exporter {
namespace {

// TiKV's own process series and one of its counters, selected for relay.
constexpr const char* kTikvRelayed =
    "# HELP process_open_fds Number of open file descriptors.\n"
    "# TYPE process_open_fds gauge\n"
    "process_open_fds 123\n"
    "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
    "# TYPE process_cpu_seconds_total counter\n"
    "process_cpu_seconds_total 99\n"
    "# HELP tikv_engine_flow_bytes Bytes and keys of read/written\n"
    "# TYPE tikv_engine_flow_bytes counter\n"
    "tikv_engine_flow_bytes{db=\"kv\",type=\"bytes_read\"} 42\n";

PollState StateWithRelay(bool tikv_up) {
  PollState state;
  state.snapshot.sources[Source::kTikv].up = tikv_up;
  auto scrape = std::make_shared<TikvScrapeSummary>();
  StatusOr<ParseResult> parsed = ParseExposition(kTikvRelayed);
  EXPECT_TRUE(parsed.ok());
  const Exposition relay = parsed->exposition.ToExposition();
  for (const MetricFamily& family : relay.families()) {
    RelayedFamily& relayed = scrape->relay.emplace_back();
    relayed.name = family.name;
    AppendFamily(family, &relayed.text);
    AppendOpenMetricsFamily(family, &relayed.openmetrics);
  }
  state.tikv = scrape;
  return state;
}

class MetricsRenderer : public ::testing::Test {
 protected:
  std::string Render(const PollState& state, ExpositionFormat format) {
    return RenderMetrics(state, BuildInfo{"1.2.3", "abc"}, SelfMetrics{&instrumentation_, &limits_, {}}, {}, format);
  }
  SelfInstrumentation instrumentation_;
  LimitTracker limits_;
};

TEST_F(MetricsRenderer, ARelayedFamilyTheExporterServesItselfIsLeftOut) {
  const std::string text = Render(StateWithRelay(true), ExpositionFormat::kText);
  StatusOr<ParseResult> parsed = ParseExposition(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  for (const ParseWarning& warning : parsed->warnings) ADD_FAILURE() << warning.message << "\n" << text;
  // The exporter's own process series, not TiKV's 123 and 99.
  const ParsedFamily* fds = parsed->exposition.Find("process_open_fds");
  ASSERT_NE(fds, nullptr);
  ASSERT_EQ(fds->samples.size(), 1u);
  EXPECT_NE(fds->samples[0].value, 123);
  const ParsedFamily* cpu = parsed->exposition.Find("process_cpu_seconds_total");
  ASSERT_NE(cpu, nullptr);
  EXPECT_NE(cpu->samples[0].value, 99);
  // What does not collide is relayed.
  ASSERT_NE(parsed->exposition.Find("tikv_engine_flow_bytes"), nullptr);
  // promtool has nothing to say about the exporter's own families; TiKV's counter without _total
  // is relayed as TiKV names it (docs/sources.md), and that is all it reports.
  std::string output;
  testing::PromtoolCheckMetrics(text, &output);
  size_t at = 0;
  while (at < output.size()) {
    const size_t end = output.find('\n', at);
    const std::string line = output.substr(at, end - at);
    at = end == std::string::npos ? output.size() : end + 1;
    if (!line.empty()) {
      EXPECT_EQ(line.rfind("tikv_engine_flow_bytes ", 0), 0u) << line;
    }
  }
}

TEST_F(MetricsRenderer, BothFormatsHoldTheSameSeries) {
  const PollState state = StateWithRelay(true);
  const std::string text = Render(state, ExpositionFormat::kText);
  const std::string openmetrics = Render(state, ExpositionFormat::kOpenMetrics);
  ASSERT_TRUE(openmetrics.ends_with("\n# EOF\n")) << openmetrics.substr(openmetrics.size() - 100);
  EXPECT_EQ(openmetrics.find("# EOF"), openmetrics.size() - 6) << "exactly one # EOF, at the end";
  std::string output;
  ASSERT_EQ(testing::PythonOpenMetricsCheck(openmetrics, &output), 0) << output << "\n" << openmetrics;
  // Series names (the text before the value) agree; values of the live process series may have
  // moved between the two renders, so only names and labels are compared.
  auto series = [](const std::string& body) {
    std::multiset<std::string> keys;
    size_t at = 0;
    while (at < body.size()) {
      const size_t end = body.find('\n', at);
      const std::string line = body.substr(at, end - at);
      at = end + 1;
      if (line.empty() || line[0] == '#') continue;
      const size_t close = line.rfind('}');
      keys.insert(line.substr(0, line.find(' ', close == std::string::npos ? 0 : close)));
    }
    return keys;
  };
  EXPECT_EQ(series(openmetrics), series(text));
  EXPECT_GE(series(text).count("process_resident_memory_bytes"), 1u);
  EXPECT_GE(series(text).count("tikv_engine_flow_bytes{db=\"kv\",type=\"bytes_read\"}"), 1u);
}

TEST_F(MetricsRenderer, NothingIsRelayedWhileTikvIsDown) {
  for (ExpositionFormat format : {ExpositionFormat::kText, ExpositionFormat::kOpenMetrics}) {
    const std::string body = Render(StateWithRelay(false), format);
    EXPECT_EQ(body.find("tikv_engine_flow_bytes"), std::string::npos);
    EXPECT_NE(body.find("process_open_fds"), std::string::npos);
  }
}

}  // namespace
}  // namespace tikv_exporter
