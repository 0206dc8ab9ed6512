// Framing an answer (server/http_reply.h): headers from the body's real size, its pieces sent as
// they are (shared, not copied), gzip when the client takes it and it gains.

#include "server/http_reply.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/unit/gunzip.h"

namespace tikv_exporter {
namespace {

std::string Head(const ReplyBytes& framed) { return *framed.front(); }

TEST(FrameReply, BodyPiecesAreSentAsTheyAreAfterTheHead) {
  HttpReply reply;
  auto big = std::make_shared<const std::string>(std::string(5000, 'a'));
  auto small = std::make_shared<const std::string>("b\n");
  reply.body_parts = {big, small};
  const ReplyBytes framed = FrameReply(reply, /*keep_alive=*/true, /*gzip_ok=*/false, /*head_only=*/false);
  ASSERT_EQ(framed.size(), 3u);
  EXPECT_EQ(framed[1].get(), big.get());
  EXPECT_EQ(framed[2].get(), small.get());
  EXPECT_NE(Head(framed).find("Content-Length: 5002\r\n"), std::string::npos) << Head(framed);
  EXPECT_EQ(Head(framed).find("Content-Encoding"), std::string::npos);
  EXPECT_TRUE(Head(framed).ends_with("\r\n\r\n"));
}

TEST(FrameReply, PiecesAreGzippedAsOneBodyWhenTheClientTakesGzip) {
  HttpReply reply;
  reply.body_parts = {std::make_shared<const std::string>(std::string(3000, 'x')),
                      std::make_shared<const std::string>(std::string(3000, 'y'))};
  const ReplyBytes framed = FrameReply(reply, true, /*gzip_ok=*/true, false);
  ASSERT_EQ(framed.size(), 2u);
  EXPECT_NE(Head(framed).find("Content-Encoding: gzip\r\n"), std::string::npos);
  EXPECT_NE(Head(framed).find("Content-Length: " + std::to_string(framed[1]->size()) + "\r\n"), std::string::npos);
  EXPECT_EQ(testing::GunzipOneMember(*framed[1]), std::string(3000, 'x') + std::string(3000, 'y'));
}

TEST(FrameReply, AGzippedFormGivenIsSentAndAHeadRequestGetsNoBody) {
  HttpReply reply;
  reply.body = "plain";
  reply.gzipped_body = "pretend-gzip";
  const ReplyBytes gzipped = FrameReply(reply, false, /*gzip_ok=*/true, false);
  ASSERT_EQ(gzipped.size(), 2u);
  EXPECT_EQ(*gzipped[1], "pretend-gzip");
  EXPECT_NE(Head(gzipped).find("Connection: close\r\n"), std::string::npos);
  const ReplyBytes plain = FrameReply(reply, false, /*gzip_ok=*/false, false);
  EXPECT_EQ(*plain[1], "plain");
  const ReplyBytes head_only = FrameReply(reply, false, false, /*head_only=*/true);
  ASSERT_EQ(head_only.size(), 1u);
  EXPECT_NE(Head(head_only).find("Content-Length: 5\r\n"), std::string::npos);
}

}  // namespace
}  // namespace tikv_exporter
