#include "server/basic_auth_header.h"

#include <string>

#include <gtest/gtest.h>

namespace tikv_exporter {
namespace {

std::string Error(std::string_view header) {
  StatusOr<BasicCredentials> decoded = DecodeBasicAuthorization(header);
  return decoded.ok() ? "decoded" : decoded.status().message();
}

void ExpectCredentials(std::string_view header, const std::string& user,
                       const std::string& password) {
  StatusOr<BasicCredentials> decoded = DecodeBasicAuthorization(header);
  ASSERT_TRUE(decoded.ok()) << header << ": " << decoded.status().message();
  EXPECT_EQ(decoded->user, user) << header;
  EXPECT_EQ(decoded->password, password) << header;
}

TEST(BasicAuthHeader, DecodesUserAndPassword) {
  ExpectCredentials("Basic YWxpY2U6Y29ycmVjdCBob3JzZQ==", "alice", "correct horse");
  // The scheme in any case (RFC 7617), any number of spaces, padding optional.
  ExpectCredentials("basic YWxpY2U6Y29ycmVjdCBob3JzZQ==", "alice", "correct horse");
  ExpectCredentials("BASIC   YWxpY2U6Y29ycmVjdCBob3JzZQ", "alice", "correct horse");
  // The split is at the first colon: a password may hold more; it may be empty.
  ExpectCredentials("Basic YTpiOmM=", "a", "b:c");              // a:b:c
  ExpectCredentials("Basic YTo=", "a", "");                     // a:
  ExpectCredentials("Basic w6k6w6k=", "\xc3\xa9", "\xc3\xa9");  // é:é in UTF-8
}

TEST(BasicAuthHeader, SaysWhyAHeaderHoldsNoCredentials) {
  EXPECT_EQ(Error(""), "no Authorization header");
  EXPECT_EQ(Error("Bearer abc"), "the Authorization scheme is not Basic");
  EXPECT_EQ(Error("Basic"), "the Authorization scheme is not Basic");
  EXPECT_EQ(Error("BasicYTpi"), "the Authorization scheme is not Basic");
  EXPECT_EQ(Error("Basic YTpi!"),
            "the credentials are not base64 (a byte outside its alphabet at offset 4)");
  EXPECT_EQ(Error("Basic YT=pi"),
            "the credentials are not base64 (a byte outside its alphabet at offset 2)");
  EXPECT_EQ(Error("Basic YTo==="), "the credentials' base64 padding is malformed");
  EXPECT_EQ(Error("Basic YTo"), "decoded");
  EXPECT_EQ(Error("Basic YTo=="), "the credentials' base64 padding is malformed");  // 5 characters
  EXPECT_EQ(Error("Basic YTpiY"), "the credentials' base64 text is truncated");
  EXPECT_EQ(Error("Basic "), "the credentials have no ':' between user and password");
  EXPECT_EQ(Error("Basic YWxpY2U="),
            "the credentials have no ':' between user and password");        // alice
  EXPECT_EQ(Error("Basic OnB3"), "the credentials' user name is empty");     // :pw
  EXPECT_EQ(Error("Basic YTpiAGM="), "the credentials contain a NUL byte");  // a:b\0c
  EXPECT_EQ(Error("Basic YQA6Yg=="), "the credentials contain a NUL byte");  // a\0:b
  EXPECT_EQ(Error("Basic " + std::string(kMaxAuthorizationBytes, 'A')),
            "the Authorization header has 4102 bytes, more than 4096");
}

}  // namespace
}  // namespace tikv_exporter
