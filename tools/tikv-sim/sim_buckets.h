#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tikv_exporter::sim {

// The `le` values of a histogram with Rust prometheus's exponential_buckets(start, factor,
// count), as TiKV prints them, then "+Inf".
std::vector<std::string> ExponentialBucketLes(double start, double factor, int count);
// A bucket's `le` as a number ("+Inf" is infinity).
double ParseLe(std::string_view le);

}  // namespace tikv_exporter::sim
