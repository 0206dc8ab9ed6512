#include "collectors/tikv/tikv_metrics.h"

#include <gtest/gtest.h>

#include "tests/unit/exposition_checks.h"

namespace tikv_exporter::testing {
namespace {

// A scrape of three samples in two families, two tolerated problems and five relayed series.
TikvScrape Scrape() {
  TikvScrape scrape;
  scrape.metrics = std::move(ParseExposition("tikv_ops_total{type=\"get\"} 4\ntikv_ops_total{type=\"put\"} 2\ntikv_up 1\n")->exposition);
  scrape.body_bytes = 123456;
  scrape.relay_series = 5;
  scrape.warnings = {{7, "duplicate series tikv_up"}, {9, "no final newline"}};
  return scrape;
}

const std::vector<std::string_view> kFamilies = {
    "tikv_exporter_tikv_scrape_size_bytes", "tikv_exporter_tikv_scrape_series",
    "tikv_exporter_relay_series", "tikv_exporter_tikv_parse_warnings"};

TEST(TikvMetrics, AddsTheFourScrapeSeriesWithTheirValues) {
  Families families;
  AddTikvScrapeSeries(Scrape(), families);
  EXPECT_EQ(WrittenFamilies(families),
            std::vector<std::string>(kFamilies.begin(), kFamilies.end()));
  EXPECT_EQ(SeriesOf(families, kFamilies),
            (Series{{"tikv_exporter_tikv_scrape_size_bytes{}", 123456},
                    // sample lines: 2 of tikv_ops_total, 1 of tikv_up
                    {"tikv_exporter_tikv_scrape_series{}", 3},
                    {"tikv_exporter_relay_series{}", 5},
                    {"tikv_exporter_tikv_parse_warnings{}", 2}}));
  for (const MetricFamily& family : families.exposition().families()) {
    EXPECT_EQ(family.type, MetricType::kGauge) << family.name;
  }
}

TEST(TikvMetrics, AnEmptyScrapeGivesZeroesNotNothing) {
  // A TiKV that answered with an empty body is up: its figures are 0, not absent.
  Families families;
  AddTikvScrapeSeries(TikvScrape{}, families);
  EXPECT_EQ(SeriesOf(families, kFamilies), (Series{{"tikv_exporter_tikv_scrape_size_bytes{}", 0},
                                                   {"tikv_exporter_tikv_scrape_series{}", 0},
                                                   {"tikv_exporter_relay_series{}", 0},
                                                   {"tikv_exporter_tikv_parse_warnings{}", 0}}));
}

TEST(TikvMetrics, PassesPromtoolWithNoSeriesTwice) {
  Families families;
  AddTikvScrapeSeries(Scrape(), families);
  ExpectWellFormed(families);
}

}  // namespace
}  // namespace tikv_exporter::testing
