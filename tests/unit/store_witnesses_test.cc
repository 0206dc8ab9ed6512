#include "collectors/pd/store_witnesses.h"

#include <gtest/gtest.h>

#include <map>

namespace tikv_exporter {
namespace {

PdStore Store(uint64_t id, StoreState state, const std::string& engine = "tikv") {
  PdStore store;
  store.id = id;
  store.state = state;
  store.engine = engine;
  return store;
}

// A cluster of `n` Up TiKV stores (ids 1..n, listed out of order as PD may) seen from store `self`.
PdData Cluster(size_t n, uint64_t self) {
  PdData pd;
  for (size_t i = n; i >= 1; --i) pd.stores.push_back(Store(i, StoreState::kUp));
  pd.local_store_id = self;
  return pd;
}

// How many sidecars serve each store, when every Up TiKV store's sidecar runs.
std::map<uint64_t, size_t> ServedBy(PdData pd) {
  std::map<uint64_t, size_t> count;
  for (const PdStore& sidecar : pd.stores) {
    if (sidecar.state != StoreState::kUp || sidecar.engine != "tikv") continue;
    pd.local_store_id = sidecar.id;
    for (uint64_t id : StoresToServe(pd, StoreSeries::kWitnesses)) ++count[id];
  }
  return count;
}

TEST(StoreWitnesses, EachStoreIsServedByItsOwnSidecarAndTwoOthers) {
  for (size_t n : {3u, 10u, 1000u}) {
    std::map<uint64_t, size_t> served = ServedBy(Cluster(n, 1));
    ASSERT_EQ(served.size(), n);
    for (const auto& [id, sidecars] : served) EXPECT_EQ(sidecars, 1 + kStoreWitnesses) << "store " << id << " of " << n;
    size_t largest_share = 0;
    for (size_t self = 1; self <= n; ++self) {
      largest_share = std::max(largest_share, StoresToServe(Cluster(n, self), StoreSeries::kWitnesses).size());
    }
    EXPECT_EQ(largest_share, 1 + kStoreWitnesses) << "a sidecar's share does not grow with the cluster (" << n << ")";
  }
}

TEST(StoreWitnesses, ADownStoreIsHandedToTwoLiveSidecars) {
  PdData pd = Cluster(10, 1);
  pd.stores[3].state = StoreState::kDown;  // store 7: its sidecar went down with it
  pd.stores[4].state = StoreState::kDown;  // store 6, its neighbour, too
  std::map<uint64_t, size_t> served = ServedBy(pd);
  EXPECT_EQ(served[7], kStoreWitnesses) << "seen by two live sidecars, not by its own";
  EXPECT_EQ(served[6], kStoreWitnesses);
  for (uint64_t up : {1, 2, 3, 4, 5, 8, 9, 10}) EXPECT_EQ(served[up], 1 + kStoreWitnesses) << up;
}

TEST(StoreWitnesses, TiFlashStoresWithoutASidecarAreWitnessedToo) {
  PdData pd = Cluster(5, 1);
  pd.stores.push_back(Store(100, StoreState::kUp, "tiflash"));
  std::map<uint64_t, size_t> served = ServedBy(pd);
  EXPECT_EQ(served[100], kStoreWitnesses);
}

TEST(StoreWitnesses, AllLocalAndAnUnmatchedSidecar) {
  PdData pd = Cluster(50, 7);
  EXPECT_EQ(StoresToServe(pd, StoreSeries::kAll).size(), 50u);
  EXPECT_EQ(StoresToServe(pd, StoreSeries::kLocal), (std::unordered_set<uint64_t>{7}));
  pd.local_store_id.reset();
  EXPECT_EQ(StoresToServe(pd, StoreSeries::kWitnesses).size(), 50u) << "it cannot know its share: all";
  EXPECT_TRUE(StoresToServe(pd, StoreSeries::kLocal).empty());
}

}  // namespace
}  // namespace tikv_exporter
