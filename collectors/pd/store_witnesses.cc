#include "collectors/pd/store_witnesses.h"

#include <algorithm>
#include <vector>

namespace tikv_exporter {

std::unordered_set<uint64_t> StoresToServe(const PdData& pd, StoreSeries mode) {
  std::unordered_set<uint64_t> serve;
  const bool matched = pd.local_store_id.has_value();
  if (mode == StoreSeries::kLocal) {
    if (matched) serve.insert(*pd.local_store_id);
    return serve;
  }
  if (mode == StoreSeries::kAll || !matched) {
    for (const PdStore& store : pd.stores) serve.insert(store.id);
    return serve;
  }
  const uint64_t self = *pd.local_store_id;
  serve.insert(self);
  // The witnesses' ring: live sidecars, i.e. Up stores that run TiKV.
  std::vector<uint64_t> ring;
  for (const PdStore& store : pd.stores) {
    if (store.state == StoreState::kUp && store.engine == "tikv") ring.push_back(store.id);
  }
  std::sort(ring.begin(), ring.end());
  if (!std::binary_search(ring.begin(), ring.end(), self)) return serve;  // witnesses nothing now
  for (const PdStore& store : pd.stores) {
    // The first kStoreWitnesses ring members after the store, wrapping, the store itself skipped.
    auto next = std::upper_bound(ring.begin(), ring.end(), store.id);
    size_t chosen = 0;
    for (size_t step = 0; step < ring.size() && chosen < kStoreWitnesses; ++step, ++next) {
      if (next == ring.end()) next = ring.begin();
      if (*next == store.id) continue;
      if (*next == self) {
        serve.insert(store.id);
        break;
      }
      ++chosen;
    }
  }
  return serve;
}

}  // namespace tikv_exporter
