#pragma once

#include <string_view>

#include "snapshot/poll_data.h"
#include "snapshot/snapshot.h"

namespace tikv_exporter {

// The pool a TiKV thread belongs to, from its name as tikv_thread_cpu_seconds_total{name} gives it
// (truncated to 15 characters by Linux): raftstore, apply, scheduler, grpc, unified_read_pool,
// coprocessor, storage_read, store_write, rocksdb, or "other". '-' and '_' are the same, so both
// "sched-worker-pool" and "sched_worker_po" are the scheduler.
std::string_view PoolOfThread(std::string_view thread_name);

// Fills snapshot->pressure from the two scrapes: the start time from `current` alone; the rest only
// when `previous` is older (the window's p99s, rates and ratios). Pure; thread-safe.
void AddPressureSignals(const TikvScrape* previous, const TikvScrape& current, Snapshot* snapshot);

// The families AddPressureSignals reads from a previous scrape.
std::vector<std::string_view> PressureInputFamilies();

// Carries the count of TiKV restarts seen since the exporter started from the previous snapshot
// (nullptr on the first poll) and adds this window's restart. Call after AddTikvMetrics.
void CountTikvRestarts(const Snapshot* previous, Snapshot* current);

}  // namespace tikv_exporter
