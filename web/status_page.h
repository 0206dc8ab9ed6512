#pragma once

#include <string>

namespace tikv_exporter {

// The style, body and script of the status page (web/assets/) at "/", refreshed by the page itself every second:
// the node's verdict (the snapshot's "health") with its reasons and checks, a strip of every
// source, the cluster's stores from PD (/api/v1/cluster) and the RocksDB levels
// (/api/v1/rocksdb) when their collectors have data, and charts over /api/v1/snapshots with
// axes, units, time labels and a hover readout shared by every chart. Self-contained: no CDN,
// no network beyond the exporter itself.
const std::string& StatusPageAssets();

}  // namespace tikv_exporter
