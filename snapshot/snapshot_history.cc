#include "snapshot/snapshot_history.h"

namespace tikv_exporter {

SnapshotHistory::SnapshotHistory(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

void SnapshotHistory::Push(std::shared_ptr<const Snapshot> snapshot) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    snapshots_.push_back(std::move(snapshot));
    while (snapshots_.size() > capacity_) snapshots_.pop_front();
  }
  changed_.notify_all();
}

std::vector<std::shared_ptr<const Snapshot>> SnapshotHistory::Since(int64_t since_ms) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::shared_ptr<const Snapshot>> out;
  for (const auto& snapshot : snapshots_) {
    if (snapshot->timestamp_ms > since_ms) out.push_back(snapshot);
  }
  return out;
}

std::shared_ptr<const Snapshot> SnapshotHistory::WaitNewer(uint64_t after,
                                                           std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait_until(lock, deadline, [&] {
    return closed_ || (!snapshots_.empty() && snapshots_.back()->sequence > after);
  });
  if (closed_ || snapshots_.empty() || snapshots_.back()->sequence <= after) return nullptr;
  return snapshots_.back();
}

void SnapshotHistory::Close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
  }
  changed_.notify_all();
}

}  // namespace tikv_exporter
