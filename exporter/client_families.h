#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "prom/family_builder.h"

namespace tikv_exporter {

// Adds prometheus-cpp's families (what a prometheus::Collectable collects) to ours, so that one
// writer writes every family in the format the scraper asked for: prometheus-cpp 1.0.1 (Debian
// 12) serializes only the text format 0.0.4, not OpenMetrics. Counters, gauges and untyped keep
// their name; a histogram becomes its _bucket{le} (cumulative, ending at +Inf), _sum and _count
// samples; a summary its {quantile}, _sum and _count samples. Labels keep prometheus-cpp's order
// (sorted by name). Pure function; thread-safe.
void AppendClientFamilies(const std::vector<prometheus::MetricFamily>& from, Families& to);

}  // namespace tikv_exporter
