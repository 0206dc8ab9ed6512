#pragma once

// A mutex and a condition variable that clang's thread-safety analysis can check.
// libstdc++'s std::mutex carries no capability attribute, so ABSL_GUARDED_BY(a std::mutex) is
// never checked; this thin wrapper is one. The annotation macros are abseil's
// (absl/base/thread_annotations.h, header-only, from libabsl-dev, which gRPC already brings): the
// names every clang user knows, expanding to nothing on GCC. `make thread-safety` builds the
// product with clang and -Werror=thread-safety.

#include <absl/base/thread_annotations.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

namespace tikv_exporter {

// A std::mutex known to the analysis as a capability. Not copyable, not recursive.
class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mutex_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mutex_.unlock(); }
  // Tells the analysis that the calling thread holds this mutex where it cannot see it: in a
  // CondVar predicate, which runs with the mutex held but is a function of its own. No check at
  // run time.
  void AssertHeld() const ABSL_ASSERT_EXCLUSIVE_LOCK() {}

 private:
  friend class CondVar;
  std::mutex mutex_;
};

// Holds a Mutex for its scope; Unlock()/Lock() in between for a stretch that must run without it.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) ABSL_EXCLUSIVE_LOCK_FUNCTION(mutex) : mutex_(mutex) {
    mutex_.Lock();
  }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() {
    if (held_) mutex_.Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void Unlock() ABSL_UNLOCK_FUNCTION() {
    mutex_.Unlock();
    held_ = false;
  }
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    mutex_.Lock();
    held_ = true;
  }

 private:
  Mutex& mutex_;
  bool held_ = true;
};

// A condition variable for Mutex. Every wait takes a predicate and returns once it holds (or at
// the deadline, or when `stop` is requested), so a spurious wake-up or a notify that raced the
// check is never mistaken for the condition. The predicate runs with the mutex held: start it
// with `mutex.AssertHeld()` so the analysis knows. Built on std::condition_variable_any because
// only it waits on a std::stop_token.
class CondVar {
 public:
  template <typename Predicate>
  void Wait(Mutex& mutex, Predicate done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) {
    Adopted lock(mutex);
    condition_.wait(lock.lock, done);
  }

  // Returns done(): false when the deadline passed first.
  template <typename Clock, typename Duration, typename Predicate>
  bool WaitUntil(Mutex& mutex, std::chrono::time_point<Clock, Duration> deadline, Predicate done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) {
    Adopted lock(mutex);
    return condition_.wait_until(lock.lock, deadline, done);
  }

  // Returns done(): false when the deadline passed or `stop` was requested first.
  template <typename Clock, typename Duration, typename Predicate>
  bool WaitUntil(Mutex& mutex, std::stop_token stop,
                 std::chrono::time_point<Clock, Duration> deadline, Predicate done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) {
    Adopted lock(mutex);
    return condition_.wait_until(lock.lock, stop, deadline, done);
  }

  template <typename Rep, typename Period, typename Predicate>
  bool WaitFor(Mutex& mutex, std::chrono::duration<Rep, Period> timeout, Predicate done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) {
    Adopted lock(mutex);
    return condition_.wait_for(lock.lock, timeout, done);
  }

  void NotifyOne() { condition_.notify_one(); }
  void NotifyAll() { condition_.notify_all(); }

 private:
  // The caller's hold on the mutex lent to the wait as a std::unique_lock, and kept by the caller
  // afterwards (the wait returns with it locked again).
  struct Adopted {
    explicit Adopted(Mutex& mutex) : lock(mutex.mutex_, std::adopt_lock) {}
    ~Adopted() { lock.release(); }
    std::unique_lock<std::mutex> lock;
  };

  std::condition_variable_any condition_;
};

}  // namespace tikv_exporter
