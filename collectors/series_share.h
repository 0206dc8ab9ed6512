#pragma once

#include <algorithm>
#include <cstddef>

namespace tikv_exporter {

// [exporter] max_series_per_poll is the one bound on the series a poll brings in. TiKV's
// /metrics body is bounded by it whole (its samples are parsed before any is relayed or used);
// PD and the RocksDB LOG each get a quarter of it for what they export, so together the sources
// stay under 1.5 times the bound and no source can take the others' room (a LOG dump could add
// 450,000 series, a PD 1.5 million). Never less than 1,000, so a tiny bound still shows a cluster.
inline size_t SourceSeriesShare(size_t max_series_per_poll) {
  return std::max<size_t>(max_series_per_poll / 4, 1000);
}

}  // namespace tikv_exporter
