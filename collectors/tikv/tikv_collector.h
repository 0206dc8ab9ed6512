#pragma once

#include <memory>
#include <string_view>

#include "collectors/collector.h"
#include "prom/exposition_parser.h"
#include "collectors/http_fetcher.h"
#include "prom/relay_filter.h"

namespace tikv_exporter {

// Scrapes the local TiKV status server: GET /status (liveness: an empty 200 in every TiKV
// version), GET /metrics (gzip when TiKV >= 6.1.1 offers it), parsed into a TikvScrape, and
// GET /config (TiKV >= 4.0; optional) for config drift.
// Owns its fetcher; one Collect() at a time.
class TikvCollector : public SourceCollector<TikvScrape, &PollData::tikv> {
 public:
  TikvCollector(std::unique_ptr<HttpFetcher> fetcher, size_t max_body_bytes, ParseLimits limits,
                RelayRules relay = {});
  TikvCollector(const TikvCollector&) = delete;
  TikvCollector& operator=(const TikvCollector&) = delete;

  Source source() const override { return Source::kTikv; }
  StatusOr<std::shared_ptr<const TikvScrape>> Collect(Clock::time_point deadline) override;

 private:
  std::unique_ptr<HttpFetcher> fetcher_;
  size_t max_body_bytes_;
  ParseLimits limits_;
  RelayRules relay_;
};

}  // namespace tikv_exporter
