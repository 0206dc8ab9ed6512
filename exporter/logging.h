#pragma once

#include <string>

#include "common/enum_names.h"
#include "common/status.h"

namespace tikv_exporter {

// How log lines look: text (for people) or json (one object per line: time, level, msg).
enum class LogFormat { kText, kJson };
inline constexpr EnumName<LogFormat> kLogFormatNames[] = {{LogFormat::kText, "text"}, {LogFormat::kJson, "json"}};

// Sets up spdlog's default logger on stderr: `level` is trace|debug|info|warn|error. The first
// call creates the logger (call it before threads start); later calls (reloads) change its level
// and format in place and are safe while other threads log.
Status ConfigureLogging(const std::string& level, LogFormat format);

}  // namespace tikv_exporter
