#pragma once

#include <memory>
#include <string>
#include <vector>

#include "snapshot/snapshot.h"

namespace tikv_exporter {

// The snapshot as JSON (GET /api/v1/snapshot), with the field names of METRICS.md: latencies in
// milliseconds under latency_ms, sizes in bytes; a field without a value is left out.
std::string SnapshotToJson(const Snapshot& snapshot);

// The health verdict as JSON (GET /api/v1/health): the snapshot's `health` object, with the
// snapshot's timestamp_ms first.
std::string HealthToJson(const Snapshot& snapshot);

// {"snapshots": [...]} — oldest first — for GET /api/v1/snapshots.
std::string SnapshotsToJson(const std::vector<std::shared_ptr<const Snapshot>>& snapshots);

}  // namespace tikv_exporter
