#include "collectors/json_repair.h"

#include <gtest/gtest.h>

#include <string>

#include "collectors/flat_json.h"
#include "collectors/pd/pd_json.h"
#include "common/utf8.h"

namespace tikv_exporter {
namespace {

const std::string kR(kReplacementCharacter);

struct RepairCase {
  const char* name;
  std::string json;
  std::string repaired;  // "" = left alone
};

void PrintTo(const RepairCase& c, std::ostream* out) { *out << c.name; }

class JsonRepair : public ::testing::TestWithParam<RepairCase> {};

TEST_P(JsonRepair, ReplacesOnlyWhatProtobufRejects) {
  const RepairCase& c = GetParam();
  std::string storage;
  const std::string_view repaired = RepairJsonUtf8(c.json, &storage);
  if (c.repaired.empty()) {
    EXPECT_EQ(repaired.data(), c.json.data()) << "a body that needs no repair must not be copied";
  } else {
    EXPECT_EQ(repaired, c.repaired);
  }
  EXPECT_TRUE(IsValidUtf8(repaired));
}

INSTANTIATE_TEST_SUITE_P(
    Table, JsonRepair,
    ::testing::Values(
        RepairCase{"plain", R"({"version":"8.1.0","n":[1,2]})", ""},
        RepairCase{"valid_utf8", "{\"zone\":\"\xE6\x97\xA5\"}", ""},
        RepairCase{"valid_pair", R"({"e":"\ud83d\ude00 \uD83D\uDE00"})", ""},
        RepairCase{"bmp_escapes", R"({"e":"\u00e9\uffff\u0000"})", ""},
        RepairCase{"escaped_backslash_then_text", R"({"e":"\\ud800"})", ""},
        RepairCase{"short_escape_left_to_the_parser", R"({"e":"\ud8"})", ""},
        RepairCase{"raw_bytes", "{\"v\":\"\xFF\xC0\x80\xED\xA0\x80\"}", "{\"v\":\"" + kR + kR + kR + kR + kR + kR + "\"}"},
        RepairCase{"truncated_at_end", "{\"v\":\"a\xE2\x82", "{\"v\":\"a" + kR},
        RepairCase{"lone_high", R"({"v":"a\ud800b"})", R"({"v":"a\ufffdb"})"},
        RepairCase{"lone_high_upper_case", R"({"v":"\uD800"})", R"({"v":"\ufffd"})"},
        RepairCase{"lone_low", R"({"v":"\udc00"})", R"({"v":"\ufffd"})"},
        RepairCase{"high_then_non_surrogate", R"({"v":"\ud800\u0041"})", R"({"v":"\ufffd\u0041"})"},
        RepairCase{"high_then_high_then_low", R"({"v":"\ud800\ud83d\ude00"})", R"({"v":"\ufffd\ud83d\ude00"})"},
        RepairCase{"low_then_high", R"({"v":"\udc00\ud800"})", R"({"v":"\ufffd\ufffd"})"},
        RepairCase{"in_a_key", "{\"k\xFF\\udfff\":1}", "{\"k" + kR + "\\ufffd\":1}"}));

TEST(JsonRepair, RepairedBodiesDecodeInsteadOfFailing) {
  StatusOr<std::string> version = ParsePdVersion("{\"version\":\"v8.1.0\xFF\\ud800\"}");
  ASSERT_TRUE(version.ok()) << version.status().message();
  EXPECT_EQ(*version, "v8.1.0" + kR + kR);

  StatusOr<std::vector<PdStore>> stores = ParsePdStores(
      "{\"count\":1,\"stores\":[{\"store\":{\"id\":1,\"address\":\"tikv-\xC0\x80:20160\",\"version\":\"\\udc00"
      "8.1.0\",\"labels\":[{\"key\":\"engine\",\"value\":\"tikv\xED\xA0\x80\"}]},\"status\":{}}]}");
  ASSERT_TRUE(stores.ok()) << stores.status().message();
  ASSERT_EQ(stores->size(), 1u);
  EXPECT_EQ((*stores)[0].address, "tikv-" + kR + kR + ":20160");
  EXPECT_EQ((*stores)[0].version, kR + "8.1.0");
  EXPECT_EQ((*stores)[0].engine, "tikv" + kR + kR + kR);

  StatusOr<FlatJson> config = FlattenJson("{\"server\":{\"labels\":\"zone-\xFF\",\"x\\ud800\":\"1\"}}", "TiKV /config");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->at("server.labels"), "zone-" + kR);
  EXPECT_EQ(config->at("server.x" + kR), "1");
}

TEST(JsonRepair, ErrorsOfMalformedBodiesAreValidUtf8) {
  // protobuf quotes 20 bytes either side of the error: here that cuts a character in two.
  std::string body = "{\"version\":\"";
  for (int i = 0; i < 8; ++i) body += "\xE6\x97\xA5";
  StatusOr<std::string> version = ParsePdVersion(body + "\"  ]");
  ASSERT_FALSE(version.ok());
  EXPECT_TRUE(IsValidUtf8(version.status().message())) << version.status().message();
  EXPECT_NE(version.status().message().find("PD /status: malformed JSON"), std::string::npos);
}

}  // namespace
}  // namespace tikv_exporter
