// The pre-scan that bounds a JSON body's nesting and array sizes before protobuf parses it.

#include "collectors/json_shape.h"

#include <chrono>

#include <gtest/gtest.h>

#include "collectors/flat_json.h"

namespace tikv_exporter {
namespace {

TEST(JsonShape, CountsBracketsOutsideStringsOnly) {
  JsonShapeLimits limits;
  limits.max_depth = 3;
  limits.max_array_elements = 2;
  limits.array_limit = Limit::kPdStores;
  EXPECT_TRUE(CheckJsonShape(R"({"a":[{"b":1},{"c":"[[[[,,,"}]})", limits, "x").ok());
  EXPECT_TRUE(CheckJsonShape(R"({"a":"\"[[[[\\","b":[]})", limits, "x").ok());
  Status deep = CheckJsonShape(R"({"a":[[[1]]]})", limits, "TiKV /config");
  EXPECT_EQ(deep.limit(), Limit::kUpstreamJsonDepth);
  EXPECT_EQ(deep.message(), "TiKV /config: JSON nested deeper than 3 levels (at byte 7)");
  Status wide = CheckJsonShape(R"([1,[2,3],4])", limits, "PD /stores");
  EXPECT_EQ(wide.limit(), Limit::kPdStores);
  EXPECT_EQ(wide.message(), "PD /stores: an array of more than 2 elements (at byte 8)");
  // Unbounded arrays by default; malformed JSON is the parser's to report.
  EXPECT_TRUE(CheckJsonShape("[1,2,3,4,5]", JsonShapeLimits{}, "x").ok());
  EXPECT_TRUE(CheckJsonShape("]]}{\"", JsonShapeLimits{}, "x").ok());
}

// 200 KB of nested arrays in TiKV's /config kept protobuf's Struct parser busy for minutes (the
// TiKV source looked down); refused by the pre-scan, it costs one pass.
TEST(JsonShape, DeepArraysInAConfigAreRefusedAtOnce) {
  const std::string body =
      "{\"a\":" + std::string(200 * 1024, '[') + std::string(200 * 1024, ']') + "}";
  const auto start = std::chrono::steady_clock::now();
  StatusOr<FlatJson> config = FlattenJson(body, "TiKV /config");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().limit(), Limit::kUpstreamJsonDepth);
  EXPECT_EQ(config.status().message(),
            "TiKV /config: JSON nested deeper than 32 levels (at byte 36)");
  EXPECT_LT(seconds, 5) << "a generous bound: the scan stops at the 33rd bracket";
  // A real config's nesting passes.
  EXPECT_TRUE(
      FlattenJson(R"({"storage":{"block-cache":{"capacity":"1GiB"}},"x":[[1]]})", "TiKV /config")
          .ok());
}

}  // namespace
}  // namespace tikv_exporter
