#pragma once

#include <string>
#include <string_view>

#include "prom/exposition.h"

namespace tikv_exporter {

// Writes `exposition` in the text format 0.0.4 (HELP, TYPE, samples; label values and HELP
// escaped), the inverse of ParseExposition. Families without samples are left out. The output is
// valid UTF-8 whatever the input holds (ill-formed sequences become U+FFFD). Thread-safe.
std::string WriteExposition(const Exposition& exposition);

// Appends one family as WriteExposition() writes it (nothing when it has no samples).
void AppendFamily(const MetricFamily& family, std::string* out);

// Appends the "# HELP" (when there is help) and "# TYPE" lines of `family` to `out`.
void AppendFamilyHeader(const MetricFamily& family, std::string* out);

// Appends a sample value as both formats write it: NaN, +Inf, -Inf, or the shortest decimal that
// reads back as the same double.
void AppendSampleValue(double value, std::string* out);

// Appends `text` as valid UTF-8 with backslash and newline escaped (and double quotes, when
// `escape_quotes`): label values always, HELP text in OpenMetrics.
void AppendEscapedText(std::string_view text, bool escape_quotes, std::string* out);

// Appends a sample's series and value ("name{a=\"b\"} value"), as both formats write them; each
// adds its own timestamp form (milliseconds here, seconds in OpenMetrics) and the newline.
void AppendSeriesAndValue(const Sample& sample, std::string* out);

// Appends one sample line ("name{a=\"b\"} value\n") to `out`.
void AppendSampleLine(const Sample& sample, std::string* out);

}  // namespace tikv_exporter
