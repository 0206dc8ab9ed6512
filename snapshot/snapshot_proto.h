#pragma once

#include "snapshot/snapshot.h"

namespace tikv_exporter::v1 {
class Snapshot;
}  // namespace tikv_exporter::v1

namespace tikv_exporter {

// The snapshot as the tikv_exporter.v1.Snapshot message (latencies in milliseconds, as in the
// JSON). Absent values stay unset.
void SnapshotToProto(const Snapshot& snapshot, v1::Snapshot* out);

}  // namespace tikv_exporter
