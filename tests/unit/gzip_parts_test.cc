// gzip bodies joined from parts compressed apart (server/gzip_parts.h): one member that zlib
// reads back whole, its CRC and size checked.

#include "server/gzip_parts.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "tests/unit/gunzip.h"

namespace tikv_exporter {
namespace {

std::string Repeated(std::string_view line, int times) {
  std::string text;
  for (int i = 0; i < times; ++i) text.append(line).append(std::to_string(i)).append("\n");
  return text;
}

TEST(GzipParts, PartsCompressedApartReadBackAsTheirTextInOrder) {
  const std::string head = Repeated("tikv_exporter_pd_store_up{store=\"", 5000);
  const std::string middle = Repeated("tikv_exporter_http_requests_total{code=\"200\"} ", 20);
  const std::string tail = Repeated("tikv_engine_flow_bytes{db=\"kv\"} ", 3000);
  const std::optional<DeflatedPart> a = DeflatePart(head, false);
  const std::optional<DeflatedPart> b = DeflatePart(middle, false);
  const std::optional<DeflatedPart> c = DeflatePart(tail, true);
  ASSERT_TRUE(a && b && c);
  const std::string gzipped = JoinGzip({&*a, &*b, &*c});
  const std::optional<std::string> text = testing::GunzipOneMember(gzipped);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, head + middle + tail);
  EXPECT_LT(gzipped.size(), text->size() / 5);  // still compressed
}

TEST(GzipParts, EmptyPartsAnywhereAreAllowed) {
  const std::optional<DeflatedPart> empty_middle = DeflatePart("", false);
  const std::optional<DeflatedPart> head = DeflatePart("a 1\n", false);
  const std::optional<DeflatedPart> empty_last = DeflatePart("", true);
  ASSERT_TRUE(empty_middle && head && empty_last);
  const std::optional<std::string> text = testing::GunzipOneMember(JoinGzip({&*empty_middle, &*head, &*empty_last}));
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, "a 1\n");
}

TEST(GzipParts, ATrailerThatDoesNotMatchIsRefusedByZlib) {
  // The check above can fail: a part whose recorded CRC is not its text's makes zlib refuse.
  std::optional<DeflatedPart> head = DeflatePart("up 1\n", false);
  const std::optional<DeflatedPart> tail = DeflatePart("down 0\n", true);
  ASSERT_TRUE(head && tail);
  head->crc ^= 1;
  EXPECT_FALSE(testing::GunzipOneMember(JoinGzip({&*head, &*tail})).has_value());
}

TEST(GzipParts, GzipIsOnePartFinished) {
  const std::string text = Repeated("x ", 1000);
  const std::optional<std::string> back = testing::GunzipOneMember(Gzip(text));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, text);
}

}  // namespace
}  // namespace tikv_exporter
