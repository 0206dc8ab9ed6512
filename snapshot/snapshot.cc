#include "snapshot/snapshot.h"

namespace tikv_exporter {

std::optional<double> Snapshot::TotalCompactionPendingBytes() const {
  if (compaction_pending_bytes.empty()) return std::nullopt;
  double total = 0;
  for (const auto& [db, bytes] : compaction_pending_bytes) total += bytes;
  return total;
}

std::optional<double> ThreadPoolCpu::ShareOfThreads() const {
  if (threads <= 0) return std::nullopt;
  return cpu_seconds_per_second / threads;
}

}  // namespace tikv_exporter
