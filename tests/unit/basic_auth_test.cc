#include "server/basic_auth.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace tikv_exporter {
namespace {

std::string Header(const std::string& user_colon_password) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : user_colon_password) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(kAlphabet[(bits >> count) & 63]);
    }
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 63]);
  while (out.size() % 4 != 0) out.push_back('=');
  return "Basic " + out;
}

class BasicAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StatusOr<std::string> hash = BcryptHash("correct horse", 6);  // a low cost keeps the test fast
    ASSERT_TRUE(hash.ok()) << hash.status().message();
    hash_ = *hash;
  }
  std::string hash_;
};

TEST_F(BasicAuthTest, HashesAreBcryptAndSalted) {
  EXPECT_TRUE(IsBcryptHash(hash_)) << hash_;
  EXPECT_TRUE(hash_.starts_with("$2b$06$"));
  EXPECT_NE(*BcryptHash("correct horse", 6), hash_) << "two hashes of one password must differ (salt)";
  EXPECT_FALSE(IsBcryptHash("$1$abc$defghijklmnop"));
  EXPECT_FALSE(IsBcryptHash("plain-text-password"));
  EXPECT_FALSE(IsBcryptHash(hash_.substr(0, 59)));
  EXPECT_FALSE(BcryptHash("x", 3).ok());
}

TEST_F(BasicAuthTest, OnlyTheRightUserAndPasswordPass) {
  BasicAuth auth({{"alice", hash_}});
  EXPECT_TRUE(auth.enabled());
  EXPECT_TRUE(auth.Check(Header("alice:correct horse")));
  EXPECT_FALSE(auth.Check(Header("alice:correct hors")));
  EXPECT_FALSE(auth.Check(Header("alice:correct horse ")));
  EXPECT_FALSE(auth.Check(Header("bob:correct horse")));
  EXPECT_FALSE(auth.Check(Header(":correct horse")));
  EXPECT_FALSE(auth.Check(""));
  EXPECT_FALSE(auth.Check("Bearer abc"));
  EXPECT_FALSE(auth.Check("Basic !!!not base64"));
  EXPECT_FALSE(auth.Check(Header("no colon at all")));
  EXPECT_FALSE(BasicAuth({}).enabled());
}

// A wrong password, or a user that does not exist, must cost a bcrypt comparison like the
// right one: otherwise response times tell an attacker which user names exist. Without the
// dummy comparison an unknown user takes microseconds against milliseconds, so the ratio
// bound below holds with a wide margin on a noisy machine.
TEST_F(BasicAuthTest, WrongPasswordsAndUnknownUsersCostTheSameTimeAsTheRightPassword) {
  StatusOr<std::string> costly = BcryptHash("correct horse", 9);
  ASSERT_TRUE(costly.ok());
  BasicAuth auth({{"alice", *costly}});
  auto median_ms = [&](const std::string& header) {
    std::vector<double> times;
    for (int i = 0; i < 5; ++i) {
      const auto start = std::chrono::steady_clock::now();
      auth.Check(header);
      times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[2];
  };
  const double right = median_ms(Header("alice:correct horse"));
  const double wrong = median_ms(Header("alice:wrong"));
  const double unknown = median_ms(Header("mallory:correct horse"));
  const double malformed = median_ms("Basic %%%");
  std::printf("bcrypt cost 9: right %.2f ms, wrong %.2f ms, unknown user %.2f ms, malformed %.2f ms\n", right, wrong,
              unknown, malformed);
  EXPECT_GT(wrong, right * 0.5);
  EXPECT_GT(unknown, right * 0.5);
  EXPECT_GT(malformed, right * 0.5);
}

}  // namespace
}  // namespace tikv_exporter
