#pragma once

#include <string>

#include "common/status.h"

namespace tikv_exporter {

// Sets up spdlog's default logger on stderr: `level` is trace|debug|info|warn|error, `format`
// is "text" (human) or "json" (one object per line: time, level, msg). Call before threads start.
Status ConfigureLogging(const std::string& level, const std::string& format);

}  // namespace tikv_exporter
