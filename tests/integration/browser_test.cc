// The status page in a real browser: Debian's headless Chromium loads "/" from the exporter (fed
// by the simulator), runs its script, and the DOM must show charts with data and a green health
// strip — red once the simulated TiKV is down. A screenshot is kept as a test artifact.

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "tests/integration/sim_and_exporter.h"

namespace tikv_exporter::testing {
namespace {

// Loads the page in headless Chromium for `budget_ms` of (virtual) page time; returns the DOM.
std::string BrowseDom(const TempDir& dir, int port, const std::string& extra = "--dump-dom") {
  std::string output;
  RunCommand("timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
             "--disable-background-networking --disable-component-update --disable-sync --user-data-dir=" +
                 dir.path() + "/chromium --virtual-time-budget=3500 --window-size=1200,1100 " + extra +
                 " http://127.0.0.1:" + std::to_string(port) + "/ 2>/dev/null",
             &output);
  return output;
}

int Attribute(const std::string& dom, const std::string& element_id, const std::string& attribute) {
  std::smatch match;
  const std::regex pattern("id=\"" + element_id + "\"[^>]*" + attribute + "=\"([0-9]+)\"");
  return std::regex_search(dom, match, pattern) ? std::stoi(match[1].str()) : -1;
}

TEST(Browser, StatusPageShowsLiveChartsAndSourceHealth) {
  SimAndExporter env;
  env.StartSim();
  env.StartExporter(500, 400);
  ASSERT_TRUE(env.WaitForPolls(3));

  const std::string dom = BrowseDom(env.dir(), env.exporter_port());
  ASSERT_NE(dom.find("<html"), std::string::npos) << "chromium printed no DOM:\n" << dom;
  std::smatch updates;
  ASSERT_TRUE(std::regex_search(dom, updates, std::regex("data-updates=\"([0-9]+)\"")));
  EXPECT_GE(std::stoi(updates[1].str()), 2);  // the page refreshed itself at least twice
  for (const char* chart : {"chart-qps", "chart-latency", "chart-storage", "chart-compaction", "chart-cache"}) {
    EXPECT_GE(Attribute(dom, chart, "data-points"), 2) << chart;
  }
  EXPECT_NE(dom.find("id=\"health\" data-state=\"green\""), std::string::npos) << dom;
  EXPECT_NE(dom.find("data-source=\"tikv\" data-up=\"true\""), std::string::npos);

  const std::filesystem::path artifacts = std::string(ARTIFACTS_DIR);
  std::filesystem::create_directories(artifacts);
  const std::string screenshot = (artifacts / "status-page.png").string();
  std::filesystem::remove(screenshot);
  BrowseDom(env.dir(), env.exporter_port(), "--screenshot=" + screenshot);
  EXPECT_GT(std::filesystem::exists(screenshot) ? std::filesystem::file_size(screenshot) : 0, 10000u);

  env.Control("/control/fault?mode=down");
  ASSERT_TRUE(WaitFor([&] { return SampleValue(env.Metrics(), "tikv_exporter_up", {{"source", "tikv"}}) == 0; },
                      std::chrono::seconds(10)));
  const std::string down = BrowseDom(env.dir(), env.exporter_port());
  EXPECT_NE(down.find("id=\"health\" data-state=\"red\""), std::string::npos) << down;
  EXPECT_NE(down.find("data-source=\"tikv\" data-up=\"false\""), std::string::npos);
  BrowseDom(env.dir(), env.exporter_port(), "--screenshot=" + (artifacts / "status-page-tikv-down.png").string());
}

}  // namespace
}  // namespace tikv_exporter::testing
