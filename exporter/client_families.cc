#include "exporter/client_families.h"

#include <cmath>
#include <string>

#include "prom/exposition_writer.h"

namespace tikv_exporter {
namespace {

Labels LabelsOf(const prometheus::ClientMetric& metric) {
  Labels labels;
  for (const prometheus::ClientMetric::Label& label : metric.label) labels.push_back({label.name, label.value});
  return labels;
}

Labels With(Labels labels, const char* name, double bound) {
  std::string text;
  AppendSampleValue(bound, &text);
  labels.push_back({name, std::move(text)});
  return labels;
}

void AddSample(MetricFamily& family, std::string name, Labels labels, double value) {
  family.samples.push_back(Sample{std::move(name), std::move(labels), value, std::nullopt});
}

}  // namespace

void AppendClientFamilies(const std::vector<prometheus::MetricFamily>& from, Families& to) {
  for (const prometheus::MetricFamily& in : from) {
    MetricType type = MetricType::kUntyped;
    switch (in.type) {
      case prometheus::MetricType::Counter: type = MetricType::kCounter; break;
      case prometheus::MetricType::Gauge: type = MetricType::kGauge; break;
      case prometheus::MetricType::Histogram: type = MetricType::kHistogram; break;
      case prometheus::MetricType::Summary: type = MetricType::kSummary; break;
      default: break;
    }
    MetricFamily& out = to.Add(in.name, in.help, type);
    for (const prometheus::ClientMetric& metric : in.metric) {
      const Labels labels = LabelsOf(metric);
      switch (in.type) {
        case prometheus::MetricType::Counter:
          AddSample(out, in.name, labels, metric.counter.value);
          break;
        case prometheus::MetricType::Gauge:
          AddSample(out, in.name, labels, metric.gauge.value);
          break;
        case prometheus::MetricType::Histogram: {
          bool has_inf = false;
          for (const prometheus::ClientMetric::Bucket& bucket : metric.histogram.bucket) {
            has_inf = has_inf || std::isinf(bucket.upper_bound);
            AddSample(out, in.name + "_bucket", With(labels, "le", bucket.upper_bound),
                      static_cast<double>(bucket.cumulative_count));
          }
          if (!has_inf) {
            AddSample(out, in.name + "_bucket", With(labels, "le", INFINITY),
                      static_cast<double>(metric.histogram.sample_count));
          }
          AddSample(out, in.name + "_sum", labels, metric.histogram.sample_sum);
          AddSample(out, in.name + "_count", labels, static_cast<double>(metric.histogram.sample_count));
          break;
        }
        case prometheus::MetricType::Summary:
          for (const prometheus::ClientMetric::Quantile& quantile : metric.summary.quantile) {
            AddSample(out, in.name, With(labels, "quantile", quantile.quantile), quantile.value);
          }
          AddSample(out, in.name + "_sum", labels, metric.summary.sample_sum);
          AddSample(out, in.name + "_count", labels, static_cast<double>(metric.summary.sample_count));
          break;
        default:
          AddSample(out, in.name, labels, metric.untyped.value);
          break;
      }
    }
  }
}

}  // namespace tikv_exporter
