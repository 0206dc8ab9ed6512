#include "server/basic_auth.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
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
  EXPECT_FALSE(BcryptHash("x", 15).ok());
  EXPECT_FALSE(BcryptHash(std::string("x\0y", 3), 4).ok());
}

std::string Message(std::string_view hash) { return ValidateBcryptHash(hash).message(); }

TEST_F(BasicAuthTest, HashesAreValidatedFully) {
  // exporter-toolkit's dummy hash ($2y$, from Go's bcrypt) and hashes of every cost allowed.
  EXPECT_TRUE(ValidateBcryptHash("$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi").ok());
  const std::string good = hash_;  // $2b$06$<salt><hash>
  for (const char* prefix : {"$2a$", "$2b$", "$2y$"}) EXPECT_TRUE(ValidateBcryptHash(prefix + good.substr(4)).ok());
  for (const char* cost : {"04", "10", "14"}) EXPECT_TRUE(ValidateBcryptHash("$2b$" + std::string(cost) + good.substr(6)).ok());

  // A cost-31 check takes days: the exporter would spin at start and never listen.
  EXPECT_NE(Message("$2b$31" + good.substr(6)).find("bcrypt cost 31 is outside 4..14"), std::string::npos)
      << Message("$2b$31" + good.substr(6));
  EXPECT_FALSE(ValidateBcryptHash("$2b$15" + good.substr(6)).ok());
  EXPECT_FALSE(ValidateBcryptHash("$2b$03" + good.substr(6)).ok());
  EXPECT_FALSE(ValidateBcryptHash("$2b$1a" + good.substr(6)).ok());
  EXPECT_FALSE(ValidateBcryptHash("$2b$10x" + good.substr(7)).ok());
  EXPECT_FALSE(ValidateBcryptHash("$2x$" + good.substr(4)).ok());
  EXPECT_FALSE(ValidateBcryptHash("$2$" + good.substr(4)).ok());
  EXPECT_FALSE(ValidateBcryptHash(good + "a").ok());

  // The salt (characters 7..28) and the hash (29..59) are in bcrypt's base64 alphabet.
  std::string bad = good;
  bad[10] = '!';
  EXPECT_NE(Message(bad).find("the salt has '!'"), std::string::npos) << Message(bad);
  bad = good;
  bad[40] = '+';
  EXPECT_NE(Message(bad).find("the hash part has '+'"), std::string::npos) << Message(bad);
  // Only . O e u can end a salt (its last character holds 2 bits), and the hash's last
  // character holds 4 bits: crypt(3) would write another character and never match.
  for (char c : {'.', 'O', 'e', 'u'}) {
    bad = good;
    bad[28] = c;
    EXPECT_TRUE(ValidateBcryptHash(bad).ok()) << bad;
  }
  for (char c : {'/', 'P', 'a', 'z', '9'}) {
    bad = good;
    bad[28] = c;
    EXPECT_NE(Message(bad).find("salt's last character"), std::string::npos) << bad;
  }
  bad = good;
  bad[59] = 'b';
  EXPECT_NE(Message(bad).find("hash part's last character"), std::string::npos) << bad;
}

TEST_F(BasicAuthTest, OnlyTheRightUserAndPasswordPass) {
  BasicAuth auth({{"alice", hash_}});
  EXPECT_TRUE(auth.enabled());
  EXPECT_EQ(auth.Check(Header("alice:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.Check(Header("alice:correct hors")), AuthResult::kDenied);
  EXPECT_EQ(auth.Check(Header("alice:correct horse ")), AuthResult::kDenied);
  EXPECT_EQ(auth.Check(Header("bob:correct horse")), AuthResult::kDenied);
  EXPECT_EQ(auth.Check(Header(":correct horse")), AuthResult::kDenied);
  EXPECT_EQ(auth.Check(""), AuthResult::kDenied);
  EXPECT_EQ(auth.Check("Bearer abc"), AuthResult::kDenied);
  EXPECT_EQ(auth.Check("Basic !!!not base64"), AuthResult::kDenied);
  EXPECT_EQ(auth.Check(Header("no colon at all")), AuthResult::kDenied);
  EXPECT_FALSE(BasicAuth({}).enabled());
}

// crypt(3) reads the password up to a NUL byte: "correct horse\0junk" hashes like
// "correct horse". Such a password is refused.
TEST_F(BasicAuthTest, APasswordWithANulByteIsRefused) {
  BasicAuth auth({{"alice", hash_}});
  EXPECT_EQ(auth.Check(Header(std::string("alice:correct horse\0junk", 24))), AuthResult::kDenied);
  EXPECT_EQ(auth.Check(Header(std::string("alice:correct horse\0", 20))), AuthResult::kDenied);
  EXPECT_EQ(auth.Check(Header("alice:correct horse")), AuthResult::kAllowed);
}

TEST_F(BasicAuthTest, ASuccessfulCheckIsCachedAndAFailedOneIsNot) {
  BasicAuth auth({{"alice", hash_}, {"bob", hash_}});
  EXPECT_EQ(auth.Check(Header("alice:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.bcrypt_runs(), 1u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(auth.Check(Header("alice:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.bcrypt_runs(), 1u) << "repeated scrapes must not pay bcrypt again";

  for (int i = 0; i < 3; ++i) EXPECT_EQ(auth.Check(Header("alice:wrong")), AuthResult::kDenied);
  EXPECT_EQ(auth.bcrypt_runs(), 4u) << "a wrong password is checked every time";
  for (int i = 0; i < 2; ++i) EXPECT_EQ(auth.Check(Header("mallory:correct horse")), AuthResult::kDenied);
  EXPECT_EQ(auth.bcrypt_runs(), 6u) << "an unknown user costs a bcrypt comparison every time";

  // Another user with the same password is a different entry.
  EXPECT_EQ(auth.Check(Header("bob:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.bcrypt_runs(), 7u);
}

TEST_F(BasicAuthTest, CachedChecksExpireAndTheCacheIsBounded) {
  BasicAuth::Options options;
  options.cache_ttl = std::chrono::milliseconds(200);
  options.max_cached = 2;
  BasicAuth auth({{"a", hash_}, {"b", hash_}, {"c", hash_}}, options);
  EXPECT_EQ(auth.Check(Header("a:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.Check(Header("a:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.bcrypt_runs(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(auth.Check(Header("a:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.bcrypt_runs(), 2u) << "expired after cache_ttl";

  // Two entries at most: b and c push a (the one expiring first) out.
  EXPECT_EQ(auth.Check(Header("b:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.Check(Header("c:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.bcrypt_runs(), 4u);
  EXPECT_EQ(auth.Check(Header("c:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.Check(Header("b:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.bcrypt_runs(), 4u);
  EXPECT_EQ(auth.Check(Header("a:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.bcrypt_runs(), 5u);
}

// One bcrypt comparison at a time: a check that needs one while another runs is answered "busy"
// at once, and a cached check still passes.
TEST_F(BasicAuthTest, WhileOneBcryptRunsAnotherCheckIsBusyAtOnceAndCachedChecksPass) {
  std::mutex mutex;
  std::condition_variable changed;
  bool inside = false;
  bool release = false;
  bool block = false;
  BasicAuth::Options options;
  options.on_bcrypt = [&] {
    std::unique_lock<std::mutex> lock(mutex);
    if (!block) return;
    inside = true;
    changed.notify_all();
    changed.wait(lock, [&] { return release; });
  };
  BasicAuth auth({{"alice", hash_}}, options);
  ASSERT_EQ(auth.Check(Header("alice:correct horse")), AuthResult::kAllowed);  // cached from now on
  {
    std::lock_guard<std::mutex> lock(mutex);
    block = true;
  }
  std::future<AuthResult> slow = std::async(std::launch::async, [&] { return auth.Check(Header("alice:wrong")); });
  {
    std::unique_lock<std::mutex> lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(10), [&] { return inside; }));
  }
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(auth.Check(Header("alice:wrong again")), AuthResult::kBusy);
  EXPECT_EQ(auth.Check(Header("mallory:x")), AuthResult::kBusy);
  EXPECT_EQ(auth.Check("Basic %%%"), AuthResult::kBusy);
  EXPECT_EQ(auth.Check(Header("alice:correct horse")), AuthResult::kAllowed) << "cached: no bcrypt needed";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  {
    std::lock_guard<std::mutex> lock(mutex);
    release = true;
    block = false;
  }
  changed.notify_all();
  EXPECT_EQ(slow.get(), AuthResult::kDenied);
  EXPECT_EQ(auth.Check(Header("alice:wrong again")), AuthResult::kDenied) << "the slot is free again";
  EXPECT_EQ(auth.bcrypt_runs(), 3u);
}

// Many threads at once: never two bcrypt comparisons at the same time.
TEST_F(BasicAuthTest, ConcurrentChecksRunOneBcryptAtATime) {
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  BasicAuth::Options options;
  options.on_bcrypt = [&] {
    const int now = ++running;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    --running;
  };
  BasicAuth auth({{"alice", hash_}}, options);
  std::atomic<int> busy{0};
  std::atomic<int> denied{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        const AuthResult result = auth.Check(Header("alice:wrong"));
        (result == AuthResult::kBusy ? busy : denied)++;
        EXPECT_NE(result, AuthResult::kAllowed);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(most.load(), 1);
  EXPECT_GT(busy.load(), 0);
  EXPECT_EQ(static_cast<uint64_t>(denied.load()), auth.bcrypt_runs());
}

// A wrong password, or a user that does not exist, must cost a bcrypt comparison like the
// right one: otherwise response times tell an attacker which user names exist. Without the
// dummy comparison an unknown user takes microseconds against milliseconds, so the ratio
// bound below holds with a wide margin on a noisy machine.
TEST_F(BasicAuthTest, WrongPasswordsAndUnknownUsersCostTheSameTimeAsTheRightPassword) {
  StatusOr<std::string> costly = BcryptHash("correct horse", 9);
  ASSERT_TRUE(costly.ok());
  BasicAuth::Options uncached;
  uncached.max_cached = 0;  // every check pays bcrypt, the right password too
  BasicAuth auth({{"alice", *costly}}, uncached);
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
