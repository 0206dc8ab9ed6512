#pragma once

#include "collectors/rocksdb/rocksdb_log_data.h"
#include "prom/family_builder.h"

namespace tikv_exporter {

// The RocksDB collector's series: dumps read, stall warnings, and the latest dump's DB stats,
// levels, stalls, tickers and histograms, labelled db="kv", and the raft RocksDB's, db="raft".
void AddRocksDbSeries(const RocksDbLogData& log, Families& families);

// Drops what would make `stats` add more than `max_series` series of its own (beyond the few
// DB-wide ones), keeping in this order: column families' levels, write stalls, pending bytes,
// tickers, histograms (each map in its own order), and records in stats->series_left_out how
// many series went. Returns how many it kept. Pure.
size_t KeepSeries(size_t max_series, RocksDbStats* stats);

// Makes `kv`, bounded by KeepSeries, the latest of `data` (read at `read_ms`, wall clock) and
// the latest the previous: rates come from the two. `raft`, the raft RocksDB's dump of the same
// answer (or none), replaces data->raft, bounded by what kv left of `max_series`.
void PushDump(RocksDbStats kv, std::optional<RocksDbStats> raft, int64_t read_ms, size_t max_series,
              RocksDbLogData* data);
// Replaces data->limit_notes with the series_per_poll note of the latest dumps (kv and raft), if
// they left series out; `where` names the source (the LOG's path, the debug service's URL).
void NoteSeriesLeftOut(const std::string& where, size_t max_series, RocksDbLogData* data);

}  // namespace tikv_exporter
