#pragma once

#include <string>

#include "prom/exposition.h"

namespace tikv_exporter {

// Writes `exposition` in the text format 0.0.4 (HELP, TYPE, samples; label values and HELP
// escaped), the inverse of ParseExposition. Families without samples are left out. The output is
// valid UTF-8 whatever the input holds (ill-formed sequences become U+FFFD). Thread-safe.
std::string WriteExposition(const Exposition& exposition);

// Appends the "# HELP" (when there is help) and "# TYPE" lines of `family` to `out`.
void AppendFamilyHeader(const MetricFamily& family, std::string* out);

// Appends one sample line ("name{a=\"b\"} value\n") to `out`.
void AppendSampleLine(const Sample& sample, std::string* out);

}  // namespace tikv_exporter
