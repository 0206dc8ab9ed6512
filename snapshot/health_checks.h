#pragma once

#include "snapshot/health.h"

namespace tikv_exporter {

struct Snapshot;

// Every check of `snapshot` against `thresholds`, and the worst of them. A check whose inputs the
// node does not export is reported without a level and does not count.
HealthVerdict EvaluateHealth(const Snapshot& snapshot, const HealthThresholds& thresholds);

}  // namespace tikv_exporter
