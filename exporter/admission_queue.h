#pragma once

// Included by http_server.cc only: it needs httplib's TaskQueue, and httplib stays out of the
// headers the rest of the exporter includes.

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tikv_exporter {

// httplib's task queue with a bound. `workers` threads serve connections; up to `workers` more
// wait. A connection beyond that goes to a single overflow thread that answers it at once with
// 503 (the server asks InOverflowLane() in its pre-routing handler), so overload never becomes
// a queue that grows. When even the overflow lane is `workers` deep, the accept loop waits and
// the kernel's listen backlog takes the pressure.
class AdmissionQueue : public httplib::TaskQueue {
 public:
  explicit AdmissionQueue(size_t workers);
  ~AdmissionQueue() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

  // True on the overflow thread: the request must be rejected with 503.
  static bool InOverflowLane();

 private:
  struct Lane {
    std::deque<std::function<void()>> tasks;
    std::condition_variable ready;
  };
  void Work(Lane* lane, bool overflow);

  const size_t capacity_;
  std::mutex mutex_;
  size_t admitted_ = 0;  // connections in the normal lane: served or waiting
  std::condition_variable overflow_space_;
  bool shutdown_ = false;
  Lane normal_;
  Lane overflow_;
  std::vector<std::thread> threads_;
};

}  // namespace tikv_exporter
