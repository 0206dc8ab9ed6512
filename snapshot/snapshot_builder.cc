#include "snapshot/snapshot_builder.h"

#include <algorithm>
#include <map>
#include <string>
#include <string_view>

#include "prom/histogram.h"
#include "snapshot/pressure_builder.h"

namespace tikv_exporter {
namespace {

constexpr double kQuantiles[] = {0.5, 0.95, 0.99};

using ByLabel = std::map<std::string, double, std::less<>>;

// Sums the samples of `family` grouped by `group_label`, keeping only samples whose `type`
// label equals `type` when `type` is not empty. (In TiKV v5.3 every ticker type appears under
// every tikv_engine_* family, so a ticker must always be selected by type.)
ByLabel SumBy(const ParsedExposition& exposition, std::string_view family_name,
              std::string_view group_label, std::string_view type = {}) {
  ByLabel sums;
  const ParsedFamily* family = exposition.Find(family_name);
  if (family == nullptr) return sums;
  for (const ParsedSample& sample : family->samples) {
    if (sample.name != family->name) continue;
    if (!type.empty() && sample.LabelValue("type") != type) continue;
    sums[std::string(sample.LabelValue(group_label))] += sample.value;
  }
  return sums;
}

double ValueOr0(const ByLabel& values, std::string_view key) {
  auto it = values.find(key);
  return it == values.end() ? 0 : it->second;
}

// Increase of a ticker per db over the window; a series missing before counts as 0, which is
// what TiKV's simplify-metrics means by leaving it out.
ByLabel TickerIncreaseByDb(const ParsedExposition& previous, const ParsedExposition& current,
                           std::string_view family, std::string_view type) {
  ByLabel before = SumBy(previous, family, "db", type);
  ByLabel increase;
  for (const auto& [db, value] : SumBy(current, family, "db", type)) {
    increase[db] = CounterIncrease(ValueOr0(before, db), value);
  }
  return increase;
}

bool IsExcludedType(std::string_view type) {
  return std::any_of(std::begin(kExcludedRequestTypes), std::end(kExcludedRequestTypes),
                     [&](const char* excluded) { return type == excluded; });
}

LatencyQuantiles QuantilesOf(const Histogram& increase) {
  LatencyQuantiles q;
  q.p50 = HistogramQuantile(kQuantiles[0], increase);
  q.p95 = HistogramQuantile(kQuantiles[1], increase);
  q.p99 = HistogramQuantile(kQuantiles[2], increase);
  return q;
}

// The counters rates are computed from: the only families read from the previous scrape.
constexpr std::string_view kRequestFamily = "tikv_grpc_msg_duration_seconds";
constexpr std::string_view kCacheFamily = "tikv_engine_cache_efficiency";
constexpr std::string_view kBloomFamily = "tikv_engine_bloom_efficiency";
constexpr std::string_view kStallFamily = "tikv_engine_stall_micro_seconds";
constexpr std::string_view kRateFamilies[] = {kRequestFamily, kCacheFamily, kBloomFamily, kStallFamily};

void AddRequestRates(const TikvScrape& previous, const TikvScrape& current, double window,
                     Snapshot* snapshot) {
  constexpr std::string_view kFamily = kRequestFamily;
  std::map<std::string, Histogram, std::less<>> before;
  for (auto& [type, histogram] : HistogramsByLabel(previous.metrics, kFamily, "type")) {
    before.emplace(type, std::move(histogram));
  }
  const ParsedFamily* family = current.metrics.Find(kFamily);
  if (family == nullptr || family->type != MetricType::kHistogram) return;

  Histogram total;
  for (const auto& [type, histogram] : HistogramsByLabel(current.metrics, kFamily, "type")) {
    if (IsExcludedType(type)) continue;
    auto old = before.find(type);
    Histogram increase = old == before.end() ? histogram : HistogramIncrease(old->second, histogram);
    RequestTypeStats stats;
    stats.qps = increase.count / window;
    if (increase.count > 0) {
      stats.average_seconds = increase.sum / increase.count;
      stats.quantiles_seconds = QuantilesOf(increase);
    }
    snapshot->by_type[type] = stats;
    total.Add(increase);
  }
  snapshot->qps = total.count / window;
  if (total.count > 0) {
    snapshot->latency_average_seconds = total.sum / total.count;
    snapshot->latency_seconds = QuantilesOf(total);
  }
}

void AddEngineRatios(const ParsedExposition& previous, const ParsedExposition& current, Snapshot* snapshot) {
  constexpr std::string_view kCache = kCacheFamily;
  struct Block {
    const char* name;
    const char* hit;
    const char* miss;
  };
  constexpr Block kBlocks[] = {{"all", "block_cache_hit", "block_cache_miss"},
                               {"data", "block_cache_data_hit", "block_cache_data_miss"},
                               {"index", "block_cache_index_hit", "block_cache_index_miss"},
                               {"filter", "block_cache_filter_hit", "block_cache_filter_miss"}};
  for (const Block& block : kBlocks) {
    ByLabel hits = TickerIncreaseByDb(previous, current, kCache, block.hit);
    ByLabel misses = TickerIncreaseByDb(previous, current, kCache, block.miss);
    for (const auto& [db, hit] : hits) {
      double lookups = hit + ValueOr0(misses, db);
      if (lookups > 0) snapshot->block_cache_hit_ratio[db][block.name] = hit / lookups;
    }
  }

  // RocksDB >= 8.10 (TiKV >= 8.4) counts prefix-seek filtering per level; older versions have
  // bloom_prefix_useful / bloom_prefix_checked. Both are "seeks the filter saved / seeks".
  constexpr std::string_view kBloom = kBloomFamily;
  ByLabel filtered = TickerIncreaseByDb(previous, current, kBloom, "last_level_seek_filtered");
  for (const auto& [db, v] :
       TickerIncreaseByDb(previous, current, kBloom, "non_last_level_seek_filtered")) {
    filtered[db] += v;
  }
  ByLabel matched = TickerIncreaseByDb(previous, current, kBloom, "last_level_seek_filter_match");
  for (const auto& [db, v] :
       TickerIncreaseByDb(previous, current, kBloom, "non_last_level_seek_filter_match")) {
    matched[db] += v;
  }
  ByLabel useful = TickerIncreaseByDb(previous, current, kBloom, "bloom_prefix_useful");
  ByLabel checked = TickerIncreaseByDb(previous, current, kBloom, "bloom_prefix_checked");
  for (const auto& [db, saved] : filtered) {
    double seeks = saved + ValueOr0(matched, db);
    if (seeks > 0) snapshot->bloom_filter_useful_ratio[db] = saved / seeks;
  }
  for (const auto& [db, saved] : useful) {
    double seeks = ValueOr0(checked, db);
    if (seeks > 0 && !snapshot->bloom_filter_useful_ratio.contains(db)) {
      snapshot->bloom_filter_useful_ratio[db] = saved / seeks;
    }
  }

  for (const auto& [db, micros] :
       TickerIncreaseByDb(previous, current, kStallFamily, {})) {
    snapshot->write_stall_seconds[db] = micros / 1e6;
  }
}

void AddLevels(const ParsedExposition& metrics, Snapshot* snapshot) {
  ByLabel store = SumBy(metrics, "tikv_store_size_bytes", "type");
  auto take = [&](std::string_view type, std::optional<double>* out) {
    auto it = store.find(type);
    if (it != store.end()) *out = it->second;
  };
  take("capacity", &snapshot->storage.capacity_bytes);
  take("available", &snapshot->storage.available_bytes);
  take("used", &snapshot->storage.used_bytes);

  for (const auto& [db, bytes] : SumBy(metrics, "tikv_engine_size_bytes", "db")) {
    snapshot->engine_size_bytes[db] = bytes;
  }
  if (snapshot->storage.used_bytes) {
    snapshot->storage.used_source = "tikv";
  } else if (!snapshot->engine_size_bytes.empty()) {
    double used = 0;
    for (const auto& [db, bytes] : snapshot->engine_size_bytes) used += bytes;
    snapshot->storage.used_bytes = used;
    snapshot->storage.used_source = "engine_size_sum";
  }
  for (const auto& [db, bytes] : SumBy(metrics, "tikv_engine_pending_compaction_bytes", "db")) {
    snapshot->compaction_pending_bytes[db] = bytes;
  }
  if (const ParsedFamily* info = metrics.Find("tikv_server_info");
      info != nullptr && !info->samples.empty()) {
    snapshot->tikv_version = std::string(info->samples.front().LabelValue("version"));
  }
}

}  // namespace

void AddRocksDbLogSignals(const RocksDbLogData& log, Snapshot* snapshot) {
  const bool tikv_cache = snapshot->block_cache_hit_ratio.contains("kv");
  const bool tikv_bloom = snapshot->bloom_filter_useful_ratio.contains("kv");
  const bool tikv_stall = snapshot->write_stall_seconds.contains("kv");
  if (tikv_cache) snapshot->signal_sources["block_cache"] = "tikv";
  if (tikv_bloom) snapshot->signal_sources["bloom_filter"] = "tikv";
  if (tikv_stall) snapshot->signal_sources["write_stall"] = "tikv";
  if (!log.latest || !log.previous) return;
  // Both dumps come from one source: the LOG's periodic dumps or two calls of the debug service.
  const std::string from_dumps = log.source == RocksDbSource::kDebugService ? "rocksdb_debug_service" : "rocksdb_log";
  const auto& now = log.latest->tickers;
  const auto& before = log.previous->tickers;
  // RocksDB prints every ticker in each STATISTICS section, so a ticker missing from a dump means
  // the dump had none (statistics off, or cut short), not 0: a counter read as 0 there would turn
  // its whole cumulative value into this window's increase (a phantom write stall).
  auto increase = [&](const std::string& ticker) -> std::optional<double> {
    auto current = now.find(ticker);
    auto old = before.find(ticker);
    if (current == now.end() || old == before.end()) return std::nullopt;
    return CounterIncrease(old->second, current->second);
  };
  if (!tikv_cache) {
    const std::pair<const char*, const char*> kBlocks[] = {
        {"all", "rocksdb.block.cache."}, {"data", "rocksdb.block.cache.data."},
        {"index", "rocksdb.block.cache.index."}, {"filter", "rocksdb.block.cache.filter."}};
    for (const auto& [block, prefix] : kBlocks) {
      std::optional<double> hits = increase(std::string(prefix) + "hit");
      std::optional<double> misses = increase(std::string(prefix) + "miss");
      if (hits && misses && *hits + *misses > 0) {
        snapshot->block_cache_hit_ratio["kv"][block] = *hits / (*hits + *misses);
        snapshot->signal_sources["block_cache"] = from_dumps;
      }
    }
  }
  if (!tikv_bloom) {
    // Point lookups the filter ruled out / lookups it was asked about (useful + positive).
    std::optional<double> useful = increase("rocksdb.bloom.filter.useful");
    std::optional<double> positive = increase("rocksdb.bloom.filter.full.positive");
    if (useful && positive && *useful + *positive > 0) {
      snapshot->bloom_filter_useful_ratio["kv"] = *useful / (*useful + *positive);
      snapshot->signal_sources["bloom_filter"] = from_dumps;
    }
  }
  if (!tikv_stall) {
    // The increase spans the time between the two dumps (stats-dump-period, 10 min in TiKV, or
    // far more when the LOG was quiet), not the poll window: their uptimes measure it. Without
    // both, or across a restart (uptime starts again), there is no rate to give.
    const std::optional<double> uptime_now = log.latest->db.uptime_seconds;
    const std::optional<double> uptime_before = log.previous->db.uptime_seconds;
    std::optional<double> micros = increase("rocksdb.stall.micros");
    if (micros && uptime_now && uptime_before && *uptime_now > *uptime_before) {
      snapshot->write_stall_seconds["kv"] = *micros / 1e6;
      snapshot->write_stall_log_dumps_seconds = *uptime_now - *uptime_before;
      snapshot->signal_sources["write_stall"] = from_dumps;
    }
  }
}

void AddPdStoreSize(const PdData& pd, Snapshot* snapshot) {
  if (snapshot->storage.used_source == "tikv" || !pd.local_store_id) return;
  for (const PdStore& store : pd.stores) {
    if (store.id == *pd.local_store_id && store.used_bytes) {
      snapshot->storage.used_bytes = store.used_bytes;
      snapshot->storage.used_source = "pd";
    }
  }
}

TikvScrape KeepRateInputs(const TikvScrape& scrape) {
  TikvScrape kept;
  kept.timestamp_ms = scrape.timestamp_ms;
  kept.monotonic_ms = scrape.monotonic_ms;
  std::vector<std::string_view> families = PressureInputFamilies();
  families.insert(families.end(), std::begin(kRateFamilies), std::end(kRateFamilies));
  kept.metrics = scrape.metrics.Subset(families);
  return kept;
}

void AddTikvMetrics(const TikvScrape* previous, const TikvScrape& current, Snapshot* snapshot) {
  AddLevels(current.metrics, snapshot);
  AddPressureSignals(previous, current, snapshot);
  AddTikvNodeSignals(current, snapshot);
  if (previous == nullptr || previous->monotonic_ms >= current.monotonic_ms) return;
  double window = static_cast<double>(current.monotonic_ms - previous->monotonic_ms) / 1000.0;
  snapshot->window_seconds = window;
  AddRequestRates(*previous, current, window, snapshot);
  AddEngineRatios(previous->metrics, current.metrics, snapshot);
}

}  // namespace tikv_exporter
