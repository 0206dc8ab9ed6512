#include "common/limit_tracker.h"

#include <spdlog/spdlog.h>

#include <iterator>

namespace tikv_exporter {

namespace {

uint32_t Bit(Limit limit) { return 1u << static_cast<unsigned>(limit); }

}  // namespace

LimitTracker::LimitTracker(std::chrono::milliseconds hold) : hold_(hold) {
  static_assert(std::size(kLimitNames) <= 32, "reached_bits_ holds one bit per limit");
  for (const EnumName<Limit>& row : kLimitNames) limits_[row.value];
}

void LimitTracker::Hit(Limit limit, const std::string& detail) {
  MutexLock lock(mutex_);
  Entry& entry = limits_[limit];
  ++entry.hits;
  entry.last_hit = std::chrono::steady_clock::now();
  if (!entry.reached) spdlog::warn("limit {} reached: {}", LimitName(limit), detail);
  entry.reached = true;
  reached_bits_.fetch_or(Bit(limit));
}

void LimitTracker::Clear(Limit limit) {
  if ((reached_bits_.load() & Bit(limit)) == 0) return;
  MutexLock lock(mutex_);
  Entry& entry = limits_[limit];
  if (!entry.reached) return;
  if (std::chrono::steady_clock::now() - entry.last_hit < hold_) return;
  entry.reached = false;
  reached_bits_.fetch_and(~Bit(limit));
  spdlog::info("limit {} no longer reached", LimitName(limit));
}

std::map<Limit, LimitTracker::Entry> LimitTracker::Snapshot() const {
  MutexLock lock(mutex_);
  return limits_;
}

}  // namespace tikv_exporter
