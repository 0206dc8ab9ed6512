#include "server/fifo_slot.h"

#include <algorithm>

namespace tikv_exporter {

FifoSlot::Outcome FifoSlot::Acquire() {
  MutexLock lock(mutex_);
  if (!held_) {
    held_ = true;
    return Outcome::kAcquired;
  }
  if (queue_.size() >= max_waiting_) return Outcome::kQueueFull;
  Waiter waiter;
  queue_.push_back(&waiter);
  const auto deadline = std::chrono::steady_clock::now() + max_wait_;
  // Release() sets `granted` under the mutex: seen here either before the deadline or, when both
  // race, by the predicate wait_until checks once more at the deadline.
  if (waiter.granted_changed.WaitUntil(mutex_, deadline, [&waiter] { return waiter.granted; })) {
    return Outcome::kAcquired;
  }
  queue_.erase(std::find(queue_.begin(), queue_.end(), &waiter));
  return Outcome::kTimedOut;
}

void FifoSlot::Release() {
  MutexLock lock(mutex_);
  if (queue_.empty()) {
    held_ = false;
    return;
  }
  // Handed over while still held: no newcomer can take it in between.
  Waiter* next = queue_.front();
  queue_.pop_front();
  next->granted = true;
  next->granted_changed.NotifyOne();
}

size_t FifoSlot::waiting() const {
  MutexLock lock(mutex_);
  return queue_.size();
}

}  // namespace tikv_exporter
