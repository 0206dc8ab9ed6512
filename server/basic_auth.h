#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tikv_exporter {

// bcrypt costs accepted in [web.basic_auth_users] and by --hash-password. One check at cost 14
// takes about a second; 31 would take days (and the exporter would never start listening).
constexpr int kMinBcryptCost = 4;
constexpr int kMaxBcryptCost = 14;

enum class AuthResult {
  kAllowed,
  kDenied,
  // The credentials need a bcrypt comparison and another one is running: nothing was decided.
  // Answered 429 with Retry-After, so that a flood of wrong passwords cannot take more than one
  // core away from the scrapes.
  kBusy,
};

// HTTP basic auth against bcrypt hashes ([web.basic_auth_users], as in Prometheus'
// exporter-toolkit). A check that is not in the cache runs one bcrypt comparison, also for an
// unknown user or a malformed header, and compares the result in constant time, so a wrong
// password costs the same time as a right one. At most one bcrypt comparison runs at a time;
// successful checks are cached (by a SHA-256 of the Authorization header and the user's hash) for
// a minute, so a scraper pays bcrypt about once a minute. Failures are never cached. Thread-safe.
class BasicAuth {
 public:
  struct Options {
    std::chrono::milliseconds cache_ttl{60'000};
    size_t max_cached = 256;  // successful checks remembered at once
    // Tests: runs inside every bcrypt comparison (while it holds the one slot).
    std::function<void()> on_bcrypt;
  };

  explicit BasicAuth(std::map<std::string, std::string> bcrypt_hash_by_user);
  BasicAuth(std::map<std::string, std::string> bcrypt_hash_by_user, Options options);

  bool enabled() const { return !users_.empty(); }
  // `authorization` is the request's Authorization header ("" when absent).
  AuthResult Check(std::string_view authorization);
  // bcrypt comparisons run so far.
  uint64_t bcrypt_runs() const { return bcrypt_runs_.load(); }

 private:
  using Digest = std::array<unsigned char, 32>;

  bool CachedAllowed(const Digest& key);
  void Remember(const Digest& key);

  const std::map<std::string, std::string> users_;
  const Options options_;
  std::string dummy_hash_;  // compared against when the user is unknown
  std::mutex bcrypt_slot_;  // held while a bcrypt comparison runs
  std::atomic<uint64_t> bcrypt_runs_{0};
  std::mutex cache_mutex_;
  std::map<Digest, std::chrono::steady_clock::time_point> cache_;  // -> expiry
};

// Ok when `hash` is a bcrypt hash crypt(3) can check and its result can match: "$2a$", "$2b$"
// or "$2y$", a two-digit cost within kMinBcryptCost..kMaxBcryptCost, "$", a 22-character salt
// and a 31-character hash in bcrypt's base64 alphabet (./A-Za-z0-9) whose unused trailing bits
// are zero. The error says which part is wrong.
Status ValidateBcryptHash(std::string_view hash);
inline bool IsBcryptHash(std::string_view hash) { return ValidateBcryptHash(hash).ok(); }

// A bcrypt hash of `password` with `cost` (kMinBcryptCost..kMaxBcryptCost), for
// `tikv-exporter --hash-password`. A password with a NUL byte is refused (crypt(3) would stop
// there).
StatusOr<std::string> BcryptHash(std::string_view password, int cost);

}  // namespace tikv_exporter
