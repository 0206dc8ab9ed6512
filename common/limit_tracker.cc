#include "common/limit_tracker.h"

#include <spdlog/spdlog.h>

namespace tikv_exporter {

LimitTracker::LimitTracker(std::chrono::milliseconds hold) : hold_(hold) {
  for (const EnumName<Limit>& row : kLimitNames) limits_[row.value];
}

void LimitTracker::Hit(Limit limit, const std::string& detail) {
  std::lock_guard<std::mutex> lock(mutex_);
  Entry& entry = limits_[limit];
  ++entry.hits;
  entry.last_hit = std::chrono::steady_clock::now();
  if (!entry.reached) spdlog::warn("limit {} reached: {}", LimitName(limit), detail);
  entry.reached = true;
}

void LimitTracker::Clear(Limit limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = limits_.find(limit);
  if (it == limits_.end() || !it->second.reached) return;
  if (std::chrono::steady_clock::now() - it->second.last_hit < hold_) return;
  it->second.reached = false;
  spdlog::info("limit {} no longer reached", LimitName(limit));
}

std::map<Limit, LimitTracker::Entry> LimitTracker::Snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return limits_;
}

}  // namespace tikv_exporter
