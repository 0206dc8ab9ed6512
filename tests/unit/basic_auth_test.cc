#include "server/basic_auth.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "server/basic_auth_header.h"

namespace tikv_exporter {
namespace {

std::string Header(const std::string& user_colon_password) { return EncodeBasicAuthorization(user_colon_password); }

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

// A header without usable Basic credentials says nothing about any user: it is denied at once
// and never takes the bcrypt slot, so credential-less clients cannot queue ahead of a scraper.
TEST_F(BasicAuthTest, NoCredentialsAreDeniedWithoutBcrypt) {
  BasicAuth auth({{"alice", hash_}});
  const std::string headers[] = {"",
                                 "Bearer abc",
                                 "Digest username=\"alice\"",
                                 "Basic",
                                 "Basic ",
                                 "Basicx " + Header("alice:x").substr(6),
                                 "Basic !!!not base64",
                                 "Basic YWxpY2U6eA===",
                                 Header("no colon at all"),
                                 Header(":correct horse"),
                                 Header(std::string("alice:correct horse\0junk", 24)),
                                 "Basic " + std::string(kMaxAuthorizationBytes, 'A')};
  for (const std::string& header : headers) EXPECT_EQ(auth.Check(header), AuthResult::kDenied) << header;
  std::printf("bcrypt comparisons for %zu headers without usable credentials: %llu\n", std::size(headers),
              static_cast<unsigned long long>(auth.bcrypt_runs()));
  EXPECT_EQ(auth.bcrypt_runs(), 0u);
  EXPECT_EQ(auth.Check(Header("alice:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.bcrypt_runs(), 1u);
}

TEST_F(BasicAuthTest, SuccessesAndFailuresAreCached) {
  BasicAuth auth({{"alice", hash_}, {"bob", hash_}});
  EXPECT_EQ(auth.Check(Header("alice:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.bcrypt_runs(), 1u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(auth.Check(Header("alice:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.bcrypt_runs(), 1u) << "repeated scrapes must not pay bcrypt again";

  for (int i = 0; i < 3; ++i) EXPECT_EQ(auth.Check(Header("alice:wrong")), AuthResult::kDenied);
  EXPECT_EQ(auth.bcrypt_runs(), 2u) << "a repeated wrong password is checked once";
  for (int i = 0; i < 2; ++i) EXPECT_EQ(auth.Check(Header("mallory:correct horse")), AuthResult::kDenied);
  EXPECT_EQ(auth.bcrypt_runs(), 3u) << "an unknown user costs one bcrypt comparison, like a known one";

  // Another user with the same password is a different entry.
  EXPECT_EQ(auth.Check(Header("bob:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.bcrypt_runs(), 4u);
}

// A steady clock the test moves by hand.
struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
  std::function<std::chrono::steady_clock::time_point()> Reader() {
    return [this] { return now; };
  }
};

// A scraper that comes back within the TTL keeps its entry for as long as it scrapes: each hit
// moves the expiry. Before, an entry expired a minute after it was stored, in use or not.
TEST_F(BasicAuthTest, ASuccessSlidesOnUseAndExpiresWhenIdle) {
  FakeClock clock;
  BasicAuth::Options options;
  options.cache_ttl = std::chrono::seconds(60);
  options.now = clock.Reader();
  BasicAuth auth({{"alice", hash_}}, options);
  for (int scrape = 0; scrape < 20; ++scrape) {  // 20 scrapes 15 s apart: 5 minutes
    EXPECT_EQ(auth.Check(Header("alice:correct horse")), AuthResult::kAllowed);
    clock.now += std::chrono::seconds(15);
  }
  std::printf("bcrypt comparisons for 20 scrapes over 5 minutes: %llu\n",
              static_cast<unsigned long long>(auth.bcrypt_runs()));
  EXPECT_EQ(auth.bcrypt_runs(), 1u);
  clock.now += std::chrono::seconds(46);  // 61 s idle since the last hit
  EXPECT_EQ(auth.Check(Header("alice:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.bcrypt_runs(), 2u) << "idle past cache_ttl: checked again";
}

TEST_F(BasicAuthTest, TheSuccessCacheIsBounded) {
  FakeClock clock;
  BasicAuth::Options options;
  options.max_cached = 2;
  options.now = clock.Reader();
  BasicAuth auth({{"a", hash_}, {"b", hash_}, {"c", hash_}}, options);
  // Two entries at most: when c comes, a (the one expiring first) goes.
  for (const char* user : {"a", "b", "c"}) {
    EXPECT_EQ(auth.Check(Header(std::string(user) + ":correct horse")), AuthResult::kAllowed);
    clock.now += std::chrono::seconds(1);
  }
  EXPECT_EQ(auth.bcrypt_runs(), 3u);
  EXPECT_EQ(auth.Check(Header("c:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.Check(Header("b:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.bcrypt_runs(), 3u);
  EXPECT_EQ(auth.Check(Header("a:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.bcrypt_runs(), 4u);
}

// A flood of one wrong password costs one bcrypt comparison per failure_ttl (exporter-toolkit
// caches failures too); the failure cache is bounded like the success cache and never evicts a
// success.
TEST_F(BasicAuthTest, AFailureIsRememberedForFailureTtl) {
  FakeClock clock;
  BasicAuth::Options options;
  options.failure_ttl = std::chrono::seconds(10);
  options.max_failures_cached = 2;
  options.now = clock.Reader();
  BasicAuth auth({{"alice", hash_}}, options);
  ASSERT_EQ(auth.Check(Header("alice:correct horse")), AuthResult::kAllowed);
  for (int i = 0; i < 100; ++i) {  // 100 tries over 9.9 s
    EXPECT_EQ(auth.Check(Header("alice:wrong")), AuthResult::kDenied);
    clock.now += std::chrono::milliseconds(99);
  }
  std::printf("bcrypt comparisons for 100 tries of one wrong password in 9.9 s: %llu\n",
              static_cast<unsigned long long>(auth.bcrypt_runs() - 1));
  EXPECT_EQ(auth.bcrypt_runs(), 2u);
  clock.now += std::chrono::milliseconds(200);  // 10.1 s after its check: a failure does not slide
  EXPECT_EQ(auth.Check(Header("alice:wrong")), AuthResult::kDenied);
  EXPECT_EQ(auth.bcrypt_runs(), 3u);

  // Two failures at most; many wrong passwords push each other out, never the success.
  for (const char* password : {"w1", "w2", "w3", "w4"}) {
    clock.now += std::chrono::milliseconds(1);  // the one expiring soonest goes: w1 before w2
    EXPECT_EQ(auth.Check(Header(std::string("alice:") + password)), AuthResult::kDenied);
  }
  EXPECT_EQ(auth.bcrypt_runs(), 7u);
  EXPECT_EQ(auth.Check(Header("alice:w1")), AuthResult::kDenied);
  EXPECT_EQ(auth.bcrypt_runs(), 8u) << "w1 was pushed out by w3 and w4";
  EXPECT_EQ(auth.Check(Header("alice:correct horse")), AuthResult::kAllowed);
  EXPECT_EQ(auth.bcrypt_runs(), 8u);
}

// Holds the first bcrypt comparison inside on_bcrypt until Release(), and records which
// numbered check each comparison belongs to (the number the calling thread set).
class BcryptGate {
 public:
  BasicAuth::Options Options() {
    BasicAuth::Options options;
    options.on_bcrypt = [this] {
      std::unique_lock<std::mutex> lock(mutex_);
      order_.push_back(current_check);
      if (!block_) return;
      block_ = false;
      inside_ = true;
      changed_.notify_all();
      changed_.wait(lock, [this] { return released_; });
    };
    return options;
  }
  void BlockNext() {
    std::lock_guard<std::mutex> lock(mutex_);
    block_ = true;
  }
  bool WaitInside() {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(30), [this] { return inside_; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  // Releases at the end of the scope it is declared in: declared after the futures of the checks,
  // a failed ASSERT cannot leave them blocked in their destructors.
  struct ReleaseAtExit {
    BcryptGate& gate;
    ~ReleaseAtExit() { gate.Release(); }
  };
  std::vector<int> order() {
    std::lock_guard<std::mutex> lock(mutex_);
    return order_;
  }
  static thread_local int current_check;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool block_ = false, inside_ = false, released_ = false;
  std::vector<int> order_;
};
thread_local int BcryptGate::current_check = -1;

// Waits until `count` checks wait for the bcrypt slot; false when `check` was answered without
// waiting (or after 30 s).
bool WaitForWaiting(const BasicAuth& auth, size_t count, const std::future<AuthResult>& check) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (auth.bcrypt_waiting() != count) {
    if (std::chrono::steady_clock::now() > end) return false;
    if (check.wait_for(std::chrono::milliseconds(1)) == std::future_status::ready) return false;
  }
  return true;
}

const char* Name(AuthResult result) {
  return result == AuthResult::kAllowed ? "allowed" : result == AuthResult::kDenied ? "denied" : "busy";
}

// While one bcrypt comparison runs, the next checks that need one wait for it in arrival order,
// max_waiting of them; one more is busy at once; a cached check passes without waiting.
TEST_F(BasicAuthTest, ChecksWaitForTheBcryptSlotInArrivalOrderUpToTheBound) {
  BcryptGate gate;
  BasicAuth::Options options = gate.Options();
  options.max_waiting = 4;
  options.max_wait = std::chrono::seconds(60);  // no wait runs out here
  BasicAuth auth({{"alice", hash_}}, options);
  ASSERT_EQ(auth.Check(Header("alice:correct horse")), AuthResult::kAllowed);  // cached from now on
  gate.BlockNext();
  std::vector<std::future<AuthResult>> checks;
  BcryptGate::ReleaseAtExit release_at_exit{gate};
  auto start_check = [&](int number) {
    checks.push_back(std::async(std::launch::async, [&auth, number] {
      BcryptGate::current_check = number;
      return auth.Check(Header("alice:wrong " + std::to_string(number)));
    }));
  };
  start_check(0);
  ASSERT_TRUE(gate.WaitInside());
  for (int number = 1; number <= 4; ++number) {
    start_check(number);
    ASSERT_TRUE(WaitForWaiting(auth, static_cast<size_t>(number), checks.back()))
        << "check " << number << " did not queue: " << auth.bcrypt_waiting() << " waiting, answered "
        << Name(checks.back().get());
  }
  EXPECT_EQ(auth.Check(Header("alice:wrong 5")), AuthResult::kBusy) << "a fifth waiter is one too many";
  EXPECT_EQ(auth.Check(Header("alice:correct horse")), AuthResult::kAllowed) << "cached: no bcrypt needed";
  EXPECT_EQ(auth.bcrypt_waiting(), 4u);
  gate.Release();
  int denied = 0;
  for (auto& check : checks) denied += check.get() == AuthResult::kDenied;
  std::printf("checks queued behind a running bcrypt that got an answer: %d of 5\n", denied);
  EXPECT_EQ(denied, 5);
  // Six comparisons: the first scrape's (-1), check 0's, then checks 1..4 in arrival order.
  EXPECT_EQ(gate.order(), (std::vector<int>{-1, 0, 1, 2, 3, 4}));
  EXPECT_EQ(auth.bcrypt_waiting(), 0u);
}

TEST_F(BasicAuthTest, AWaitThatRunsOutIsBusy) {
  BcryptGate gate;
  BasicAuth::Options options = gate.Options();
  options.max_wait = std::chrono::milliseconds(50);
  BasicAuth auth({{"alice", hash_}}, options);
  gate.BlockNext();
  std::future<AuthResult> first = std::async(std::launch::async, [&] { return auth.Check(Header("alice:wrong")); });
  BcryptGate::ReleaseAtExit release_at_exit{gate};
  ASSERT_TRUE(gate.WaitInside());
  EXPECT_EQ(auth.Check(Header("alice:correct horse")), AuthResult::kBusy) << "the first check holds the slot";
  EXPECT_EQ(auth.bcrypt_waiting(), 0u) << "a waiter that gave up leaves the queue";
  gate.Release();
  EXPECT_EQ(first.get(), AuthResult::kDenied);
  EXPECT_EQ(auth.Check(Header("alice:correct horse")), AuthResult::kAllowed) << "the slot is free again";
  EXPECT_EQ(auth.bcrypt_runs(), 2u);
}

// A scraper's parallel requests (or a flood of one wrong password) arriving together pay one
// bcrypt comparison: whoever reaches the slot after the first finds its result cached.
TEST_F(BasicAuthTest, QueuedChecksOfTheSameCredentialsShareOneBcrypt) {
  BcryptGate gate;
  BasicAuth::Options options = gate.Options();
  options.max_wait = std::chrono::seconds(60);
  BasicAuth auth({{"alice", hash_}}, options);
  gate.BlockNext();
  std::vector<std::future<AuthResult>> checks;
  BcryptGate::ReleaseAtExit release_at_exit{gate};
  checks.push_back(std::async(std::launch::async, [&] { return auth.Check(Header("alice:correct horse")); }));
  ASSERT_TRUE(gate.WaitInside());
  for (size_t waiting = 1; waiting <= 3; ++waiting) {
    checks.push_back(std::async(std::launch::async, [&] { return auth.Check(Header("alice:correct horse")); }));
    ASSERT_TRUE(WaitForWaiting(auth, waiting, checks.back()))
        << "check " << waiting << " did not queue: answered " << Name(checks.back().get());
  }
  gate.Release();
  for (auto& check : checks) EXPECT_EQ(check.get(), AuthResult::kAllowed);
  EXPECT_EQ(auth.bcrypt_runs(), 1u);
}

// Many threads with new passwords at once: never two bcrypt comparisons at the same time, and
// every check is answered (checked, or busy when the queue was full).
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
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        const AuthResult result = auth.Check(Header("alice:wrong " + std::to_string(t * 10 + i)));
        (result == AuthResult::kBusy ? busy : denied)++;
        EXPECT_NE(result, AuthResult::kAllowed);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(most.load(), 1);
  EXPECT_EQ(busy.load() + denied.load(), 80);
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
  uncached.max_cached = 0;  // every check pays bcrypt, the right password and wrong ones too
  uncached.max_failures_cached = 0;
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
  // A header without credentials is answered at once (NoCredentialsAreDeniedWithoutBcrypt): its
  // time depends on no user, so it reveals none.
  std::printf("bcrypt cost 9: right %.2f ms, wrong %.2f ms, unknown user %.2f ms\n", right, wrong, unknown);
  EXPECT_GT(wrong, right * 0.5);
  EXPECT_GT(unknown, right * 0.5);
}

}  // namespace
}  // namespace tikv_exporter
