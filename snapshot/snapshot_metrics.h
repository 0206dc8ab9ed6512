#pragma once

#include "prom/family_builder.h"
#include "snapshot/snapshot.h"

namespace tikv_exporter {

// The snapshot's series (METRICS.md): tikv_exporter_up and the snapshot time always, the
// TiKV-derived ones only while TiKV is up (no stale values that look healthy).
void AddSnapshotSeries(const Snapshot& snapshot, bool tikv_up, Families& families);

}  // namespace tikv_exporter
