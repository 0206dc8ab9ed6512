#include "collectors/tikv/tikv_metrics.h"

#include <gtest/gtest.h>

#include "tests/unit/exposition_checks.h"

namespace tikv_exporter::testing {
namespace {

// A scrape of three samples, two tolerated problems and five relayed series.
TikvScrapeSummary Scrape() {
  TikvScrapeSummary scrape;
  scrape.body_bytes = 123456;
  scrape.series = 3;
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
  AddTikvScrapeSeries(TikvScrapeSummary{}, families);
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
