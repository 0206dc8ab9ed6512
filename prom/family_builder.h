#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "prom/exposition.h"

namespace tikv_exporter {

using Labels = std::vector<Label>;

// Builds the exporter's exposition; a family left without samples is not written. Each source
// adds its own series (collectors/*/*_metrics.cc, snapshot/snapshot_metrics.cc); the exporter
// writes the result once per scrape. Not thread-safe.
class Families {
 public:
  MetricFamily& Gauge(std::string_view name, std::string help) {
    return Add(name, std::move(help), MetricType::kGauge);
  }
  MetricFamily& Counter(std::string_view name, std::string help) {
    return Add(name, std::move(help), MetricType::kCounter);
  }
  // Quantiles of the window only (no _sum/_count): a summary, because promtool rejects a
  // "quantile" label on a gauge. Names and labels are those of METRICS.md.
  MetricFamily& Quantiles(std::string_view name, std::string help) {
    return Add(name, std::move(help), MetricType::kSummary);
  }
  // A family of any type (families converted from another library's model).
  MetricFamily& Add(std::string_view name, std::string help, MetricType type) {
    MetricFamily& family = exposition_.FindOrAdd(name);
    family.type = type;
    family.help = std::move(help);
    return family;
  }
  const Exposition& exposition() const { return exposition_; }

 private:
  Exposition exposition_;
};

inline void Set(MetricFamily& family, Labels labels, double value) {
  family.samples.push_back(Sample{family.name, std::move(labels), value, std::nullopt});
}

inline void SetIf(MetricFamily& family, Labels labels, const std::optional<double>& value) {
  if (value) Set(family, std::move(labels), *value);
}

}  // namespace tikv_exporter
