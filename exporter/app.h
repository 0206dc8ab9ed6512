#pragma once

#include <functional>

#include "exporter/config.h"

namespace tikv_exporter {

// Loads the config again for a reload (the file plus the command-line overrides).
using ConfigLoader = std::function<StatusOr<ExporterConfig>()>;

// Wires the collectors, the poller and the HTTP (and gRPC) servers from `config` and serves
// until SIGINT or SIGTERM. SIGHUP and POST /-/reload call `reload` and apply what it returns;
// an invalid config is logged and the running one kept. Returns the process exit code. Call
// from main() before any other thread starts.
int RunExporter(const ExporterConfig& config, ConfigLoader reload);

}  // namespace tikv_exporter
