#include "collectors/tikv/tikv_metrics.h"

namespace tikv_exporter {

void AddTikvScrapeSeries(const TikvScrapeSummary& scrape, Families& f) {
  Set(f.Gauge("tikv_exporter_tikv_scrape_size_bytes",
              "Decompressed size of the latest TiKV /metrics body."),
      {}, static_cast<double>(scrape.body_bytes));
  Set(f.Gauge("tikv_exporter_tikv_scrape_series",
              "Series in the latest TiKV /metrics body."),
      {}, static_cast<double>(scrape.series));
  Set(f.Gauge("tikv_exporter_relay_series",
              "Raw TiKV series re-exposed on this endpoint ([collectors.tikv] relay)."),
      {}, static_cast<double>(scrape.relay_series));
  Set(f.Gauge("tikv_exporter_tikv_parse_warnings",
              "Problems the parser tolerated in the latest TiKV /metrics body (duplicate series, no final newline, invalid UTF-8 replaced)."),
      {}, static_cast<double>(scrape.warnings.size()));
}

}  // namespace tikv_exporter
