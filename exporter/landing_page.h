#pragma once

#include <string>

#include "exporter/metrics_renderer.h"
#include "exporter/poller.h"

namespace tikv_exporter {

// The HTML page at "/": links to every endpoint, the snapshot in plain words (as of the request)
// and the live status page (charts and source health, updated in the browser).
std::string RenderLandingPage(const PollState& state, const BuildInfo& build,
                              const std::string& tikv_address);

// The snapshot in plain sentences, e.g. "TiKV served 1987.7 requests/s ...". One line per fact.
std::string DescribeSnapshot(const Snapshot& snapshot);

}  // namespace tikv_exporter
