#include "prom/histogram.h"

#include "prom/exposition_parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>

namespace tikv_exporter {
namespace {

void AddBucket(std::vector<Histogram::Bucket>& buckets, double bound, double count) {
  auto it = std::lower_bound(buckets.begin(), buckets.end(), bound,
                             [](const Histogram::Bucket& b, double v) { return b.upper_bound < v; });
  if (it != buckets.end() && it->upper_bound == bound) {
    it->cumulative_count += count;
  } else {
    buckets.insert(it, {bound, count});
  }
}

// The `le` bounds of one family's buckets, each read once: every series lists the same bounds in
// the same order, so a bound is first compared with the one that followed the bound before
// (reading each with from_chars was most of the time spent collecting a family).
class BoundReader {
 public:
  std::optional<double> Read(std::string_view text) {
    if (next_ < known_.size() && known_[next_].text == text) return known_[next_++].value;
    for (size_t i = 0; i < known_.size(); ++i) {
      if (known_[i].text == text) {
        next_ = i + 1;
        return known_[i].value;
      }
    }
    double value = 0;
    if (!ParseSampleValue(text, &value) || std::isnan(value)) return std::nullopt;
    known_.push_back({text, value});
    next_ = known_.size();
    return value;
  }

 private:
  struct Known {
    std::string_view text;  // a view into the exposition, which outlives the reader
    double value;
  };
  std::vector<Known> known_;
  size_t next_ = 0;
};

}  // namespace

void Histogram::Add(const Histogram& other) {
  for (const Bucket& bucket : other.buckets) AddBucket(buckets, bucket.upper_bound, bucket.cumulative_count);
  sum += other.sum;
  count += other.count;
}

double CounterIncrease(double previous, double current) {
  return current >= previous ? current - previous : current;
}

Histogram HistogramIncrease(const Histogram& previous, const Histogram& current) {
  bool reset = current.count < previous.count;
  for (const Histogram::Bucket& bucket : current.buckets) {
    for (const Histogram::Bucket& old : previous.buckets) {
      if (old.upper_bound == bucket.upper_bound && bucket.cumulative_count < old.cumulative_count) {
        reset = true;
      }
    }
  }
  if (reset) return current;
  Histogram increase = current;
  increase.count = current.count - previous.count;
  increase.sum = current.sum - previous.sum;
  for (Histogram::Bucket& bucket : increase.buckets) {
    for (const Histogram::Bucket& old : previous.buckets) {
      if (old.upper_bound == bucket.upper_bound) bucket.cumulative_count -= old.cumulative_count;
    }
  }
  return increase;
}

std::optional<double> HistogramQuantile(double q, const Histogram& histogram) {
  const auto& buckets = histogram.buckets;
  if (buckets.size() < 2 || !std::isinf(buckets.back().upper_bound) || std::isnan(q)) {
    return std::nullopt;
  }
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  double observations = buckets.back().cumulative_count;
  if (observations <= 0) return std::nullopt;
  double rank = q * observations;
  size_t b = 0;
  while (b < buckets.size() - 1 && buckets[b].cumulative_count < rank) ++b;
  if (b == buckets.size() - 1) return buckets[buckets.size() - 2].upper_bound;
  if (b == 0 && buckets[0].upper_bound <= 0) return buckets[0].upper_bound;
  double bucket_start = 0;
  double bucket_end = buckets[b].upper_bound;
  double count = buckets[b].cumulative_count;
  if (b > 0) {
    bucket_start = buckets[b - 1].upper_bound;
    count -= buckets[b - 1].cumulative_count;
    rank -= buckets[b - 1].cumulative_count;
  }
  if (count <= 0) return bucket_end;
  return bucket_start + (bucket_end - bucket_start) * (rank / count);
}

std::vector<std::pair<std::string, Histogram>> HistogramsByLabel(const ParsedExposition& exposition,
                                                                 std::string_view family_name,
                                                                 std::string_view group_label) {
  std::map<std::string, Histogram, std::less<>> by_label;
  const ParsedFamily* family = exposition.Find(family_name);
  if (family == nullptr || family->type != MetricType::kHistogram) return {};
  const size_t base = family->name.size();
  BoundReader bounds;
  for (const ParsedSample& sample : family->samples) {
    std::string_view suffix = sample.name.substr(base);
    const std::string_view label = sample.LabelValue(group_label);
    auto at = by_label.find(label);
    if (at == by_label.end()) at = by_label.emplace(std::string(label), Histogram{}).first;
    Histogram& histogram = at->second;
    if (suffix == "_bucket") {
      if (std::optional<double> bound = bounds.Read(sample.LabelValue("le"))) {
        AddBucket(histogram.buckets, *bound, sample.value);
      }
    } else if (suffix == "_sum") {
      histogram.sum += sample.value;
    } else if (suffix == "_count") {
      histogram.count += sample.value;
    }
  }
  return {std::make_move_iterator(by_label.begin()), std::make_move_iterator(by_label.end())};
}

}  // namespace tikv_exporter
