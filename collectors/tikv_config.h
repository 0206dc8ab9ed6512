#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tikv_exporter {

// TiKV's live configuration (GET /config, TiKV >= 4.0): kebab-case keys, sizes as strings
// ("144MiB"), durations as strings ("10m"). Flattened to "section.sub.key" -> value text
// (numbers in their shortest form, booleans as true/false); arrays are left out.
using TikvConfig = std::map<std::string, std::string>;

StatusOr<TikvConfig> ParseTikvConfig(std::string_view json);

}  // namespace tikv_exporter
