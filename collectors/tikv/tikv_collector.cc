#include "collectors/tikv/tikv_collector.h"

#include "prom/exposition_writer.h"
#include "collectors/upstream_error.h"
#include "common/clock.h"

namespace tikv_exporter {
namespace {

// TiKV's /ready answers 200 when ready and 500 when not (../shared/upstreams §1); an older TiKV
// answers 404, which means "not supported", not "down".
std::optional<bool> Readiness(HttpFetcher& fetcher, const HttpRequestOptions& options) {
  StatusOr<HttpResponse> ready = fetcher.Get("/ready", options);
  if (!ready.ok()) return std::nullopt;
  if (ready->status == 200) return true;
  if (ready->status == 500) return false;
  return std::nullopt;
}

}  // namespace

TikvCollector::TikvCollector(std::unique_ptr<HttpFetcher> fetcher, size_t max_body_bytes,
                             ParseLimits limits, RelayRules relay)
    : fetcher_(std::move(fetcher)), max_body_bytes_(max_body_bytes), limits_(limits), relay_(std::move(relay)) {}

StatusOr<std::shared_ptr<const TikvScrape>> TikvCollector::Collect(Clock::time_point deadline) {
  HttpRequestOptions options{deadline, max_body_bytes_};
  StatusOr<HttpResponse> status = fetcher_->Get("/status", options);
  if (!status.ok()) return status.status();
  if (status->status != 200) return HttpStatusError(fetcher_->base_url() + "/status", *status);
  const int64_t requested_ms = NowMs<std::chrono::system_clock>();
  const int64_t requested_monotonic_ms = NowMs<Clock>();
  StatusOr<HttpResponse> metrics = fetcher_->Get("/metrics", options);
  if (!metrics.ok()) return metrics.status();
  if (metrics->status != 200) return HttpStatusError(fetcher_->base_url() + "/metrics", *metrics);
  // No exposition format is HTML or JSON: that is a proxy's login or error page answering for
  // TiKV, and its "syntax error at line 1" would hide what really happened.
  const std::string& type = metrics->content_type;
  if (type.starts_with("text/html") || type.starts_with("application/json")) {
    return Status::Error("GET " + fetcher_->base_url() + "/metrics answered Content-Type \"" + type +
                         "\", not the Prometheus text format (a proxy in between?)");
  }
  StatusOr<ParseResult> parsed = ParseExposition(metrics->body, limits_);
  if (!parsed.ok()) {
    return parsed.status().Prefixed("GET " + fetcher_->base_url() + "/metrics: unparsable body: ");
  }
  auto scrape = std::make_shared<TikvScrape>();
  scrape->timestamp_ms = requested_ms;
  scrape->monotonic_ms = requested_monotonic_ms;
  scrape->body_bytes = metrics->body.size();
  scrape->warnings = std::move(parsed->warnings);
  scrape->metrics = std::move(parsed->exposition);
  const Exposition relay = FilterForRelay(scrape->metrics, relay_);
  scrape->relay_series = relay.SampleCount();
  scrape->relay_text = WriteExposition(relay);
  // The live config is for drift checks: its absence (TiKV < 4.0) or failure never fails a poll.
  StatusOr<HttpResponse> config = fetcher_->Get("/config", options);
  if (!config.ok()) {
    scrape->config_error = config.status().message();
  } else if (config->status != 200) {
    scrape->config_error = "GET /config answered HTTP " + std::to_string(config->status);
  } else if (StatusOr<TikvConfig> live = FlattenJson(config->body, "TiKV /config"); live.ok()) {
    scrape->config = std::move(*live);
  } else {
    scrape->config_error = live.status().message();
  }
  scrape->ready = Readiness(*fetcher_, options);
  return std::shared_ptr<const TikvScrape>(std::move(scrape));
}

}  // namespace tikv_exporter
