#pragma once

#include <string>

#include "collectors/snapshot.h"

namespace tikv_exporter {

// The snapshot as JSON (GET /api/v1/snapshot), with the field names of METRICS.md: latencies in
// milliseconds under latency_ms, sizes in bytes; a field without a value is left out.
std::string SnapshotToJson(const Snapshot& snapshot);

}  // namespace tikv_exporter
