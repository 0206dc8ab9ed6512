// tikv-sim's synthetic bodies for the scale benchmark (tools/tikv-sim/synthetic_body.h): about
// the series asked for, every family once, and as valid as the real dump they multiply.
#include "tools/tikv-sim/synthetic_body.h"

#include <gtest/gtest.h>

#include "prom/exposition_parser.h"
#include "tests/unit/test_files.h"

namespace tikv_exporter::testing {
namespace {

TEST(SyntheticBodyTest, MultipliesTheRealDumpIntoAValidBody) {
  const std::string base = ReadFile(Fixture("tikv-v5.3.0-alpha-metrics.prom"));
  StatusOr<ParseResult> real = ParseExposition(base);
  ASSERT_TRUE(real.ok()) << real.status().message();
  const size_t base_series = real->exposition.SampleCount();

  size_t series = 0;
  const std::string body = sim::SyntheticBody(base, 3 * base_series, &series);
  EXPECT_EQ(series, 3 * base_series);
  StatusOr<ParseResult> parsed = ParseExposition(body);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->exposition.SampleCount(), series);
  EXPECT_EQ(parsed->exposition.families().size(), real->exposition.families().size());
  EXPECT_NE(body.find("instance=\"tikv-2:20180\""), std::string::npos);
  EXPECT_EQ(body.find("instance=\"tikv-3:20180\""), std::string::npos);
}

TEST(SyntheticBodyTest, AddsTheLabelToSamplesWithAndWithoutLabels) {
  size_t series = 0;
  const std::string body = sim::SyntheticBody(
      "# TYPE a counter\na 1\n# TYPE b gauge\nb{} 2\n# TYPE c gauge\nc{x=\"1\"} 3\n", 6, &series);
  EXPECT_EQ(series, 6u);
  EXPECT_EQ(body,
            "# TYPE a counter\na{instance=\"tikv-0:20180\"} 1\na{instance=\"tikv-1:20180\"} 1\n"
            "# TYPE b gauge\nb{instance=\"tikv-0:20180\"} 2\nb{instance=\"tikv-1:20180\"} 2\n"
            "# TYPE c gauge\nc{instance=\"tikv-0:20180\",x=\"1\"} 3\n"
            "c{instance=\"tikv-1:20180\",x=\"1\"} 3\n");
}

}  // namespace
}  // namespace tikv_exporter::testing
