#pragma once

#include "prom/family_builder.h"
#include "snapshot/pressure_signals.h"

namespace tikv_exporter {

// The series of the write-path, scheduler, error, restart and thread-pool signals (issue 17).
void AddPressureSeries(const PressureSignals& pressure, Families& families);

}  // namespace tikv_exporter
