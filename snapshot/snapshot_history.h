#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "snapshot/snapshot.h"

namespace tikv_exporter {

// The last `capacity` snapshots, newest last, for /api/v1/snapshots and the status page, and the
// wake-up of gRPC watchers. Push() never waits for a reader. Thread-safe.
class SnapshotHistory {
 public:
  explicit SnapshotHistory(size_t capacity);
  SnapshotHistory(const SnapshotHistory&) = delete;
  SnapshotHistory& operator=(const SnapshotHistory&) = delete;

  void Push(std::shared_ptr<const Snapshot> snapshot);
  // Snapshots with timestamp_ms > `since_ms`, oldest first.
  std::vector<std::shared_ptr<const Snapshot>> Since(int64_t since_ms) const;
  // The newest snapshot with a sequence above `after`, waiting until `deadline` for one; null
  // when none came (or Close() was called).
  std::shared_ptr<const Snapshot> WaitNewer(uint64_t after, std::chrono::steady_clock::time_point deadline) const;
  // Wakes every waiter for good (shutdown).
  void Close();
  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::deque<std::shared_ptr<const Snapshot>> snapshots_;
  bool closed_ = false;
};

}  // namespace tikv_exporter
