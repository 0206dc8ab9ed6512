#pragma once

#include <memory>
#include <string>
#include <vector>

#include "snapshot/snapshot.h"
#include "snapshot/snapshot_history.h"

namespace tikv_exporter {

// The snapshot as JSON (GET /api/v1/snapshot), with the field names of METRICS.md: latencies in
// milliseconds under latency_ms, sizes in bytes; a field without a value is left out.
std::string SnapshotToJson(const Snapshot& snapshot);

// The health verdict as JSON (GET /api/v1/health): the snapshot's `health` object, with the
// snapshot's timestamp_ms first.
std::string HealthToJson(const Snapshot& snapshot);

// {"snapshots": [...], "next_since": T} — oldest first, next_since only when more follow — for
// GET /api/v1/snapshots: the page's JSON strings (SnapshotHistory) joined, nothing re-written.
std::string SnapshotPageToJson(const SnapshotPage& page);

}  // namespace tikv_exporter
