#include "server/auth_cache.h"

#include <algorithm>

namespace tikv_exporter {

bool AuthCache::Contains(const Digest& key, TimePoint now) {
  auto it = expiry_by_key_.find(key);
  if (it == expiry_by_key_.end()) return false;
  if (it->second <= now) {
    expiry_by_key_.erase(it);
    return false;
  }
  if (slide_) it->second = now + ttl_;
  return true;
}

bool AuthCache::Insert(const Digest& key, TimePoint now) {
  if (max_entries_ == 0) return false;
  bool evicted = false;
  if (expiry_by_key_.size() >= max_entries_ && !expiry_by_key_.contains(key)) {
    std::erase_if(expiry_by_key_, [now](const auto& entry) { return entry.second <= now; });
    if (expiry_by_key_.size() >= max_entries_) {
      // A linear scan: the cache is small, and each insert follows a bcrypt comparison that costs
      // far more.
      expiry_by_key_.erase(
          std::min_element(expiry_by_key_.begin(), expiry_by_key_.end(),
                           [](const auto& a, const auto& b) { return a.second < b.second; }));
      evicted = true;
    }
  }
  expiry_by_key_[key] = now + ttl_;
  return evicted;
}

}  // namespace tikv_exporter
