#pragma once

#include "snapshot/snapshot.h"

namespace tikv_exporter::v1 {
class Health;
class Snapshot;
}  // namespace tikv_exporter::v1

namespace tikv_exporter {

// The snapshot as the tikv_exporter.v1.Snapshot message (latencies in milliseconds, as in the
// JSON). Absent values stay unset.
void SnapshotToProto(const Snapshot& snapshot, v1::Snapshot* out);

// The snapshot's health verdict; level "unknown" (and one reason) before the first poll.
void HealthToProto(const Snapshot& snapshot, v1::Health* out);

}  // namespace tikv_exporter
