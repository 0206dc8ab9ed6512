#include "snapshot/snapshot.h"

namespace tikv_exporter {

std::optional<double> Snapshot::TotalCompactionPendingBytes() const {
  if (compaction_pending_bytes.empty()) return std::nullopt;
  double total = 0;
  for (const auto& [db, bytes] : compaction_pending_bytes) total += bytes;
  return total;
}

}  // namespace tikv_exporter
