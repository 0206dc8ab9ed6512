#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "snapshot/snapshot.h"

namespace tikv_exporter {

// One page of GET /api/v1/snapshots: the JSON of each snapshot, oldest first.
struct SnapshotPage {
  std::vector<std::shared_ptr<const std::string>> json;
  // Set when newer snapshots follow the page: the `since` that asks for the next one.
  std::optional<int64_t> next_since;
};

// The last `capacity` snapshots, newest last, for /api/v1/snapshots and the status page, and the
// wake-up of gRPC watchers. Each snapshot is written as JSON once, when it is pushed, so a page
// of /api/v1/snapshots only joins strings that are shared with the history. Push() never waits
// for a reader. Thread-safe.
class SnapshotHistory {
 public:
  explicit SnapshotHistory(size_t capacity);
  SnapshotHistory(const SnapshotHistory&) = delete;
  SnapshotHistory& operator=(const SnapshotHistory&) = delete;

  void Push(std::shared_ptr<const Snapshot> snapshot);
  // The oldest `limit` snapshots with timestamp_ms > `since_ms`.
  SnapshotPage Page(int64_t since_ms, size_t limit) const;
  // The newest snapshot with a sequence above `after`, waiting until `deadline` for one; null
  // when none came (or Close() was called).
  std::shared_ptr<const Snapshot> WaitNewer(uint64_t after, std::chrono::steady_clock::time_point deadline) const;
  // Wakes every waiter for good (shutdown).
  void Close();
  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  mutable Mutex mutex_;
  mutable CondVar changed_;
  struct Entry {
    std::shared_ptr<const Snapshot> snapshot;
    std::shared_ptr<const std::string> json;  // SnapshotToJson(*snapshot)
  };
  std::deque<Entry> snapshots_ ABSL_GUARDED_BY(mutex_);
  bool closed_ ABSL_GUARDED_BY(mutex_) = false;
};

}  // namespace tikv_exporter
