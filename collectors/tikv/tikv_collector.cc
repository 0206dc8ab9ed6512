#include "collectors/tikv/tikv_collector.h"

#include <algorithm>

#include "prom/exposition_writer.h"
#include "prom/openmetrics_writer.h"
#include "collectors/upstream_error.h"
#include "common/clock.h"

namespace tikv_exporter {
namespace {

// TiKV's /ready answers 200 when ready and 500 when not (docs/upstreams/tikv-pd-rocksdb.md §1); an older TiKV
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
                             ParseLimits limits, RelayRules relay, std::chrono::milliseconds config_refresh)
    : fetcher_(std::move(fetcher)),
      max_body_bytes_(max_body_bytes),
      // The buffers of a body of max_body_bytes are about 3.5 times its size.
      buffers_(std::make_shared<ExpositionBufferPool>(4 * max_body_bytes)),
      limits_(limits),
      relay_(std::move(relay)),
      config_refresh_(config_refresh) {}

void TikvCollector::RefreshConfig(const HttpRequestOptions& options) {
  const Clock::time_point now = Clock::now();
  if (config_asked_ && now - *config_asked_ < config_refresh_) return;
  config_asked_ = now;
  config_notes_.clear();
  StatusOr<HttpResponse> config = fetcher_->Get("/config", options);
  if (!config.ok()) {
    config_error_ = config.status().message();
  } else if (config->status != 200) {
    config_error_ = "GET /config answered HTTP " + std::to_string(config->status);
  } else if (StatusOr<TikvConfig> live = FlattenJson(config->body, "TiKV /config"); live.ok()) {
    config_ = std::move(*live);
    config_error_.clear();
    return;
  } else {
    config_error_ = live.status().message();
    if (live.status().limit()) config_notes_.push_back({*live.status().limit(), config_error_});
  }
  config_.clear();  // a config that cannot be read now is not compared as if it could
}

StatusOr<std::shared_ptr<const TikvScrape>> TikvCollector::Collect(Clock::time_point deadline) {
  const PollConnection connection(*fetcher_);  // the poll's GETs share one connection
  HttpRequestOptions options{deadline, max_body_bytes_};
  options.keep_connection = true;
  StatusOr<HttpResponse> status = fetcher_->Get("/status", options);
  if (!status.ok()) return status.status();
  if (status->status != 200) return HttpStatusError(fetcher_->base_url() + "/status", *status);
  const int64_t requested_ms = NowMs<std::chrono::system_clock>();
  const int64_t requested_monotonic_ms = NowMs<Clock>();
  HttpRequestOptions metrics_options = options;
  // Read into the last scrape's buffer, or one of the last body's size, so that the body does not
  // grow by doubling.
  ExpositionBuffers buffers = buffers_->Take();
  buffers.body.reserve(std::min(last_body_bytes_, max_body_bytes_));
  metrics_options.body_buffer = &buffers.body;
  StatusOr<HttpResponse> metrics = fetcher_->Get("/metrics", metrics_options);
  if (!metrics.ok()) return metrics.status();
  if (metrics->status != 200) return HttpStatusError(fetcher_->base_url() + "/metrics", *metrics);
  // No exposition format is HTML or JSON: that is a proxy's login or error page answering for
  // TiKV, and its "syntax error at line 1" would hide what really happened.
  const std::string& type = metrics->content_type;
  if (type.starts_with("text/html") || type.starts_with("application/json")) {
    return Status::Malformed("GET " + fetcher_->base_url() + "/metrics answered Content-Type \"" + type +
                         "\", not the Prometheus text format (a proxy in between?)");
  }
  const size_t body_bytes = metrics->body.size();
  last_body_bytes_ = body_bytes;
  buffers.body = std::move(metrics->body);
  StatusOr<ParseResult> parsed = ParseExposition(std::move(buffers), limits_, buffers_);  // the scrape keeps them
  if (!parsed.ok()) {
    return parsed.status().Prefixed("GET " + fetcher_->base_url() + "/metrics: unparsable body: ");
  }
  auto scrape = std::make_shared<TikvScrape>();
  scrape->timestamp_ms = requested_ms;
  scrape->monotonic_ms = requested_monotonic_ms;
  scrape->metrics = std::move(parsed->exposition);
  auto summary = std::make_shared<TikvScrapeSummary>();
  summary->body_bytes = body_bytes;
  summary->series = scrape->metrics.SampleCount();
  summary->warnings = std::move(parsed->warnings);
  const Exposition relay = FilterForRelay(scrape->metrics, relay_);
  summary->relay_series = relay.SampleCount();
  for (const MetricFamily& family : relay.families()) {
    if (family.samples.empty()) continue;
    RelayedFamily& written = summary->relay.emplace_back();
    written.name = family.name;
    AppendFamily(family, &written.text);
    AppendOpenMetricsFamily(family, &written.openmetrics);
  }
  scrape->summary = std::move(summary);
  scrape->ready = Readiness(*fetcher_, options);
  // The live config is for drift checks: its absence (TiKV < 4.0) or failure never fails a poll.
  RefreshConfig(options);
  scrape->config = config_;
  scrape->config_error = config_error_;
  scrape->limit_notes = config_notes_;
  return std::shared_ptr<const TikvScrape>(std::move(scrape));
}

}  // namespace tikv_exporter
