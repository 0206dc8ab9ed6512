#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tikv_exporter {

// The Prometheus text exposition format (0.0.4), as data: what one scrape of /metrics said.

enum class MetricType { kCounter, kGauge, kHistogram, kSummary, kUntyped };

std::string_view MetricTypeName(MetricType type);

struct Label {
  std::string name;
  std::string value;
};

struct Sample {
  std::string name;           // the full sample name, e.g. "x_bucket" in family "x"
  std::vector<Label> labels;  // in exposition order
  double value = 0;
  std::optional<int64_t> timestamp_ms;

  // The value of label `name`, or "" when the sample has no such label (as PromQL treats it).
  std::string_view LabelValue(std::string_view label_name) const;
};

struct MetricFamily {
  std::string name;
  MetricType type = MetricType::kUntyped;
  std::string help;
  std::vector<Sample> samples;
};

// All families of one scrape, in the order they first appeared. A value type; not thread-safe
// for concurrent mutation, safe for concurrent reads.
class Exposition {
  // Lets index_ be searched with a string_view, without building a std::string per lookup.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };

 public:
  // Returns the family named `name`, or nullptr.
  const MetricFamily* Find(std::string_view name) const;
  MetricFamily* Find(std::string_view name);
  // Returns the family named `name`, creating an empty untyped one when absent.
  MetricFamily& FindOrAdd(std::string_view name);

  // A deque so that references to families stay valid while more are added.
  const std::deque<MetricFamily>& families() const { return families_; }
  size_t SampleCount() const;
  // About the bytes its text form takes (samples of ~100 bytes): writers reserve it, so that a
  // 10 MB /metrics (10,000 PD stores) is not grown by doubling, copying and faulting pages in.
  size_t TextSizeHint() const { return SampleCount() * 100; }

 private:
  std::deque<MetricFamily> families_;
  std::unordered_map<std::string, size_t, NameHash, std::equal_to<>> index_;
};

}  // namespace tikv_exporter
