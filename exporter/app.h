#pragma once

#include "exporter/config.h"

namespace tikv_exporter {

// Wires the collectors, the poller and the HTTP server from `config` and serves until SIGINT or
// SIGTERM. Returns the process exit code. Call from main() before any other thread starts.
int RunExporter(const ExporterConfig& config);

}  // namespace tikv_exporter
