#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/flat_json.h"
#include "common/limits.h"
#include "prom/exposition.h"
#include "prom/exposition_parser.h"

namespace tikv_exporter {

// One raw TiKV family selected for re-exposure, written once per poll in both formats /metrics
// answers, so a scrape only appends it.
struct RelayedFamily {
  std::string name;
  std::string text;         // text format 0.0.4
  std::string openmetrics;  // OpenMetrics 1.0 (without "# EOF")
};

// What the exporter's own /metrics serves of a TiKV scrape: its size, the families it relays and
// what the parser tolerated. Held apart from the parsed model, which only the poll's assembly
// reads: a published poll keeps just this, and the model's buffers go back to the collector for
// its next parse as soon as the poll is assembled (ExpositionBufferPool).
struct TikvScrapeSummary {
  size_t body_bytes = 0;
  size_t series = 0;
  std::vector<ParseWarning> warnings;  // what the parser tolerated (duplicates, no final newline)
  // The raw families selected for re-exposure ([collectors.tikv] relay), already written:
  // appended to every scrape of the exporter (but those whose name the exporter serves itself).
  std::vector<RelayedFamily> relay;
  size_t relay_series = 0;
};

// One successful scrape of the TiKV status server.
struct TikvScrape {
  int64_t timestamp_ms = 0;  // wall clock when /metrics was requested, for display
  int64_t monotonic_ms = 0;  // steady clock at the same moment: rate windows use this
  ParsedExposition metrics;
  std::shared_ptr<const TikvScrapeSummary> summary;  // set by the collector
  // TiKV's live /config, flattened; empty when TiKV has no /config (< 4.0) or it failed.
  TikvConfig config;
  std::string config_error;  // why /config could not be read, when it could not
  std::vector<LimitNote> limit_notes;  // the bounds this scrape hit without failing (/config's)
  // GET /ready (TiKV master 2025-03 / v8.5.6 builds): true on 200, false on 500; absent when TiKV
  // has no /ready (404) or the request failed. Never fails a poll.
  std::optional<bool> ready;
};

}  // namespace tikv_exporter
