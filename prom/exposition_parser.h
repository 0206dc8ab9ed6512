#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "prom/parsed_exposition.h"
#include "common/status.h"

namespace tikv_exporter {

// Bounds that keep a hostile or runaway /metrics body from growing memory without limit.
struct ParseLimits {
  size_t max_samples = 1'000'000;
  size_t max_labels_per_sample = 64;
  size_t max_label_value_bytes = 4096;
};

// Something the parser tolerated but the user may want to know about (TiKV issue 12670:
// duplicated series; truncated dumps without a final newline; invalid UTF-8 in a label value or
// HELP text, replaced with U+FFFD).
struct ParseWarning {
  size_t line = 0;
  std::string message;
};

struct ParseResult {
  ParsedExposition exposition;  // views into the body it owns
  std::vector<ParseWarning> warnings;
};

// A sample value, `le` bound or quantile as the text format writes it: a float, or Inf, +Inf,
// -Inf, NaN in any case. The one parser of such values, so the parser and the histogram maths
// accept the same bounds. False when `token` is none of these.
bool ParseSampleValue(std::string_view token, double* out);

// Parses the Prometheus text exposition format 0.0.4: HELP/TYPE, escapes in label values and
// HELP text, NaN/±Inf, optional timestamps, counters, gauges, histograms, summaries and untyped
// samples. A malformed line fails the whole parse with "line N: ..." (as a Prometheus scrape
// fails); duplicate series keep the last value, a missing final newline is accepted, and each
// ill-formed UTF-8 sequence in a label value or HELP text becomes U+FFFD, each with a warning, so
// every string in the result is valid UTF-8. Thread-safe (no shared state).
// It takes the body: the result's names and values are views into it (a caller done with its
// buffer moves it in; one that keeps it passes a copy).
StatusOr<ParseResult> ParseExposition(std::string body, const ParseLimits& limits = {});
// The same, parsing `buffers.body` into `buffers`' pools (the label and sample pools are emptied
// first); the result hands the buffers to `pool` once it is dropped. A poller that takes each
// body's buffer from the pool so reuses the last scrape's pages.
StatusOr<ParseResult> ParseExposition(ExpositionBuffers buffers, const ParseLimits& limits,
                                      std::shared_ptr<ExpositionBufferPool> pool);

}  // namespace tikv_exporter
