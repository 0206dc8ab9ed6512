#pragma once

#include <string>

namespace tikv_exporter {

// The script and style of the status page at "/": live charts over /api/v1/snapshots (QPS by
// type, latency avg/p99, storage used vs capacity, pending compaction, block-cache hit ratio)
// and a health strip of every source, refreshed every second without reloading. Self-contained:
// no CDN, no network beyond the exporter itself.
const std::string& StatusPageAssets();

}  // namespace tikv_exporter
