#pragma once

#include <string>

#include "snapshot/snapshot.h"

namespace tikv_exporter {

// The HTML page at "/": links to every endpoint, the snapshot in plain words (as of the request)
// and the live status page (charts and source health, updated in the browser).
// `version` and `revision` are the exporter's build.
std::string RenderLandingPage(const Snapshot& snapshot, const std::string& version, const std::string& revision,
                              const std::string& tikv_address);

// The snapshot in plain sentences, e.g. "TiKV served 1987.7 requests/s ...". One line per fact.
std::string DescribeSnapshot(const Snapshot& snapshot);

}  // namespace tikv_exporter
