#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/mutex.h"
#include "common/status.h"
#include "server/auth_cache.h"
#include "server/fifo_slot.h"

namespace tikv_exporter {

// bcrypt costs accepted in [web.basic_auth_users] and by --hash-password. One check at cost 14
// takes about a second; 31 would take days (and the exporter would never start listening).
constexpr int kMinBcryptCost = 4;
constexpr int kMaxBcryptCost = 14;

enum class AuthResult {
  kAllowed,
  // No usable Basic credentials (answered at once, without bcrypt), an unknown user or a wrong
  // password: 401 with WWW-Authenticate.
  kDenied,
  // The credentials need a bcrypt comparison and the wait for the one slot was refused (queue
  // full) or ran out: nothing was decided. Answered 429 with Retry-After.
  kBusy,
};

// HTTP basic auth against bcrypt hashes ([web.basic_auth_users], as in Prometheus'
// exporter-toolkit). A header without usable Basic credentials (DecodeBasicAuthorization) is
// denied at once, without bcrypt: it says nothing about any user, so it needs no constant time.
// Otherwise the result for (user, password, user's hash) comes from a cache or from one bcrypt
// comparison, run also for an unknown user (against a dummy hash) and compared in constant time,
// so a wrong password or user costs the same time as a right one.
// Bounds (Options): one bcrypt comparison at a time; a check that needs one waits for it in
// arrival order, at most `max_waiting` checks for at most `max_wait` each, then kBusy.
// Successes are remembered `cache_ttl` after their last use (a scraper pays bcrypt once, as long
// as it scrapes more often than that), failures `failure_ttl` after their check (a flood of one
// wrong password costs one bcrypt per failure_ttl); each cache holds a bounded number of
// entries, keyed by a SHA-256 so no password is kept. Thread-safe; owns its caches.
class BasicAuth {
 public:
  struct Options {
    std::chrono::milliseconds cache_ttl{60'000};    // a success lives this long after its last use
    size_t max_cached = 256;                        // successes remembered at once
    std::chrono::milliseconds failure_ttl{10'000};  // a failure lives this long after its check
    size_t max_failures_cached = 256;
    size_t max_waiting = 4;                     // checks queued for the bcrypt slot
    std::chrono::milliseconds max_wait{2'000};  // per queued check
    // Tests: runs inside every bcrypt comparison (while it holds the one slot).
    std::function<void()> on_bcrypt;
    // Tests: the clock the caches read (steady_clock::now when empty).
    std::function<std::chrono::steady_clock::time_point()> now;
  };

  explicit BasicAuth(std::map<std::string, std::string> bcrypt_hash_by_user);
  BasicAuth(std::map<std::string, std::string> bcrypt_hash_by_user, Options options);

  bool enabled() const { return !users_.empty(); }
  // `authorization` is the request's Authorization header ("" when absent).
  AuthResult Check(std::string_view authorization);
  // bcrypt comparisons run so far.
  uint64_t bcrypt_runs() const { return bcrypt_runs_.load(); }
  // Checks waiting for the bcrypt slot now.
  size_t bcrypt_waiting() const { return bcrypt_slot_.waiting(); }

 private:
  using Digest = AuthCache::Digest;

  std::chrono::steady_clock::time_point Now() const;
  // The cached result for `key`, if any.
  std::optional<bool> Cached(const Digest& key) ABSL_LOCKS_EXCLUDED(cache_mutex_);
  void Remember(const Digest& key, bool allowed) ABSL_LOCKS_EXCLUDED(cache_mutex_);

  const std::map<std::string, std::string> users_;
  const Options options_;
  std::string dummy_hash_;  // compared against when the user is unknown
  FifoSlot bcrypt_slot_;    // held while a bcrypt comparison runs
  std::atomic<uint64_t> bcrypt_runs_{0};
  Mutex cache_mutex_;  // never held during a bcrypt comparison
  AuthCache successes_ ABSL_GUARDED_BY(cache_mutex_);
  AuthCache failures_ ABSL_GUARDED_BY(cache_mutex_);
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
