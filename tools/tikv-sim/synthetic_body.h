#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tikv_exporter::sim {

// A large TiKV-shaped /metrics body for the scale benchmark (`tikv-sim --synthetic-series N`):
// every family of `base` (a real dump) kept once with its HELP and TYPE, and each of its series
// repeated over `copies` values of an extra `instance` label ("tikv-0:20180", "tikv-1:20180", ...),
// as a node with many more threads, regions or stores would multiply its label values. Histogram
// and summary groups stay whole and contiguous, so the body is as valid as `base`. `copies` is
// chosen so that the body has about `target_series` series (at least one copy of `base`).
// Pure function; `series` receives the number of series written.
std::string SyntheticBody(std::string_view base, size_t target_series, size_t* series);

}  // namespace tikv_exporter::sim
