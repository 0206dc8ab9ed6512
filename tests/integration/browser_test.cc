// The status page in a real browser: Debian's headless Chromium loads "/" from the exporter (fed
// by the simulator, its PD and a real RocksDB LOG), runs its script, and the DOM must show the
// verdict with its reasons and checks, the cluster's stores, the RocksDB levels, charts with data
// and a hover readout, and a green source strip — red, and a critical verdict, once the simulated
// TiKV is down. Screenshots of a healthy and a failing node are kept as test artifacts.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/integration/sim_and_exporter.h"

namespace tikv_exporter::testing {
namespace {

// Loads `path` (with its #fragment) in headless Chromium for 3.5 s of (virtual) page time;
// returns what Chromium printed (the DOM with --dump-dom). The page's script must throw nothing.
std::string Browse(const TempDir& dir, int port, const std::string& extra = "--dump-dom",
                   const std::string& path = "/", const std::string& window = "1200,1100") {
  std::string output;
  const std::string console = dir.path() + "/chromium-console.log";
  RunCommand("timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
             "--disable-background-networking --disable-component-update --disable-sync --user-data-dir=" +
                 dir.path() + "/chromium --enable-logging=stderr --v=0 --virtual-time-budget=3500 --window-size=" +
                 window + " " + extra + " 'http://127.0.0.1:" + std::to_string(port) + path + "' 2>" + console,
             &output);
  std::ifstream in(console);
  std::stringstream log;
  log << in.rdbuf();
  EXPECT_EQ(log.str().find("Uncaught"), std::string::npos) << log.str();
  return output;
}

// A full-page screenshot into the build's test-artifacts directory; returns its size in bytes.
uintmax_t Screenshot(const TempDir& dir, int port, const std::string& name, const std::string& path) {
  const std::filesystem::path artifacts = std::string(ARTIFACTS_DIR);
  std::filesystem::create_directories(artifacts);
  const std::string file = (artifacts / name).string();
  std::filesystem::remove(file);
  Browse(dir, port, "--hide-scrollbars --screenshot=" + file, path, "1280,2050");
  return std::filesystem::exists(file) ? std::filesystem::file_size(file) : 0;
}

int Attribute(const std::string& dom, const std::string& element_id, const std::string& attribute) {
  std::smatch match;
  const std::regex pattern("id=\"" + element_id + "\"[^>]*" + attribute + "=\"([0-9]+)\"");
  return std::regex_search(dom, match, pattern) ? std::stoi(match[1].str()) : -1;
}

size_t Count(const std::string& text, const std::regex& pattern) {
  return static_cast<size_t>(std::distance(std::sregex_iterator(text.begin(), text.end(), pattern), std::sregex_iterator()));
}

std::string FixtureText(const std::string& name) {
  std::ifstream in(std::string(FIXTURES_DIR) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The verdict once the simulated TiKV is down: critical, tikv_reachable first among the reasons.
void ExpectCriticalBecauseTikvIsDown(const std::string& dom) {
  EXPECT_NE(dom.find("<section id=\"verdict\" class=\"card\" data-level=\"critical\">"), std::string::npos) << dom;
  EXPECT_NE(dom.find("<div id=\"verdict-badge\">CRITICAL</div>"), std::string::npos);
  EXPECT_NE(dom.find("<ul id=\"verdict-reasons\"><li>TiKV's status server does not answer"), std::string::npos);
  EXPECT_NE(dom.find("<span class=\"chip critical\" data-check=\"tikv_reachable\" data-level=\"critical\""),
            std::string::npos);
  EXPECT_NE(dom.find("<title>CRITICAL · tikv-exporter"), std::string::npos);
}

TEST(Browser, StatusPageShowsLiveChartsAndSourceHealth) {
  SimAndExporter env;
  env.StartSim();
  env.StartExporter(500, 400);
  // The simulator's write_stall state stalls its kv db 2 % of the time: a warning, with its reason.
  env.Control("/control/unhealthy?state=write_stall");
  ASSERT_TRUE(WaitFor([&] { return SampleValue(env.Metrics(), "tikv_exporter_health_level") == 1; },
                      std::chrono::seconds(15)));
  ASSERT_TRUE(env.WaitForPolls(3));

  const std::string dom = Browse(env.dir(), env.exporter_port());
  ASSERT_NE(dom.find("<html"), std::string::npos) << "chromium printed no DOM:\n" << dom;
  std::smatch updates;
  ASSERT_TRUE(std::regex_search(dom, updates, std::regex("data-updates=\"([0-9]+)\"")));
  EXPECT_GE(std::stoi(updates[1].str()), 2);  // the page refreshed itself at least twice
  for (const char* chart : {"chart-qps", "chart-latency", "chart-storage", "chart-compaction", "chart-cache",
                            "chart-headroom"}) {
    EXPECT_GE(Attribute(dom, chart, "data-points"), 2) << chart;
  }
  EXPECT_NE(dom.find("id=\"sources\" data-state=\"green\""), std::string::npos) << dom;
  EXPECT_NE(dom.find("data-source=\"tikv\" data-up=\"true\""), std::string::npos);
  EXPECT_NE(dom.find("<section id=\"verdict\" class=\"card\" data-level=\"warning\">"), std::string::npos) << dom;
  EXPECT_NE(dom.find("<div id=\"verdict-badge\">WARNING</div>"), std::string::npos);
  EXPECT_NE(dom.find("<li>write stall in the kv db"), std::string::npos);
  EXPECT_NE(dom.find("<pre id=\"snapshot\">Verdict: warning.\n  - write stall in the kv db"), std::string::npos);
  EXPECT_NE(dom.find("data-check=\"write_stall\" data-level=\"warning\""), std::string::npos);
  EXPECT_EQ(Count(dom, std::regex("<span class=\"chip [a-z_]+\" data-check=")), 17u);
  // PD is not polled here: its check has no data and is greyed.
  EXPECT_NE(dom.find("<span class=\"chip no_data\" data-check=\"pd_store_state\""), std::string::npos);
  // Neither PD nor the LOG collector runs: their sections stay hidden.
  EXPECT_EQ(HttpGet(env.exporter_port(), "/api/v1/cluster").status, 503);
  EXPECT_EQ(HttpGet(env.exporter_port(), "/api/v1/rocksdb").status, 503);
  EXPECT_NE(dom.find("<section id=\"cluster\" hidden=\"\">"), std::string::npos) << dom;
  EXPECT_NE(dom.find("<section id=\"levels\" hidden=\"\">"), std::string::npos) << dom;
  // Axes: round ticks with their unit, and time labels.
  EXPECT_NE(dom.find(" ms</text>"), std::string::npos);
  EXPECT_NE(dom.find(" GiB</text>"), std::string::npos);
  EXPECT_GE(Count(dom, std::regex("class=\"xlabel\"[^>]*>[0-9]{2}:[0-9]{2}(:[0-9]{2})?</text>")), 6u);

  env.Control("/control/fault?mode=down");
  ASSERT_TRUE(WaitFor([&] { return SampleValue(env.Metrics(), "tikv_exporter_up", {{"source", "tikv"}}) == 0; },
                      std::chrono::seconds(10)));
  const std::string down = Browse(env.dir(), env.exporter_port());
  EXPECT_NE(down.find("id=\"sources\" data-state=\"red\""), std::string::npos) << down;
  EXPECT_NE(down.find("data-source=\"tikv\" data-up=\"false\""), std::string::npos);
  ExpectCriticalBecauseTikvIsDown(down);
}

TEST(Browser, StatusPageShowsTheClusterTheLevelsAndAHoverReadout) {
  SimAndExporter env;
  const int pd_port = FreePort();
  env.StartSim({"--pd-address", "127.0.0.1:" + std::to_string(pd_port)});
  const std::string log = env.dir().Write("rocksdb.info", FixtureText("rocksdb-7.8.3-tikv-cfs-LOG"));
  std::string config = env.ConfigText(500, 400, {pd_port});
  const std::string off = "[collectors.rocksdb]\nenabled = false\n";
  config.replace(config.find(off), off.size(), "[collectors.rocksdb]\nsource = \"log\"\nlog_path = \"" + log + "\"\n");
  env.StartExporterWithConfig(config);
  ASSERT_TRUE(WaitFor([&] { return HttpGet(env.exporter_port(), "/api/v1/rocksdb").status == 200; },
                      std::chrono::seconds(15)));
  ASSERT_TRUE(env.WaitForPolls(3));

  const std::string dom = Browse(env.dir(), env.exporter_port(), "--dump-dom", "/#hover=latency@0.5");
  ASSERT_NE(dom.find("<html"), std::string::npos) << "chromium printed no DOM:\n" << dom;
  // The verdict: ok, a chip per check; the simulated node exports every input.
  EXPECT_NE(dom.find("<section id=\"verdict\" class=\"card\" data-level=\"ok\">"), std::string::npos) << dom;
  EXPECT_NE(dom.find("<div id=\"verdict-badge\">OK</div>"), std::string::npos);
  EXPECT_EQ(Count(dom, std::regex("<span class=\"chip [a-z_]+\" data-check=")), 17u);
  EXPECT_NE(dom.find("<span class=\"chip ok\" data-check=\"tikv_reachable\" data-level=\"ok\""), std::string::npos);
  EXPECT_NE(dom.find("<span class=\"chip ok\" data-check=\"pd_store_state\" data-level=\"ok\""), std::string::npos);
  EXPECT_EQ(Count(dom, std::regex("<span class=\"chip no_data\" data-check=")), 0u);
  EXPECT_NE(dom.find("<li class=\"quiet\">17 checks pass</li>"), std::string::npos);
  EXPECT_NE(dom.find("<title>OK · tikv-exporter"), std::string::npos);
  // The simulator's PD lists five stores; this node's (1, matched by its status address) first.
  EXPECT_EQ(Count(dom, std::regex("<tr data-store-id=\"[0-9]+\"")), 5u) << dom;
  EXPECT_NE(dom.find("<tr data-store-id=\"1\" data-local=\"true\""), std::string::npos);
  EXPECT_EQ(Count(dom, std::regex("data-local=\"true\"")), 1u);
  EXPECT_NE(dom.find("tikv-4.sim:20164"), std::string::npos);
  EXPECT_EQ(Count(dom, std::regex("<span class=\"state ok\" data-state=\"Up\">Up</span>")), 5u);
  EXPECT_NE(dom.find("class=\"fill\" style=\"width:34.0%\""), std::string::npos);  // 330 GiB of 500 GiB free
  // The LOG's latest dump: raft holds 2 files in L0, every column family one in L1.
  EXPECT_EQ(Count(dom, std::regex("<tr data-cf=\"(default|lock|raft|write)\">")), 4u) << dom;
  EXPECT_TRUE(std::regex_search(dom, std::regex("<tr data-cf=\"raft\">.*?data-level=\"L0\" data-files=\"2\"")));
  // The scripted mouse move at the middle of the latency chart: a readout of avg and p99 at the
  // hovered snapshot's time, and the dashed line on every chart with data.
  std::smatch readout;
  ASSERT_TRUE(std::regex_search(
      dom, readout,
      std::regex("id=\"readout-latency\" class=\"readout\" data-visible=\"true\"[^>]*data-time=\"([0-9]+)\">(.*?)</div></div><div class=\"legend\">")))
      << dom;
  EXPECT_TRUE(std::regex_search(readout[2].str(), std::regex("<div class=\"when\">[0-9]{2}:[0-9]{2}:[0-9]{2}</div>")));
  EXPECT_TRUE(std::regex_search(readout[2].str(), std::regex("data-series=\"avg\">.*?<b>[0-9.]+ ms</b>")));
  EXPECT_TRUE(std::regex_search(readout[2].str(), std::regex("data-series=\"p99\">.*?<b>[0-9.]+ ms</b>")));
  EXPECT_GE(Count(dom, std::regex("class=\"crosshair\"[^>]*visibility=\"visible\"")), 5u);
  EXPECT_EQ(Count(dom, std::regex("class=\"readout\" data-visible=\"true\"")), 1u);  // only the hovered chart's

  EXPECT_GT(Screenshot(env.dir(), env.exporter_port(), "status-healthy.png", "/#hover=latency@0.6"), 10000u);

  // A failing check on a node that still answers: the disk at TiKV's reserve, and a slow apply.
  env.Control("/control/unhealthy?state=disk_almost_full");
  env.Control("/control/unhealthy?state=apply_latency");
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::string metrics = env.Metrics();
        return SampleValue(metrics, "tikv_exporter_health_check_level", {{"check", "disk_space"}}) == 2 &&
               SampleValue(metrics, "tikv_exporter_health_check_level", {{"check", "raft_write_path"}}) == 2;
      },
      std::chrono::seconds(15)));
  const std::string failing = Browse(env.dir(), env.exporter_port());
  EXPECT_NE(failing.find("<div id=\"verdict-badge\">CRITICAL</div>"), std::string::npos) << failing;
  EXPECT_NE(failing.find("<li>disk almost full: "), std::string::npos);
  EXPECT_NE(failing.find("<span class=\"chip critical\" data-check=\"raft_write_path\" data-level=\"critical\""),
            std::string::npos);
  EXPECT_GT(Screenshot(env.dir(), env.exporter_port(), "status-failing.png", "/#hover=headroom@0.9"), 10000u);
  env.Control("/control/unhealthy?state=none");

  // TiKV goes down: its pill turns red; PD and the LOG still answer, so the cluster and the
  // levels stay.
  env.Control("/control/fault?mode=down");
  ASSERT_TRUE(WaitFor([&] { return SampleValue(env.Metrics(), "tikv_exporter_up", {{"source", "tikv"}}) == 0; },
                      std::chrono::seconds(10)));
  const std::string down = Browse(env.dir(), env.exporter_port());
  EXPECT_NE(down.find("data-source=\"tikv\" data-up=\"false\""), std::string::npos) << down;
  EXPECT_EQ(Count(down, std::regex("<tr data-store-id=\"[0-9]+\"")), 5u);
  ExpectCriticalBecauseTikvIsDown(down);
  EXPECT_GT(Screenshot(env.dir(), env.exporter_port(), "status-tikv-down.png", "/"), 10000u);
}

// Every byte from PD is hostile: a store address holding markup shows as text; no element, no
// script runs.
TEST(Browser, StoreFieldsFromPdAreShownAsTextNeverParsedAsHtml) {
  SimAndExporter env;
  const std::string prefix = env.dir().path() + "/pd-";
  for (const char* body : {"members.json", "health.json"}) {
    env.dir().Write(std::string("pd-") + body, FixtureText(std::string("pd-v8.1.0-api-") + body));
  }
  std::string stores = FixtureText("pd-v8.1.0-api-stores.json");
  const std::string address = "basic-tikv-5gzwgj.basic-tikv-peer.default:20160";
  const std::string hostile = "<img src=x onerror=\\\"document.title='pwned'\\\">";
  stores.replace(stores.find(address), address.size(), hostile);
  env.dir().Write("pd-stores.json", stores);
  const int pd_port = FreePort();
  env.StartSim({"--pd-address", "127.0.0.1:" + std::to_string(pd_port), "--pd-fixture", prefix});
  env.StartExporter(500, 400, {pd_port});
  ASSERT_TRUE(WaitFor([&] { return HttpGet(env.exporter_port(), "/api/v1/cluster").status == 200; },
                      std::chrono::seconds(15)));

  const std::string dom = Browse(env.dir(), env.exporter_port());
  EXPECT_EQ(Count(dom, std::regex("<tr data-store-id=\"[0-9]+\"")), 4u) << dom;  // the fixture's 4 stores
  EXPECT_NE(dom.find("<td>&lt;img src=x onerror=\"document.title='pwned'\"&gt;"), std::string::npos) << dom;
  EXPECT_EQ(dom.find("<img"), std::string::npos);
  EXPECT_TRUE(std::regex_search(dom, std::regex("<title>[A-Z ·]*tikv-exporter — 127.0.0.1:[0-9]+</title>"))) << dom;
}

}  // namespace
}  // namespace tikv_exporter::testing
