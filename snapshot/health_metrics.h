#pragma once

#include "prom/family_builder.h"
#include "snapshot/health.h"

namespace tikv_exporter {

// tikv_exporter_health_level and tikv_exporter_health_check_level{check}: 0 ok, 1 warning,
// 2 critical; a check without inputs has no series. Nothing before the first poll.
void AddHealthSeries(const HealthVerdict& verdict, Families& families);

}  // namespace tikv_exporter
