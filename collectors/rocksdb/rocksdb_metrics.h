#pragma once

#include "collectors/rocksdb/rocksdb_log_data.h"
#include "prom/family_builder.h"

namespace tikv_exporter {

// The RocksDB LOG collector's series: dumps read, stall warnings, and the latest dump's DB
// stats, levels, stalls, tickers and histograms.
void AddRocksDbSeries(const RocksDbLogData& log, Families& families);

// Drops what would make `stats` add more than `max_series` series of its own (beyond the few
// DB-wide ones), keeping in this order: column families' levels, write stalls, pending bytes,
// tickers, histograms (each map in its own order), and records in stats->series_left_out how
// many series went. Pure.
void KeepSeries(size_t max_series, RocksDbStats* stats);

}  // namespace tikv_exporter
