#pragma once

#include <cstddef>
#include <string>

#include "collectors/pd/pd_data.h"
#include "snapshot/poll_data.h"

namespace tikv_exporter {

// At most this many stores are listed by /api/v1/cluster; the rest are counted in
// "stores_left_out" (this node's store is always listed).
inline constexpr size_t kClusterMaxStores = 200;
// At most this many column families are listed by /api/v1/rocksdb ("cfs_left_out" counts the rest).
inline constexpr size_t kRocksDbMaxColumnFamilies = 32;

// GET /api/v1/cluster: the stores of the latest PD poll for the status page — id, addresses,
// state, engine, capacity / available / used bytes and the used share of the disk, regions,
// leaders, slow score and busy flag (each absent when PD left it out), this node's store marked
// "local" and listed first, the others by id, at most `max_stores`.
std::string ClusterJson(const PdData& pd, size_t max_stores = kClusterMaxStores);

// GET /api/v1/rocksdb: the level tables (files, files compacting, size, score per level and the
// "Sum" row) of each column family in the LOG's latest stats dump. "" when no dump was read yet.
std::string RocksDbLevelsJson(const RocksDbLogData& log, size_t max_cfs = kRocksDbMaxColumnFamilies);

}  // namespace tikv_exporter
