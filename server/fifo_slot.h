#pragma once

#include <chrono>
#include <cstddef>
#include <list>

#include "common/mutex.h"

namespace tikv_exporter {

// One slot (BasicAuth: the right to run a bcrypt comparison), handed out in arrival order. A
// caller that finds it taken waits in a queue of at most `max_waiting` callers, for at most
// `max_wait`; the holder's Release() hands the slot straight to the longest waiter, so a stream
// of newcomers can never overtake a caller that is already waiting. The bounds cap how many
// threads (HTTP workers) are parked here and for how long.
// Thread-safe. Not copyable; must outlive every Acquire() and Release().
class FifoSlot {
 public:
  enum class Outcome {
    kAcquired,   // the caller holds the slot and must call Release()
    kQueueFull,  // max_waiting callers were waiting already: refused at once
    kTimedOut,   // waited max_wait without reaching the front
  };

  FifoSlot(size_t max_waiting, std::chrono::milliseconds max_wait)
      : max_waiting_(max_waiting), max_wait_(max_wait) {}
  FifoSlot(const FifoSlot&) = delete;
  FifoSlot& operator=(const FifoSlot&) = delete;

  Outcome Acquire();
  void Release();
  size_t waiting() const;

 private:
  // Its fields are guarded by FifoSlot::mutex_ too, which the analysis cannot name from here.
  struct Waiter {
    CondVar granted_changed;
    bool granted = false;
  };

  const size_t max_waiting_;
  const std::chrono::milliseconds max_wait_;
  mutable Mutex mutex_;
  bool held_ ABSL_GUARDED_BY(mutex_) = false;
  // Arrival order; each Waiter lives on its caller's stack.
  std::list<Waiter*> queue_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace tikv_exporter
