#pragma once

#include "snapshot/poll_data.h"
#include "snapshot/snapshot.h"

namespace tikv_exporter {

// Request types left out of QPS and latency, as TiKV's official dashboards do: kv_gc is a
// deprecated RPC whose durations are dominated by GC work, not by client requests.
inline constexpr const char* kExcludedRequestTypes[] = {"kv_gc"};

// Fills the TiKV-derived fields of `snapshot` (storage, engine sizes, pending compaction,
// version, node signals of node_signals.h) from `current`, and — when `previous` is given and older — the window's rates:
// QPS, latency average and quantiles, cache and bloom ratios, write-stall time.
// Pure function of its inputs; thread-safe.
void AddTikvMetrics(const TikvScrape* previous, const TikvScrape& current, Snapshot* snapshot);

// A copy of `scrape` with only what AddTikvMetrics reads from a `previous` scrape (the counter
// families rates come from, and the timestamps): the poller keeps this, not the whole scrape,
// until the next poll — a fraction of the memory for TiKV's thousands of other series.
TikvScrape KeepRateInputs(const TikvScrape& scrape);

// Older TiKV (< 5.4) has no used size: PD's figure for this node's store replaces the sum of
// engine sizes when PD knows the store. Call after AddTikvMetrics.
void AddPdStoreSize(const PdData& pd, Snapshot* snapshot);

// Fills the kv db's block-cache, bloom-filter and write-stall signals that TiKV's /metrics did
// not give from the increase between the LOG's two latest stats dumps, and records in
// signal_sources where each signal came from. Call after AddTikvMetrics.
void AddRocksDbLogSignals(const RocksDbLogData& log, Snapshot* snapshot);

}  // namespace tikv_exporter
