#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "collectors/exposition.h"
#include "collectors/exposition_parser.h"
#include "collectors/pd_data.h"
#include "collectors/flat_json.h"

namespace tikv_exporter {

// One successful scrape of the TiKV status server.
struct TikvScrape {
  int64_t timestamp_ms = 0;  // wall clock when /metrics was requested, for display
  int64_t monotonic_ms = 0;  // steady clock at the same moment: rate windows use this
  Exposition metrics;
  size_t body_bytes = 0;
  std::vector<ParseWarning> warnings;
  // TiKV's live /config, flattened; empty when TiKV has no /config (< 4.0) or it failed.
  TikvConfig config;
  std::string config_error;  // what the parser tolerated (duplicates, no final newline)
};

// What one poll gathered from every source. Each collector fills only its own member, so
// collectors running in parallel never touch the same data. Missing means down or disabled.
struct PollData {
  std::shared_ptr<const TikvScrape> tikv;
  std::shared_ptr<const PdData> pd;
};

}  // namespace tikv_exporter
