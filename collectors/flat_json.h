#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tikv_exporter {

// A JSON configuration object flattened to "section.sub.key" -> value text (numbers in their
// shortest form, booleans as true/false); arrays and nulls are left out. Numbers pass through a
// double: fine for settings, not for uint64 ids. TiKV's GET /config (kebab-case keys, sizes as
// "144MiB", durations as "10m") and PD's GET /pd/api/v1/config are read this way. Invalid UTF-8
// in the body becomes U+FFFD (RepairJsonUtf8), as in PD's other bodies.
using FlatJson = std::map<std::string, std::string>;
using TikvConfig = FlatJson;

// `what` names the body in the error ("TiKV /config").
StatusOr<FlatJson> FlattenJson(std::string_view json, std::string_view what);

}  // namespace tikv_exporter
