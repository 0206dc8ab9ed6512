#include "collectors/rocksdb/rocksdb_metrics.h"

#include <map>
#include <optional>
#include <string>

namespace tikv_exporter {

namespace {

// Series per entry, as AddRocksDbSeries writes them.
constexpr size_t kSeriesPerLevel = 9;
constexpr size_t kSeriesPerHistogram = 6;

// Keeps entries of `map` while `budget` lasts at `cost(entry)` each; counts the rest in `*left_out`.
template <typename Map, typename Cost>
void KeepWhileBudget(Map* map, size_t* budget, size_t* left_out, Cost cost) {
  for (auto it = map->begin(); it != map->end();) {
    const size_t series = cost(it->second);
    if (series <= *budget) {
      *budget -= series;
      ++it;
    } else {
      *left_out += series;
      it = map->erase(it);
    }
  }
}

}  // namespace

size_t KeepSeries(size_t max_series, RocksDbStats* stats) {
  size_t budget = max_series;
  size_t left_out = 0;
  KeepWhileBudget(&stats->levels, &budget, &left_out,
                  [](const std::vector<RocksDbLevelStats>& rows) { return rows.size() * kSeriesPerLevel; });
  KeepWhileBudget(&stats->write_stalls, &budget, &left_out,
                  [](const std::map<std::string, double>& causes) { return causes.size(); });
  KeepWhileBudget(&stats->pending_compaction_bytes, &budget, &left_out, [](double) { return size_t{1}; });
  KeepWhileBudget(&stats->tickers, &budget, &left_out, [](double) { return size_t{1}; });
  KeepWhileBudget(&stats->histograms, &budget, &left_out,
                  [](const RocksDbHistogram&) { return kSeriesPerHistogram; });
  // Capacity and usage, then two series per role (summed over the caches, so counted per cache).
  KeepWhileBudget(&stats->block_caches, &budget, &left_out,
                  [](const RocksDbBlockCache& cache) { return 2 + cache.entries.size() * 2; });
  stats->series_left_out = left_out;
  return max_series - budget;
}

void PushDump(RocksDbStats kv, std::optional<RocksDbStats> raft, int64_t read_ms, size_t max_series,
              RocksDbLogData* data) {
  const size_t kept = KeepSeries(max_series, &kv);
  if (raft) KeepSeries(max_series - kept, &*raft);  // the raft db gets what kv left of the share
  data->previous = std::move(data->latest);
  data->previous_read_ms = data->latest_read_ms;
  data->latest = std::move(kv);
  data->latest_read_ms = read_ms;
  data->raft = std::move(raft);
}

void NoteSeriesLeftOut(const std::string& where, size_t max_series, RocksDbLogData* data) {
  data->limit_notes.clear();
  const size_t left_out = (data->latest ? data->latest->series_left_out : 0) +
                          (data->raft ? data->raft->series_left_out : 0);
  if (left_out == 0) return;
  data->limit_notes.push_back({Limit::kSeriesPerPoll, where + ": the latest stats dump has " +
                                                          std::to_string(left_out) +
                                                          " series beyond the RocksDB source's share of "
                                                          "max_series_per_poll (" +
                                                          std::to_string(max_series) + "), left out"});
}

namespace {

// The block caches of one RocksDB instance, summed over the distinct caches its dump names (TiKV
// shares one among all column families; the cache's name, an address, is no label).
void AddBlockCacheSeries(const RocksDbStats& d, const std::string& db, Families& f) {
  if (d.block_caches.empty()) return;
  std::optional<double> capacity;
  std::optional<double> usage;
  std::map<std::string, RocksDbBlockCache::Entries> by_role;
  for (const auto& [name, cache] : d.block_caches) {
    if (cache.capacity_bytes) capacity = capacity.value_or(0) + *cache.capacity_bytes;
    if (cache.usage_bytes) usage = usage.value_or(0) + *cache.usage_bytes;
    for (const auto& [role, entries] : cache.entries) {
      by_role[role].count += entries.count;
      by_role[role].bytes += entries.bytes;
    }
  }
  SetIf(f.Gauge("tikv_exporter_rocksdb_block_cache_capacity_bytes", "Capacity of the block cache (RocksDB prints 2 decimals of KB/MB/GB)."),
        {{"db", db}}, capacity);
  SetIf(f.Gauge("tikv_exporter_rocksdb_block_cache_usage_bytes", "Bytes in use in the block cache."), {{"db", db}}, usage);
  auto& entries = f.Gauge("tikv_exporter_rocksdb_block_cache_entries",
                          "Block cache entries by role (DataBlock, IndexBlock, FilterBlock, ...), as the dump's entry stats count them.");
  auto& bytes = f.Gauge("tikv_exporter_rocksdb_block_cache_entry_bytes", "Block cache bytes by role.");
  for (const auto& [role, e] : by_role) {
    Set(entries, {{"db", db}, {"role", role}}, e.count);
    Set(bytes, {{"db", db}, {"role", role}}, e.bytes);
  }
}

// One RocksDB instance's statistics series, each labelled db="kv" or db="raft" as TiKV's own
// tikv_engine_* series are, so that the two instances never make the same series.
void AddStatsSeries(const RocksDbStats& d, const std::string& db, Families& f) {
  Set(f.Gauge("tikv_exporter_rocksdb_log_unknown_lines", "Lines of the latest dump no rule recognised (skipped)."),
      {{"db", db}}, static_cast<double>(d.unknown_lines));
  SetIf(f.Gauge("tikv_exporter_rocksdb_uptime_seconds", "RocksDB's uptime at the latest dump."), {{"db", db}},
        d.db.uptime_seconds);
  SetIf(f.Counter("tikv_exporter_rocksdb_writes_total", "Write batches since the DB opened (DB Stats)."), {{"db", db}},
        d.db.writes);
  SetIf(f.Counter("tikv_exporter_rocksdb_keys_written_total", "Keys written since the DB opened (DB Stats)."),
        {{"db", db}}, d.db.keys_written);
  SetIf(f.Counter("tikv_exporter_rocksdb_wal_writes_total", "WAL writes since the DB opened."), {{"db", db}},
        d.db.wal_writes);
  SetIf(f.Counter("tikv_exporter_rocksdb_wal_syncs_total", "WAL syncs since the DB opened."), {{"db", db}},
        d.db.wal_syncs);
  SetIf(f.Counter("tikv_exporter_rocksdb_wal_written_bytes_total", "WAL bytes written since the DB opened (RocksDB prints GB with 2 decimals)."),
        {{"db", db}}, d.db.wal_bytes);
  SetIf(f.Counter("tikv_exporter_rocksdb_stall_seconds_total", "Time writes were stalled since the DB opened."),
        {{"db", db}}, d.db.stall_seconds);
  if (d.db.stall_percent) {
    Set(f.Gauge("tikv_exporter_rocksdb_stall_ratio", "Share of uptime writes were stalled (DB Stats)."), {{"db", db}},
        *d.db.stall_percent / 100);
  }
  auto& files = f.Gauge("tikv_exporter_rocksdb_level_files", "SST files per column family and level (Sum = all levels).");
  auto& compacting = f.Gauge("tikv_exporter_rocksdb_level_compacting_files", "SST files being compacted.");
  auto& size = f.Gauge("tikv_exporter_rocksdb_level_size_bytes", "Size of the level (RocksDB prints 2 decimals of KB/MB/GB).");
  auto& score = f.Gauge("tikv_exporter_rocksdb_level_score", "Compaction score of the level (>= 1 wants compaction).");
  auto& amp = f.Gauge("tikv_exporter_rocksdb_level_write_amplification", "Write amplification of the level (W-Amp).");
  auto& read = f.Counter("tikv_exporter_rocksdb_compaction_read_bytes_total", "Bytes compactions read per level.");
  auto& written = f.Counter("tikv_exporter_rocksdb_compaction_written_bytes_total", "Bytes compactions and flushes wrote per level.");
  auto& seconds = f.Counter("tikv_exporter_rocksdb_compaction_seconds_total", "Time spent compacting per level.");
  auto& count = f.Counter("tikv_exporter_rocksdb_compactions_total", "Compactions per level.");
  for (const auto& [cf, rows] : d.levels) {
    for (const RocksDbLevelStats& row : rows) {
      if (row.level == "Int") continue;  // the interval row repeats Sum over the last period
      Labels labels = {{"cf", cf}, {"db", db}, {"level", row.level}};
      Set(files, labels, row.files);
      Set(compacting, labels, row.files_compacting);
      Set(size, labels, row.size_bytes);
      SetIf(score, labels, row.score);
      SetIf(amp, labels, row.write_amplification);
      SetIf(read, labels, row.read_bytes);
      SetIf(written, labels, row.write_bytes);
      SetIf(seconds, labels, row.compaction_seconds);
      SetIf(count, labels, row.compactions);
    }
  }
  auto& stalls = f.Counter("tikv_exporter_rocksdb_write_stalls_total",
                           "Write stalls and stops by cause as the dump counts them (cf=\"db\" for DB-wide causes).");
  for (const auto& [cf, causes] : d.write_stalls) {
    for (const auto& [cause, n] : causes) Set(stalls, {{"cause", cause}, {"cf", cf.empty() ? "db" : cf}, {"db", db}}, n);
  }
  auto& pending = f.Gauge("tikv_exporter_rocksdb_pending_compaction_bytes", "Estimated pending compaction bytes (RocksDB >= 9).");
  for (const auto& [cf, bytes] : d.pending_compaction_bytes) Set(pending, {{"cf", cf}, {"db", db}}, bytes);
  auto& tickers = f.Counter("tikv_exporter_rocksdb_ticker_total", "RocksDB statistics tickers (rocksdb.<ticker> COUNT).");
  for (const auto& [name, value] : d.tickers) {
    Set(tickers, {{"db", db}, {"ticker", name.starts_with("rocksdb.") ? name.substr(8) : name}}, value);
  }
  auto& histograms = f.Quantiles("tikv_exporter_rocksdb_stat_percentiles",
                                 "RocksDB statistics histograms (P50/P95/P99/P100, COUNT, SUM; *.micros in microseconds).");
  for (const auto& [name, h] : d.histograms) {
    const std::string id = name.starts_with("rocksdb.") ? name.substr(8) : name;
    const std::pair<const char*, double> quantiles[] = {{"0.5", h.p50}, {"0.95", h.p95}, {"0.99", h.p99}, {"1", h.p100}};
    for (const auto& [q, v] : quantiles) Set(histograms, {{"db", db}, {"quantile", q}, {"stat", id}}, v);
    histograms.samples.push_back({histograms.name + "_sum", {{"db", db}, {"stat", id}}, h.sum, std::nullopt});
    histograms.samples.push_back({histograms.name + "_count", {{"db", db}, {"stat", id}}, h.count, std::nullopt});
  }
  AddBlockCacheSeries(d, db, f);
}

}  // namespace

void AddRocksDbSeries(const RocksDbLogData& log, Families& f) {
  Set(f.Gauge("tikv_exporter_rocksdb_source_info",
              "Where the RocksDB statistics come from: debug_service (TiKV's debugpb GetMetrics) or log (the info LOG's dumps)."),
      {{"source", std::string(RocksDbSourceName(log.source))}}, 1);
  Set(f.Counter("tikv_exporter_rocksdb_dumps_total",
                "Complete stats dumps read since start: LOG dumps, or answers of TiKV's debug service."),
      {}, static_cast<double>(log.dumps));
  if (log.source == RocksDbSource::kLog) {  // records of the LOG only: the debug service has none
    auto& warnings = f.Counter("tikv_exporter_rocksdb_log_stall_warnings_total",
                               "LOG records announcing write stalls since start (kind=slowdown: \"Stalling writes\", stop: \"Stopping writes\").");
    Set(warnings, {{"kind", "slowdown"}}, static_cast<double>(log.stall_warnings));
    Set(warnings, {{"kind", "stop"}}, static_cast<double>(log.stop_warnings));
  }
  if (!log.latest) return;
  Set(f.Gauge("tikv_exporter_rocksdb_last_dump_timestamp_seconds",
              "Unix time the latest stats dump was read: from the LOG, where RocksDB dumps every stats-dump-period (TiKV: 10 min), or answered by the debug service."),
      {}, static_cast<double>(log.latest_read_ms) / 1e3);
  AddStatsSeries(*log.latest, "kv", f);
  if (log.raft) AddStatsSeries(*log.raft, "raft", f);
}

}  // namespace tikv_exporter
