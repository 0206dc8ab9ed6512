#pragma once

#include <cstddef>
#include <string_view>

#include "common/status.h"

namespace tikv_exporter {

// Bounds on the shape of an upstream JSON body, checked by CheckJsonShape before the body reaches
// protobuf's JSON parser: that parser bounds the nesting of objects but not of arrays, and
// 200 KB of "[[[[..." kept it busy for minutes; a PD /stores body of 300,000 "{}" made it
// allocate until bad_alloc. TiKV's and PD's bodies nest a handful of levels.
struct JsonShapeLimits {
  int max_depth = 32;
  // Elements of any one array; 0 = unbounded. Hitting it is reported as `array_limit`.
  size_t max_array_elements = 0;
  Limit array_limit = Limit::kUpstreamJsonDepth;
};

// One linear pass over `json`, outside strings counting brackets and commas: ok, or a LimitHit
// (upstream_json_depth, or limits.array_limit) whose message starts with `what` and names the
// byte offset, e.g. "PD /stores: JSON nested deeper than 32 levels at byte 33". Malformed JSON
// is left for the parser to report. Pure and thread-safe.
Status CheckJsonShape(std::string_view json, const JsonShapeLimits& limits, std::string_view what);

}  // namespace tikv_exporter
