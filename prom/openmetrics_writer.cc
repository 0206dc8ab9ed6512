#include "prom/openmetrics_writer.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/utf8.h"
#include "prom/exposition_writer.h"

namespace tikv_exporter {
namespace {

constexpr std::string_view kTotal = "_total";

// What the TYPE line says and under which name, so that every sample name stays what the text
// format writes.
struct Metadata {
  std::string_view name;
  std::string_view type;
};

Metadata MetadataOf(const MetricFamily& family) {
  std::string_view name = family.name;
  switch (family.type) {
    case MetricType::kCounter:
      if (name.size() > kTotal.size() && name.ends_with(kTotal)) {
        name.remove_suffix(kTotal.size());
        return {name, "counter"};
      }
      return {name, "unknown"};
    case MetricType::kGauge:
      return {name, "gauge"};
    case MetricType::kHistogram:
      return {name, "histogram"};
    case MetricType::kSummary:
      return {name, "summary"};
    case MetricType::kUntyped:
      break;
  }
  return {name, "unknown"};
}

// OpenMetrics timestamps are seconds; ours are milliseconds, written exactly (no double rounding).
void AppendSeconds(int64_t ms, std::string* out) {
  if (ms < 0) out->push_back('-');
  const uint64_t magnitude = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  *out += std::to_string(magnitude / 1000);
  const uint64_t fraction = magnitude % 1000;
  if (fraction == 0) return;
  char digits[4] = {static_cast<char>('0' + fraction / 100), static_cast<char>('0' + fraction / 10 % 10),
                    static_cast<char>('0' + fraction % 10), '\0'};
  std::string_view text(digits, 3);
  while (text.ends_with('0')) text.remove_suffix(1);
  out->push_back('.');
  *out += text;
}

void AppendSample(const Sample& sample, std::string* out) {
  AppendSeriesAndValue(sample, out);
  if (sample.timestamp_ms) {
    out->push_back(' ');
    AppendSeconds(*sample.timestamp_ms, out);
  }
  out->push_back('\n');
}

}  // namespace

void AppendOpenMetricsFamily(const MetricFamily& family, std::string* out) {
  if (family.samples.empty()) return;
  const Metadata metadata = MetadataOf(family);
  if (!family.help.empty()) {
    *out += "# HELP ";
    AppendValidUtf8(metadata.name, out);
    out->push_back(' ');
    AppendEscapedText(family.help, true, out);
    out->push_back('\n');
  }
  *out += "# TYPE ";
  AppendValidUtf8(metadata.name, out);
  out->push_back(' ');
  *out += metadata.type;
  out->push_back('\n');
  for (const Sample& sample : family.samples) AppendSample(sample, out);
}

std::string WriteOpenMetrics(const Exposition& exposition) {
  std::string out;
  out.reserve(exposition.TextSizeHint());
  for (const MetricFamily& family : exposition.families()) AppendOpenMetricsFamily(family, &out);
  return out;
}

}  // namespace tikv_exporter
