#include "collectors/collector_set.h"

#include <exception>

#include "common/mutex.h"

namespace tikv_exporter {
namespace {

StatusOr<Collector::Delivery> RunGuarded(Collector& collector, Clock::time_point deadline) {
  try {
    return collector.Run(deadline);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("collector threw: ") + e.what());
  } catch (...) {
    return Status::Internal("collector threw an unknown exception");
  }
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

// What the set and its workers share; co-owned by every worker thread, so a worker detached
// while inside its collector still has its collector, its slot and `keep_alive`.
struct CollectorSet::Shared {
  // Guarded by `mutex` too (the analysis cannot name it from here), except `collector`.
  struct Slot {
    std::unique_ptr<Collector> collector;  // used by its worker only
    bool pending = false;   // a job was posted and not yet taken
    bool running = false;   // the worker is inside the collector
    bool finished = false;  // `result` holds the answer to the job posted last
    Clock::time_point deadline;
    StatusOr<Collector::Delivery> result = Status::Internal("no result");
    double duration_seconds = 0;
  };

  std::shared_ptr<const void> keep_alive;  // declared first: freed after the collectors
  Mutex mutex;
  CondVar work;  // workers wait for a job or the stop
  CondVar done;  // CollectAll and the destructor wait for results
  bool stopping ABSL_GUARDED_BY(mutex) = false;
  std::vector<Slot> slots ABSL_GUARDED_BY(mutex);
};

CollectorSet::CollectorSet(std::vector<std::unique_ptr<Collector>> collectors,
                           std::shared_ptr<const void> keep_alive)
    : shared_(std::make_shared<Shared>()) {
  shared_->keep_alive = std::move(keep_alive);
  shared_->slots.resize(collectors.size());
  for (size_t i = 0; i < collectors.size(); ++i) {
    sources_.push_back(collectors[i]->source());
    shared_->slots[i].collector = std::move(collectors[i]);
  }
  try {
    for (size_t i = 0; i < sources_.size(); ++i) workers_.emplace_back(&CollectorSet::Work, shared_, i);
  } catch (...) {
    // Out of threads (std::system_error) the construction fails, and the caller (a reload) fails
    // with it; the workers already started are stopped first, since destroying a joinable
    // std::thread would terminate the process.
    {
      MutexLock lock(shared_->mutex);
      shared_->stopping = true;
    }
    shared_->work.NotifyAll();
    for (std::thread& worker : workers_) worker.join();
    throw;
  }
}

CollectorSet::~CollectorSet() {
  std::vector<bool> busy(workers_.size());
  {
    MutexLock lock(shared_->mutex);
    shared_->stopping = true;
    for (Shared::Slot& slot : shared_->slots) slot.pending = false;
    shared_->work.NotifyAll();
    shared_->done.WaitFor(shared_->mutex, kShutdownWait, [this] {
      shared_->mutex.AssertHeld();
      for (const Shared::Slot& slot : shared_->slots) {
        if (slot.running) return false;
      }
      return true;
    });
    for (size_t i = 0; i < busy.size(); ++i) busy[i] = shared_->slots[i].running;
  }
  // An idle worker has seen `stopping` or will on waking, and returns at once. A busy one is
  // left to finish on its own: it then frees what it co-owns.
  for (size_t i = 0; i < workers_.size(); ++i) {
    if (busy[i]) {
      workers_[i].detach();
    } else {
      workers_[i].join();
    }
  }
}

void CollectorSet::Work(std::shared_ptr<Shared> shared, size_t index) {
  MutexLock lock(shared->mutex);
  Shared::Slot& slot = shared->slots[index];
  while (true) {
    shared->work.Wait(shared->mutex, [&] {
      shared->mutex.AssertHeld();
      return shared->stopping || slot.pending;
    });
    if (shared->stopping) return;
    slot.pending = false;
    slot.running = true;
    const Clock::time_point deadline = slot.deadline;
    lock.Unlock();
    const Clock::time_point start = Clock::now();
    StatusOr<Collector::Delivery> result = RunGuarded(*slot.collector, deadline);
    const double seconds = SecondsSince(start);
    lock.Lock();
    slot.running = false;
    slot.finished = true;
    slot.result = std::move(result);
    slot.duration_seconds = seconds;
    shared->done.NotifyAll();
  }
}

std::vector<CollectorOutcome> CollectorSet::CollectAll(Clock::time_point deadline, PollData* out,
                                                       std::stop_token stop) {
  const Clock::time_point start = Clock::now();
  std::vector<CollectorOutcome> outcomes(sources_.size());
  std::vector<bool> posted(sources_.size());
  std::vector<Collector::Delivery> deliveries;
  {
    MutexLock lock(shared_->mutex);
    std::vector<Shared::Slot>& slots = shared_->slots;
    for (size_t i = 0; i < slots.size(); ++i) {
      outcomes[i].source = sources_[i];
      if (slots[i].running || slots[i].pending) {
        outcomes[i].error = "still running from an earlier poll";
        continue;
      }
      // A result that came back after its poll had given up on it is dropped here.
      slots[i].finished = false;
      slots[i].result = Status::Internal("no result");
      slots[i].deadline = deadline;
      slots[i].pending = true;
      posted[i] = true;
    }
    shared_->work.NotifyAll();
    shared_->done.WaitUntil(shared_->mutex, stop, deadline + kGrace, [&] {
      shared_->mutex.AssertHeld();
      for (size_t i = 0; i < slots.size(); ++i) {
        if (posted[i] && !slots[i].finished) return false;
      }
      return true;
    });
    for (size_t i = 0; i < slots.size(); ++i) {
      if (!posted[i]) continue;
      CollectorOutcome& outcome = outcomes[i];
      if (!slots[i].finished) {
        outcome.duration_seconds = SecondsSince(start);
        outcome.error = stop.stop_requested() ? "interrupted: the exporter is stopping"
                                              : "did not return within timeout_ms";
        continue;
      }
      slots[i].finished = false;
      outcome.duration_seconds = slots[i].duration_seconds;
      outcome.success = slots[i].result.ok();
      if (outcome.success) {
        deliveries.push_back(std::move(*slots[i].result));
      } else {
        outcome.error = slots[i].result.status().message();
        outcome.limit = slots[i].result.status().limit();
      }
      slots[i].result = Status::Internal("no result");
    }
  }
  for (const Collector::Delivery& deliver : deliveries) deliver(out);
  return outcomes;
}

}  // namespace tikv_exporter
