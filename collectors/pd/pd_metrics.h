#pragma once

#include <cstdint>

#include "collectors/pd/pd_data.h"
#include "prom/family_builder.h"

namespace tikv_exporter {

// PD's series: members, stores (every store, or only this node's with
// `local_store_series_only`), the local-store match and the cached region data.
void AddPdSeries(const PdData& pd, int64_t now_ms, bool local_store_series_only, Families& families);

}  // namespace tikv_exporter
