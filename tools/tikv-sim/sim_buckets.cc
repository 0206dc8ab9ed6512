#include "tools/tikv-sim/sim_buckets.h"

#include <charconv>
#include <limits>

namespace tikv_exporter::sim {

std::vector<std::string> ExponentialBucketLes(double start, double factor, int count) {
  std::vector<std::string> les;
  double bound = start;
  for (int i = 0; i < count; ++i, bound *= factor) {
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), bound);
    les.emplace_back(buffer, end);
  }
  les.emplace_back("+Inf");
  return les;
}

double ParseLe(std::string_view le) {
  if (le == "+Inf") return std::numeric_limits<double>::infinity();
  double value = 0;
  std::from_chars(le.data(), le.data() + le.size(), value);
  return value;
}

}  // namespace tikv_exporter::sim
