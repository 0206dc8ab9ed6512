#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <string_view>

#include "collectors/collector.h"
#include "collectors/tikv/tikv_scrape.h"
#include "prom/exposition_parser.h"
#include "collectors/http_fetcher.h"
#include "prom/relay_filter.h"

namespace tikv_exporter {

// Scrapes the local TiKV status server: GET /status (liveness: an empty 200 in every TiKV
// version), GET /metrics (gzip, which TiKV >= 6.1.1 offers, unless over loopback: AskGzip),
// parsed into a TikvScrape, GET /ready, and GET /config (TiKV >= 4.0; optional) for config
// drift. /config is on its own schedule: asked last, at most once per `config_refresh`
// (settings change by an online change or a restart), its answer kept in between; it never
// fails the poll, and its bounds (a body nested too deep) are noted in every scrape while its
// answer is the one kept.
// Owns its fetcher; one Collect() at a time.
class TikvCollector : public SourceCollector<TikvScrape> {
 public:
  static constexpr std::chrono::seconds kConfigRefresh{60};

  TikvCollector(std::unique_ptr<HttpFetcher> fetcher, size_t max_body_bytes, ParseLimits limits,
                RelayRules relay = {}, std::chrono::milliseconds config_refresh = kConfigRefresh);
  TikvCollector(const TikvCollector&) = delete;
  TikvCollector& operator=(const TikvCollector&) = delete;

  Source source() const override { return Source::kTikv; }
  StatusOr<std::shared_ptr<const TikvScrape>> Collect(Clock::time_point deadline) override;

 private:
  std::unique_ptr<HttpFetcher> fetcher_;
  size_t max_body_bytes_;
  size_t last_body_bytes_ = 0;  // of /metrics
  // The buffers of the scrape before, once it is dropped: each poll reads and parses into them.
  std::shared_ptr<ExpositionBufferPool> buffers_;
  ParseLimits limits_;
  RelayRules relay_;
  // GET /config every config_refresh_: the last answer and when it was asked.
  void RefreshConfig(const HttpRequestOptions& options);
  const std::chrono::milliseconds config_refresh_;
  std::optional<Clock::time_point> config_asked_;
  TikvConfig config_;
  std::string config_error_;
  std::vector<LimitNote> config_notes_;
};

}  // namespace tikv_exporter
