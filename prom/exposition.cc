#include "prom/exposition.h"

namespace tikv_exporter {

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kSummary:
      return "summary";
    case MetricType::kUntyped:
      break;
  }
  return "untyped";
}

std::string_view Sample::LabelValue(std::string_view label_name) const {
  for (const Label& label : labels) {
    if (label.name == label_name) return label.value;
  }
  return {};
}

const MetricFamily* Exposition::Find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &families_[it->second];
}

MetricFamily* Exposition::Find(std::string_view name) {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &families_[it->second];
}

MetricFamily& Exposition::FindOrAdd(std::string_view name) {
  if (auto it = index_.find(name); it != index_.end()) return families_[it->second];
  index_.emplace(std::string(name), families_.size());
  families_.emplace_back();
  families_.back().name = std::string(name);
  return families_.back();
}

size_t Exposition::SampleCount() const {
  size_t count = 0;
  for (const MetricFamily& family : families_) count += family.samples.size();
  return count;
}

}  // namespace tikv_exporter
