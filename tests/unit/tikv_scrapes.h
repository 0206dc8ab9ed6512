#pragma once

#include <string>

#include <gtest/gtest.h>

#include "collectors/poll_data.h"

namespace tikv_exporter::testing {

// A TiKV scrape of exposition `text` taken at `at_ms` (both clocks).
inline TikvScrape ScrapeOf(const std::string& text, int64_t at_ms) {
  StatusOr<ParseResult> parsed = ParseExposition(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  TikvScrape scrape;
  scrape.metrics = std::move(parsed->exposition);
  scrape.monotonic_ms = at_ms;
  scrape.timestamp_ms = at_ms;
  return scrape;
}

}  // namespace tikv_exporter::testing
