#pragma once

#include <string_view>

namespace tikv_exporter {

// The two bodies /metrics can answer.
enum class ExpositionFormat {
  kText,         // text/plain; version=0.0.4 (the default)
  kOpenMetrics,  // application/openmetrics-text; version=1.0.0
};

// The Content-Type header of a /metrics answer in `format`.
const char* ExpositionContentType(ExpositionFormat format);

// The format a client's Accept header asks for, as Go's expfmt.Negotiate chooses: the media
// ranges are taken by q-value, highest first (equal q: in the order sent); the first that is
// OpenMetrics (version absent or 1.0.0) chooses it, the first text/plain or wildcard chooses the
// text format. q=0 refuses a range. Anything else, an empty or a malformed header: the text
// format. Only the first 64 ranges are looked at, so a hostile header costs no more than that.
// Prometheus >= 2.5 offers "application/openmetrics-text;version=1.0.0,...;q=0.75,text/plain;
// version=0.0.4;q=0.5,*/*;q=0.1" and so gets OpenMetrics. Thread-safe.
ExpositionFormat ChooseExpositionFormat(std::string_view accept);

}  // namespace tikv_exporter
