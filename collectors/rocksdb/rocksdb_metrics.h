#pragma once

#include "collectors/poll_data.h"
#include "prom/family_builder.h"

namespace tikv_exporter {

// The RocksDB LOG collector's series: dumps read, stall warnings, and the latest dump's DB
// stats, levels, stalls, tickers and histograms.
void AddRocksDbSeries(const RocksDbLogData& log, Families& families);

}  // namespace tikv_exporter
