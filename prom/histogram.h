#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prom/parsed_exposition.h"

namespace tikv_exporter {

// A Prometheus histogram: cumulative bucket counts by upper bound, plus sum and count.
struct Histogram {
  struct Bucket {
    double upper_bound = 0;  // "le"; +Inf for the last bucket
    double cumulative_count = 0;
  };
  std::vector<Bucket> buckets;  // sorted by upper_bound
  double sum = 0;
  double count = 0;

  // Adds `other` bucket by bucket (used to sum over labels such as `priority`). Buckets with
  // bounds that only one side has are kept, as PromQL's sum() by (le) would keep them.
  void Add(const Histogram& other);
};

// What happened between two scrapes of one histogram. When any cumulative value went down the
// process restarted: the whole of `current` is the increase (Prometheus' counter-reset rule).
Histogram HistogramIncrease(const Histogram& previous, const Histogram& current);

// The increase of a counter between two scrapes, treating a decrease as a reset.
double CounterIncrease(double previous, double current);

// The q-quantile by linear interpolation within a bucket, exactly as PromQL's
// histogram_quantile(): nullopt when there are no observations or no +Inf bucket.
std::optional<double> HistogramQuantile(double q, const Histogram& histogram);

// Collects the histograms of `family_name` in `exposition`, one per value of `group_label`,
// summed over every other label. Families that are absent or not histograms give an empty map.
std::vector<std::pair<std::string, Histogram>> HistogramsByLabel(const ParsedExposition& exposition,
                                                                 std::string_view family_name,
                                                                 std::string_view group_label);

}  // namespace tikv_exporter
