#pragma once

#include "collectors/tikv/tikv_scrape.h"
#include "prom/family_builder.h"

namespace tikv_exporter {

// The TiKV collector's own series about its latest scrape: size, series, relayed series and
// tolerated parse problems. (The figures derived from TiKV are the snapshot's.)
void AddTikvScrapeSeries(const TikvScrapeSummary& scrape, Families& families);

}  // namespace tikv_exporter
