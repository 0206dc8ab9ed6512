#include "exporter/exposition_format.h"

#include <algorithm>
#include <vector>

#include "common/ascii.h"
#include "prom/openmetrics_writer.h"

namespace tikv_exporter {
namespace {

constexpr size_t kMaxMediaRanges = 64;

struct MediaRange {
  std::string_view type;     // "application/openmetrics-text", "text/plain", "*/*" ...
  std::string_view version;  // the version parameter, "" when absent
  int q = 1000;              // the q-value in thousandths
  size_t order = 0;
};

// "0.5" -> 500; a value that is not a q-value (RFC 9110: 0 to 1, up to three decimals) -> -1.
int ParseQ(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return -1;
  int q = (text[0] - '0') * 1000;
  if (text.size() == 1) return q;
  if (text[1] != '.' || text.size() > 5) return -1;
  int scale = 100;
  for (char c : text.substr(2)) {
    if (c < '0' || c > '9') return -1;
    q += (c - '0') * scale;
    scale /= 10;
  }
  return q <= 1000 ? q : -1;
}

std::string_view Unquoted(std::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') return value.substr(1, value.size() - 2);
  return value;
}

std::vector<MediaRange> ParseAccept(std::string_view accept) {
  std::vector<MediaRange> ranges;
  while (!accept.empty() && ranges.size() < kMaxMediaRanges) {
    const size_t comma = accept.find(',');
    std::string_view element = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    MediaRange range;
    range.order = ranges.size();
    size_t semicolon = element.find(';');
    range.type = TrimAsciiSpace(element.substr(0, semicolon));
    if (range.type.empty()) continue;
    while (semicolon != std::string_view::npos) {
      element.remove_prefix(semicolon + 1);
      semicolon = element.find(';');
      const std::string_view parameter = TrimAsciiSpace(element.substr(0, semicolon));
      const size_t equals = parameter.find('=');
      if (equals == std::string_view::npos) continue;
      const std::string_view name = TrimAsciiSpace(parameter.substr(0, equals));
      const std::string_view value = Unquoted(TrimAsciiSpace(parameter.substr(equals + 1)));
      if (EqualsIgnoringCase(name, "q")) {
        range.q = ParseQ(value);
      } else if (EqualsIgnoringCase(name, "version")) {
        range.version = value;
      }
    }
    if (range.q > 0) ranges.push_back(range);
  }
  std::stable_sort(ranges.begin(), ranges.end(),
                   [](const MediaRange& a, const MediaRange& b) { return a.q > b.q; });
  return ranges;
}

}  // namespace

const char* ExpositionContentType(ExpositionFormat format) {
  return format == ExpositionFormat::kOpenMetrics ? kOpenMetricsContentType
                                                  : "text/plain; version=0.0.4; charset=utf-8";
}

ExpositionFormat ChooseExpositionFormat(std::string_view accept) {
  for (const MediaRange& range : ParseAccept(accept)) {
    if (EqualsIgnoringCase(range.type, "application/openmetrics-text")) {
      if (range.version.empty() || range.version == "1.0.0") return ExpositionFormat::kOpenMetrics;
      continue;  // another OpenMetrics version (0.0.1): we do not write it; look further
    }
    if (EqualsIgnoringCase(range.type, "text/plain") || range.type == "*/*" ||
        EqualsIgnoringCase(range.type, "text/*")) {
      return ExpositionFormat::kText;
    }
  }
  return ExpositionFormat::kText;
}

}  // namespace tikv_exporter
