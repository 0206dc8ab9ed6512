#pragma once

#include <functional>
#include <string>

namespace tikv_exporter {

enum class LogLevel { kDebug, kInfo, kWarn };

// Where a collector reports a change of state worth one log line (collectors do not log per
// poll: the poller logs up/down). Called from Collect(); the exporter routes it to spdlog, tests
// record it. An empty sink drops the lines.
using LogSink = std::function<void(LogLevel level, const std::string& message)>;

}  // namespace tikv_exporter
