#pragma once

// Inputs shared by the snapshot tests: a TiKV scrape from exposition text, and a snapshot's
// node-health signals all set (snapshot/node_signals.h).
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "prom/exposition_writer.h"
#include "snapshot/poll_data.h"
#include "snapshot/snapshot.h"

namespace tikv_exporter::testing {

// A scrape of `text` taken at `at_ms` (wall and steady clock alike), with TiKV's /config `config`.
inline TikvScrape ScrapeOf(const std::string& text, int64_t at_ms, TikvConfig config = {}) {
  StatusOr<ParseResult> parsed = ParseExposition(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  TikvScrape scrape;
  if (parsed.ok()) scrape.metrics = std::move(parsed->exposition);
  auto summary = std::make_shared<TikvScrapeSummary>();
  summary->series = scrape.metrics.SampleCount();
  scrape.summary = std::move(summary);
  scrape.monotonic_ms = at_ms;
  scrape.timestamp_ms = at_ms;
  scrape.config = std::move(config);
  return scrape;
}

// `scrape` `after_ms` later with its series changed by `edit`: on an owning copy, written out
// and parsed again, as TiKV's next /metrics body would be.
inline TikvScrape EditedLater(const TikvScrape& scrape, int64_t after_ms, const std::function<void(Exposition&)>& edit) {
  Exposition owned = scrape.metrics.ToExposition();
  edit(owned);
  return ScrapeOf(WriteExposition(owned), scrape.monotonic_ms + after_ms, scrape.config);
}

// Sets every node-health field of `s`: an almost-full disk (reserve 5 GiB), a slow busy store.
inline void SetAllNodeSignals(Snapshot* s) {
  s->disk_headroom = DiskHeadroom{5368709120.0, "almost_full", 0};
  s->slow_store.tikv_score = {{"disk", 100}, {"network", 1}};
  s->slow_store.pd_score = 80;
  s->slow_store.pd_trend_cause_value = 3000000.5;
  s->slow_store.pd_trend_cause_rate = 2.25;
  s->slow_store.pd_trend_result_value = 1200;
  s->slow_store.pd_trend_result_rate = -0.5;
  s->slow_store.pd_busy = true;
  s->gc_safe_point_lag_seconds = 60;
  s->min_resolved_ts_gap_seconds = 0.782;
  s->tikv_ready = false;
  s->pd_store_state = StoreState::kDown;
  s->pd_gc = PdGcLag{7200, "ticdc-default-1", 7200, 1800, "", 0};
}

}  // namespace tikv_exporter::testing
