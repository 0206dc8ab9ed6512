#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_set>

#include "collectors/pd/pd_data.h"
#include "common/enum_names.h"

namespace tikv_exporter {

// Which stores' tikv_exporter_pd_store_* series a sidecar serves ([collectors.pd] store_series).
//   witnesses (default): this node's store and the stores this sidecar witnesses, so each store is
//     served by its own sidecar and kStoreWitnesses others: a cluster of N sidecars hands
//     Prometheus about (1 + kStoreWitnesses) × N store series, not N².
//   all: every store PD knows (N² cluster-wide; a small cluster's choice).
//   local: this node's store only (N cluster-wide, but a down store is witnessed by nobody, since
//     its own sidecar usually goes down with it).
enum class StoreSeries { kWitnesses, kAll, kLocal };
inline constexpr EnumName<StoreSeries> kStoreSeriesNames[] = {
    {StoreSeries::kWitnesses, "witnesses"}, {StoreSeries::kAll, "all"}, {StoreSeries::kLocal, "local"}};

// How many sidecars besides its own serve each store's series in `witnesses` mode: a down store
// (whose own sidecar usually went down with it) is still seen by two live ones.
inline constexpr size_t kStoreWitnesses = 2;

// The ids of the stores whose series this sidecar serves in `mode`, from PD's store list. Every
// sidecar computes the same assignment from the same list: the witnesses of a store are the
// first kStoreWitnesses Up TiKV stores after it in id order (wrapping), itself left out, so a
// store that goes down is handed to live sidecars by the next poll of each. TiFlash stores, which
// have no sidecar, are witnessed the same way. A sidecar whose own store PD does not list (no
// match) cannot know its share and serves every store (the log and
// tikv_exporter_pd_local_store_matched say why).
std::unordered_set<uint64_t> StoresToServe(const PdData& pd, StoreSeries mode);

}  // namespace tikv_exporter
