// Compiled (never linked) by the thread_safety.* tests with clang -Wthread-safety: with
// -DHOLD_THE_MUTEX it must compile clean, without it each access below must be refused. So a clean
// `make thread-safety` means the annotations are checked, not that common/mutex.h is inert.
#include "common/mutex.h"

namespace tikv_exporter {

class Probe {
 public:
  int Read() {
#ifdef HOLD_THE_MUTEX
    MutexLock lock(mutex_);
#endif
    return value_;  // refused: "reading variable 'value_' requires holding mutex 'mutex_'"
  }

  void WaitPositive() {
    MutexLock lock(mutex_);
    changed_.Wait(mutex_, [this] {
#ifdef HOLD_THE_MUTEX
      mutex_.AssertHeld();
#endif
      return value_ > 0;  // refused: a predicate is a function of its own
    });
  }

  void Add() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { ++value_; }
  void AddTwice() {
#ifdef HOLD_THE_MUTEX
    MutexLock lock(mutex_);
#endif
    Add();  // refused: "calling function 'Add' requires holding mutex 'mutex_' exclusively"
    Add();
  }

 private:
  Mutex mutex_;
  CondVar changed_;
  int value_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace tikv_exporter
