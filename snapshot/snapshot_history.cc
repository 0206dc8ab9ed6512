#include "snapshot/snapshot_history.h"

#include "snapshot/snapshot_json.h"

namespace tikv_exporter {

SnapshotHistory::SnapshotHistory(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

void SnapshotHistory::Push(std::shared_ptr<const Snapshot> snapshot) {
  auto json = std::make_shared<const std::string>(SnapshotToJson(*snapshot));
  {
    MutexLock lock(mutex_);
    snapshots_.push_back({std::move(snapshot), std::move(json)});
    while (snapshots_.size() > capacity_) snapshots_.pop_front();
  }
  changed_.NotifyAll();
}

SnapshotPage SnapshotHistory::Page(int64_t since_ms, size_t limit) const {
  MutexLock lock(mutex_);
  SnapshotPage page;
  // Compared with the caller's cursor, not with the entry before: two polls in one millisecond
  // (a reload's poll right after the scheduled one) are both listed.
  int64_t last_ms = since_ms;
  for (const Entry& entry : snapshots_) {
    if (entry.snapshot->timestamp_ms <= since_ms) continue;
    if (page.json.size() == limit) {
      page.next_since = last_ms;
      break;
    }
    page.json.push_back(entry.json);
    last_ms = entry.snapshot->timestamp_ms;
  }
  return page;
}

std::shared_ptr<const Snapshot> SnapshotHistory::WaitNewer(uint64_t after,
                                                           std::chrono::steady_clock::time_point deadline) const {
  MutexLock lock(mutex_);
  changed_.WaitUntil(mutex_, deadline, [&] {
    mutex_.AssertHeld();
    return closed_ || (!snapshots_.empty() && snapshots_.back().snapshot->sequence > after);
  });
  if (closed_ || snapshots_.empty() || snapshots_.back().snapshot->sequence <= after) return nullptr;
  return snapshots_.back().snapshot;
}

void SnapshotHistory::Close() {
  {
    MutexLock lock(mutex_);
    closed_ = true;
  }
  changed_.NotifyAll();
}

}  // namespace tikv_exporter
