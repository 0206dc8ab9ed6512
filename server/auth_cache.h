#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <map>

namespace tikv_exporter {

// A bounded set of password-check results, each a 32-byte digest of (user, password, hash) with
// an expiry. With `slide` every hit moves the expiry to `ttl` after the hit, so an entry in use
// never expires (BasicAuth's successes); without, an entry lives `ttl` after it was added
// (BasicAuth's failures). At most `max_entries`: when full, expired entries go first, then the
// one that expires soonest. max_entries 0 remembers nothing.
// A value type that owns its entries; not thread-safe (BasicAuth guards it with a mutex).
class AuthCache {
 public:
  using Digest = std::array<unsigned char, 32>;
  using TimePoint = std::chrono::steady_clock::time_point;

  AuthCache(size_t max_entries, std::chrono::milliseconds ttl, bool slide)
      : max_entries_(max_entries), ttl_(ttl), slide_(slide) {}

  // Whether `key` is here and unexpired at `now` (sliding its expiry when `slide`). An expired
  // entry is dropped.
  bool Contains(const Digest& key, TimePoint now);
  // Remembers `key` until now + ttl. Returns whether a live entry had to make room.
  bool Insert(const Digest& key, TimePoint now);
  size_t size() const { return expiry_by_key_.size(); }

 private:
  const size_t max_entries_;
  const std::chrono::milliseconds ttl_;
  const bool slide_;
  std::map<Digest, TimePoint> expiry_by_key_;
};

}  // namespace tikv_exporter
