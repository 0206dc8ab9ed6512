#pragma once

#include <cstdint>

#include "collectors/pd/pd_data.h"
#include "collectors/pd/store_witnesses.h"
#include "prom/family_builder.h"

namespace tikv_exporter {

// PD's series: members, the stores `store_series` hands this sidecar (StoresToServe), the cluster
// by store state, the local-store match and the cached region data.
void AddPdSeries(const PdData& pd, int64_t now_ms, StoreSeries store_series, Families& families);

}  // namespace tikv_exporter
