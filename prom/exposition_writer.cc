#include "prom/exposition_writer.h"

#include <charconv>
#include <cmath>

#include "common/utf8.h"

namespace tikv_exporter {

void AppendSampleValue(double value, std::string* out) {
  if (std::isnan(value)) {
    *out += "NaN";
  } else if (std::isinf(value)) {
    *out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out->append(buffer, end);
  }
}

// Whatever produced the exposition (the parser, PD, the RocksDB LOG, the config), one invalid
// UTF-8 byte would make Prometheus drop the whole scrape: the writer repairs it on its own.
void AppendEscapedText(std::string_view text, bool escape_quotes, std::string* out) {
  std::string repaired;
  for (char c : ValidUtf8View(text, &repaired)) {
    if (c == '\\') {
      *out += "\\\\";
    } else if (c == '\n') {
      *out += "\\n";
    } else if (c == '"' && escape_quotes) {
      *out += "\\\"";
    } else {
      out->push_back(c);
    }
  }
}

void AppendSeriesAndValue(const Sample& sample, std::string* out) {
  AppendValidUtf8(sample.name, out);
  if (!sample.labels.empty()) {
    out->push_back('{');
    for (size_t i = 0; i < sample.labels.size(); ++i) {
      if (i > 0) out->push_back(',');
      AppendValidUtf8(sample.labels[i].name, out);
      *out += "=\"";
      AppendEscapedText(sample.labels[i].value, true, out);
      out->push_back('"');
    }
    out->push_back('}');
  }
  out->push_back(' ');
  AppendSampleValue(sample.value, out);
}

void AppendSampleLine(const Sample& sample, std::string* out) {
  AppendSeriesAndValue(sample, out);
  if (sample.timestamp_ms) {
    out->push_back(' ');
    *out += std::to_string(*sample.timestamp_ms);
  }
  out->push_back('\n');
}

void AppendFamilyHeader(const MetricFamily& family, std::string* out) {
  if (!family.help.empty()) {
    *out += "# HELP ";
    AppendValidUtf8(family.name, out);
    out->push_back(' ');
    AppendEscapedText(family.help, false, out);
    out->push_back('\n');
  }
  *out += "# TYPE ";
  AppendValidUtf8(family.name, out);
  *out += " " + std::string(MetricTypeName(family.type)) + "\n";
}

void AppendFamily(const MetricFamily& family, std::string* out) {
  if (family.samples.empty()) return;
  AppendFamilyHeader(family, out);
  for (const Sample& sample : family.samples) AppendSampleLine(sample, out);
}

std::string WriteExposition(const Exposition& exposition) {
  std::string out;
  out.reserve(exposition.TextSizeHint());
  for (const MetricFamily& family : exposition.families()) AppendFamily(family, &out);
  return out;
}

}  // namespace tikv_exporter
