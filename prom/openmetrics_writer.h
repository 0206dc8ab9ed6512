#pragma once

#include <string>

#include "prom/exposition.h"

namespace tikv_exporter {

// The Content-Type of an OpenMetrics 1.0 text body.
inline constexpr const char* kOpenMetricsContentType =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

// Writes `exposition` as OpenMetrics 1.0 text, without the closing "# EOF" line (the caller adds
// it once, after everything it appends), so that the families of several expositions can be
// concatenated. The series are exactly those of WriteExposition(), so a scraper gets the same
// series whichever format it asked for:
// - a counter family "x_total" is announced as "x" with TYPE counter; its samples keep "x_total";
// - a counter whose name lacks "_total" (TiKV has some) is written as TYPE unknown, because
//   OpenMetrics would rename its samples to "..._total" and so change the series;
// - untyped becomes unknown; HELP escapes double quotes too; timestamps are in seconds.
// No UNIT lines (they are optional; the unit is in the names). Families without samples are
// left out; the output is valid UTF-8. Thread-safe.
std::string WriteOpenMetrics(const Exposition& exposition);

// Appends one family as WriteOpenMetrics() writes it (nothing when it has no samples).
void AppendOpenMetricsFamily(const MetricFamily& family, std::string* out);

}  // namespace tikv_exporter
