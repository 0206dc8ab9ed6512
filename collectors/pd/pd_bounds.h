#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "collectors/pd/pd_data.h"
#include "common/limits.h"
#include "common/status.h"

namespace tikv_exporter {

// What one PD poll may hold, whatever PD sends (docs/operations.md). A cluster has at most a few
// thousand stores and a handful of PD members; beyond these a body is not a real cluster's, and it
// would cost the sidecar memory and /metrics size (100,000 stores: 1.1 GB RSS, a 67 MB /metrics).
inline constexpr size_t kPdMaxStores = 10000;
inline constexpr size_t kPdMaxMembers = 64;
// The tikv_exporter_pd_store_* series of one store (pd_metrics.cc): info, 6 states, 3 sizes,
// regions, leaders, 2 scores, heartbeat age.
inline constexpr size_t kPdSeriesPerStore = 15;

// The stores one poll keeps: kPdMaxStores, fewer when PD's share of max_series_per_poll
// (series_share.h) holds fewer stores' series.
size_t PdMaxStores(size_t series_share);

// Makes one poll's PD answer safe to export, whichever protocol brought it:
// - stores past `max_stores` and members past kPdMaxMembers are left out (pd_stores, pd_members);
// - every string that becomes a label value (addresses, versions, engine, member names) is cut to
//   `max_string_bytes` at a character boundary, the store kept; a member's client URL that long
//   is left out, as a URL cut short would be asked as another address (pd_string_bytes);
// - a store without an id, with an unknown state or with an id seen before is dropped, counted in
//   data->invalid_stores with the first one named in data->invalid_store_example.
// Each bound hit is appended to `notes` once per poll. Fails (an error of PD's /stores, naming
// the first invalid entry) only when stores were listed and none of them is valid. Pure.
Status BoundPdData(size_t max_stores, size_t max_string_bytes, PdData* data,
                   std::vector<LimitNote>* notes);

}  // namespace tikv_exporter
