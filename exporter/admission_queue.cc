#include "exporter/admission_queue.h"

namespace tikv_exporter {
namespace {

thread_local bool t_overflow_lane = false;

}  // namespace

AdmissionQueue::AdmissionQueue(size_t workers) : capacity_(workers) {
  for (size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(&normal_, false); });
  threads_.emplace_back([this] { Work(&overflow_, true); });
}

AdmissionQueue::~AdmissionQueue() { shutdown(); }

bool AdmissionQueue::InOverflowLane() { return t_overflow_lane; }

void AdmissionQueue::enqueue(std::function<void()> fn) {
  std::unique_lock<std::mutex> lock(mutex_);
  // Served plus waiting, not only waiting: what is admitted must not depend on how fast a
  // worker picked up the previous connection.
  if (admitted_ < 2 * capacity_) {
    ++admitted_;
    normal_.tasks.push_back(std::move(fn));
    normal_.ready.notify_one();
    return;
  }
  overflow_space_.wait(lock, [this] { return shutdown_ || overflow_.tasks.size() < capacity_; });
  overflow_.tasks.push_back(std::move(fn));
  overflow_.ready.notify_one();
}

void AdmissionQueue::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (shutdown_ && threads_.empty()) return;
    shutdown_ = true;
  }
  normal_.ready.notify_all();
  overflow_.ready.notify_all();
  overflow_space_.notify_all();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

void AdmissionQueue::Work(Lane* lane, bool overflow) {
  t_overflow_lane = overflow;
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // Queued connections are still served after shutdown(), so none is dropped unanswered.
      lane->ready.wait(lock, [&] { return shutdown_ || !lane->tasks.empty(); });
      if (lane->tasks.empty()) return;
      task = std::move(lane->tasks.front());
      lane->tasks.pop_front();
      if (overflow) overflow_space_.notify_one();
    }
    task();
    if (!overflow) {
      std::lock_guard<std::mutex> lock(mutex_);
      --admitted_;
    }
  }
}

}  // namespace tikv_exporter
