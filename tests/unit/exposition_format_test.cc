// Content negotiation of /metrics: which Accept headers get OpenMetrics.

#include <gtest/gtest.h>

#include <string>

#include "exporter/exposition_format.h"

namespace tikv_exporter {
namespace {

constexpr ExpositionFormat kText = ExpositionFormat::kText;
constexpr ExpositionFormat kOpenMetrics = ExpositionFormat::kOpenMetrics;

TEST(ExpositionFormat, WhatScrapersSend) {
  // Prometheus 2.42 (Debian 12), copied from its binary; and with native histograms on.
  EXPECT_EQ(ChooseExpositionFormat("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
                                   "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
            kOpenMetrics);
  EXPECT_EQ(ChooseExpositionFormat("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                                   "encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,"
                                   "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;"
                                   "q=0.5,*/*;q=0.1"),
            kOpenMetrics);
  // Prometheus >= 3 offers text first when scrape_protocols says so.
  EXPECT_EQ(ChooseExpositionFormat("text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5"),
            kText);
  // curl, a browser, no header at all.
  EXPECT_EQ(ChooseExpositionFormat("*/*"), kText);
  EXPECT_EQ(ChooseExpositionFormat("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"), kText);
  EXPECT_EQ(ChooseExpositionFormat(""), kText);
}

TEST(ExpositionFormat, QValuesDecideNotTheOrder) {
  EXPECT_EQ(ChooseExpositionFormat("text/plain;q=0.3, application/openmetrics-text;q=0.7"), kOpenMetrics);
  EXPECT_EQ(ChooseExpositionFormat("application/openmetrics-text;q=0.3, text/plain;q=0.7"), kText);
  // Equal q: the first sent wins.
  EXPECT_EQ(ChooseExpositionFormat("application/openmetrics-text, text/plain"), kOpenMetrics);
  EXPECT_EQ(ChooseExpositionFormat("text/plain, application/openmetrics-text"), kText);
  // q=0 refuses; spaces, case and quoted parameters are tolerated.
  EXPECT_EQ(ChooseExpositionFormat("application/openmetrics-text;q=0, text/plain;q=0.1"), kText);
  EXPECT_EQ(ChooseExpositionFormat("application/openmetrics-text;q=0.000"), kText);
  EXPECT_EQ(ChooseExpositionFormat(" Application/OpenMetrics-Text ; Version=\"1.0.0\" ; Q=0.5 , text/plain;q=0.4"),
            kOpenMetrics);
}

TEST(ExpositionFormat, OnlyVersionOneOfOpenMetrics) {
  EXPECT_EQ(ChooseExpositionFormat("application/openmetrics-text;version=0.0.1"), kText);
  EXPECT_EQ(ChooseExpositionFormat("application/openmetrics-text;version=2.0.0,text/plain"), kText);
  EXPECT_EQ(ChooseExpositionFormat("application/openmetrics-text;version=0.0.1,application/openmetrics-text;q=0.2"),
            kOpenMetrics);
}

TEST(ExpositionFormat, MalformedHeadersFallBackToText) {
  for (const char* accept : {"application/openmetrics-text;q=2", "application/openmetrics-text;q=-1",
                             "application/openmetrics-text;q=0.5.5", "application/openmetrics-text;q=abc",
                             ",,,;;;", ";q=1", "application/openmetrics-text;q=0.12345"}) {
    EXPECT_EQ(ChooseExpositionFormat(accept), kText) << accept;
  }
}

TEST(ExpositionFormat, OnlyTheFirst64RangesAreRead) {
  std::string accept;
  for (int i = 0; i < 64; ++i) accept += "image/png;q=0.9,";
  EXPECT_EQ(ChooseExpositionFormat(accept + "application/openmetrics-text"), kText);
  EXPECT_EQ(ChooseExpositionFormat(accept.substr(16) + "application/openmetrics-text"), kOpenMetrics);
}

TEST(ExpositionFormat, ContentTypes) {
  EXPECT_STREQ(ExpositionContentType(kText), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_STREQ(ExpositionContentType(kOpenMetrics), "application/openmetrics-text; version=1.0.0; charset=utf-8");
}

}  // namespace
}  // namespace tikv_exporter
