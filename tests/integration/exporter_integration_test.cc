// The exporter and the simulator as separate processes, over real HTTP.

#include <gtest/gtest.h>

#include <cmath>

#include "tests/integration/sim_and_exporter.h"

namespace tikv_exporter::testing {
namespace {

constexpr int kPollMs = 1000;
constexpr int kTimeoutMs = 500;

// Waits until the exporter reports a full window (rates exist).
bool WaitForRates(const SimAndExporter& env) {
  return WaitFor([&] { return SampleValue(env.Metrics(), "tikv_exporter_latency_average_seconds").has_value(); },
                 std::chrono::seconds(20));
}

TEST(ExporterIntegration, QpsAndLatencyMatchTheSimulatedLoadWithin1Percent) {
  SimAndExporter env;
  env.StartSim({"--load", "kv_get=2000:0.002", "--load", "kv_prewrite=500:0.008", "--load",
                "coprocessor=300:0.015"});
  // The healthy node never stalls: the write_stall state stalls the kv db 20 ms a second.
  env.Control("/control/unhealthy?state=write_stall");
  env.StartExporter(2000, 1000);
  ASSERT_TRUE(WaitForRates(env)) << env.exporter().Log();
  ASSERT_TRUE(env.WaitForPolls(1));
  const std::string metrics = env.Metrics();
  const std::map<std::string, std::pair<double, double>> expected = {
      {"kv_get", {2000, 0.002}}, {"kv_prewrite", {500, 0.008}}, {"coprocessor", {300, 0.015}}};
  double total_qps = 0;
  for (const auto& [type, load] : expected) {
    std::optional<double> qps = SampleValue(metrics, "tikv_exporter_qps", {{"type", type}});
    std::optional<double> avg =
        SampleValue(metrics, "tikv_exporter_type_latency_average_seconds", {{"type", type}});
    ASSERT_TRUE(qps && avg) << type << "\n" << metrics;
    EXPECT_NEAR(*qps, load.first, load.first * 0.01) << type;
    EXPECT_NEAR(*avg, load.second, load.second * 0.01) << type;
    total_qps += *qps;
  }
  EXPECT_NEAR(total_qps, 2800, 28);
  // The mean over all types, weighted by rate.
  const double mean = (2000 * 0.002 + 500 * 0.008 + 300 * 0.015) / 2800;
  EXPECT_NEAR(*SampleValue(metrics, "tikv_exporter_latency_average_seconds"), mean, mean * 0.01);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_up", {{"source", "tikv"}}), 1);
  EXPECT_NEAR(*SampleValue(metrics, "tikv_exporter_snapshot_window_seconds"), 2, 0.2);
  // The built-in node's tickers: 9500 hits and 500 misses a second; 800 of 1000 prefix seeks saved.
  EXPECT_NEAR(*SampleValue(metrics, "tikv_exporter_block_cache_hit_ratio", {{"db", "kv"}, {"block", "all"}}),
              0.95, 0.001);
  EXPECT_NEAR(*SampleValue(metrics, "tikv_exporter_bloom_filter_useful_ratio", {{"db", "kv"}}), 0.8, 0.001);
  EXPECT_NEAR(*SampleValue(metrics, "tikv_exporter_write_stall_seconds", {{"db", "kv"}}), 0.04, 0.004);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_storage_size_bytes", {{"type", "used"}}), 126.0 * (1ULL << 30));
}

TEST(ExporterIntegration, MetricsPassPromtoolCheckMetrics) {
  SimAndExporter env;
  env.StartSim();
  env.StartExporter(kPollMs, kTimeoutMs);
  ASSERT_TRUE(WaitForRates(env));
  HttpGet(env.exporter_port(), "/no-such-page");  // http_requests_total gets a 404 series too
  const std::string metrics = env.Metrics();
  std::string file = env.dir().Write("metrics.prom", metrics);
  std::string output;
  int code = RunCommand("promtool check metrics < " + file, &output);
  EXPECT_EQ(code, 0) << output;
  EXPECT_EQ(output, "") << output;
  EXPECT_TRUE(SampleValue(metrics, "tikv_exporter_http_requests_total", {{"path", "other"}, {"code", "404"}}));
}

TEST(ExporterIntegration, ServesGzipWhenAsked) {
  SimAndExporter env;
  env.StartSim();
  env.StartExporter(kPollMs, kTimeoutMs);
  HttpResult plain = HttpGet(env.exporter_port(), "/metrics");
  HttpResult gzip = HttpGet(env.exporter_port(), "/metrics", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(gzip.headers["Content-Encoding"], "gzip");
  EXPECT_LT(gzip.body.size(), plain.body.size());
  EXPECT_NE(plain.headers["Content-Type"].find("text/plain; version=0.0.4"), std::string::npos);
}

TEST(ExporterIntegration, ReadyOnlyAfterASourceAnswered) {
  SimAndExporter env;
  env.StartExporter(kPollMs, kTimeoutMs);  // no simulator yet: TiKV refuses connections
  EXPECT_EQ(HttpGet(env.exporter_port(), "/-/ready").status, 503);
  EXPECT_EQ(HttpGet(env.exporter_port(), "/-/healthy").status, 200);
  EXPECT_EQ(HttpGet(env.exporter_port(), "/api/v1/snapshot").status, 200);
  env.StartSim();
  EXPECT_TRUE(WaitFor([&] { return HttpGet(env.exporter_port(), "/-/ready").status == 200; },
                      std::chrono::seconds(10)));
}

TEST(ExporterIntegration, SnapshotJsonHasTheContractFields) {
  SimAndExporter env;
  env.StartSim();
  env.StartExporter(kPollMs, kTimeoutMs);
  // Before the first window there is no rate: qps and latency_ms are absent, not 0.
  ASSERT_TRUE(WaitFor([&] { return HttpGet(env.exporter_port(), "/-/ready").status == 200; },
                      std::chrono::seconds(10)));
  ASSERT_TRUE(WaitForRates(env));
  std::string json = HttpGet(env.exporter_port(), "/api/v1/snapshot").body;
  for (const char* field : {"\"timestamp_ms\":", "\"window_seconds\":", "\"qps\":", "\"qps_by_type\":{",
                            "\"latency_ms\":{\"avg\":", "\"p50\":", "\"p95\":", "\"p99\":",
                            "\"storage_size\":{\"capacity_bytes\":", "\"available_bytes\":",
                            "\"used_bytes\":", "\"compaction_pending_bytes\":",
                            "\"sources\":{\"tikv\":{\"up\":true", "\"last_success_ms\":", "\"last_error\":\"\""}) {
    EXPECT_NE(json.find(field), std::string::npos) << field << " in " << json;
  }
  std::string page = HttpGet(env.exporter_port(), "/").body;
  EXPECT_NE(page.find("requests/s"), std::string::npos) << page;
  EXPECT_NE(page.find("href=\"/metrics\""), std::string::npos);
}

TEST(ExporterIntegration, FirstSnapshotHasNoRates) {
  SimAndExporter env;
  env.StartSim();
  env.StartExporter(60000, 1000);  // one poll at start, the next a minute later
  ASSERT_TRUE(WaitFor([&] { return HttpGet(env.exporter_port(), "/-/ready").status == 200; },
                      std::chrono::seconds(10)));
  std::string json = HttpGet(env.exporter_port(), "/api/v1/snapshot").body;
  EXPECT_EQ(json.find("\"qps\""), std::string::npos) << json;
  EXPECT_EQ(json.find("\"latency_ms\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"capacity_bytes\""), std::string::npos) << json;
  std::string metrics = env.Metrics();
  EXPECT_FALSE(SampleValue(metrics, "tikv_exporter_qps", {{"type", "kv_get"}}).has_value());
  EXPECT_TRUE(SampleValue(metrics, "tikv_exporter_storage_size_bytes", {{"type", "capacity"}}).has_value());
}

// Fault modes: each marks the source down within a poll, keeps /metrics serving, drops the
// snapshot series, logs one line per state change, and recovers by itself.
class FaultTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FaultTest, MarksTikvDownKeepsServingAndRecovers) {
  SimAndExporter env;
  env.StartSim();
  env.StartExporter(kPollMs, kTimeoutMs);
  ASSERT_TRUE(WaitForRates(env));

  env.Control("/control/fault?mode=" + GetParam() + "&delay_ms=3000");
  ASSERT_TRUE(WaitFor([&] { return SampleValue(env.Metrics(), "tikv_exporter_up", {{"source", "tikv"}}) == 0; },
                      std::chrono::seconds(10)));
  ASSERT_TRUE(env.WaitForPolls(3));  // several failing polls
  const auto start = std::chrono::steady_clock::now();
  const std::string metrics = env.Metrics();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  EXPECT_FALSE(SampleValue(metrics, "tikv_exporter_qps", {{"type", "kv_get"}}).has_value()) << metrics;
  EXPECT_FALSE(SampleValue(metrics, "tikv_exporter_storage_size_bytes", {{"type", "capacity"}}).has_value());
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_collector_success", {{"collector", "tikv"}}), 0);
  EXPECT_TRUE(SampleValue(metrics, "tikv_exporter_collector_last_success_timestamp_seconds", {{"collector", "tikv"}}));
  EXPECT_EQ(HttpGet(env.exporter_port(), "/-/healthy").status, 200);

  env.Control("/control/fault?mode=none");
  ASSERT_TRUE(WaitFor([&] { return SampleValue(env.Metrics(), "tikv_exporter_up", {{"source", "tikv"}}) == 1; },
                      std::chrono::seconds(10)));
  EXPECT_TRUE(WaitForRates(env));
  const std::string log = env.exporter().Log();
  size_t downs = 0;
  for (size_t at = log.find("source tikv is down"); at != std::string::npos;
       at = log.find("source tikv is down", at + 1)) {
    ++downs;
  }
  EXPECT_EQ(downs, 1u) << log;
  EXPECT_NE(log.find("source tikv is up"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Modes, FaultTest, ::testing::Values("down", "slow", "error", "garbage"));

TEST(ExporterIntegration, ATikvRestartNeverGivesANegativeRate) {
  SimAndExporter env;
  env.StartSim({"--load", "kv_get=1000:0.002"});
  env.StartExporter(kPollMs, kTimeoutMs);
  ASSERT_TRUE(WaitForRates(env));
  env.Control("/control/restart");
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(env.WaitForPolls(1));
    std::optional<double> qps = SampleValue(env.Metrics(), "tikv_exporter_qps", {{"type", "kv_get"}});
    ASSERT_TRUE(qps);
    EXPECT_GE(*qps, 0);
    EXPECT_LE(*qps, 1000 * 1.05);  // after a reset the whole new count is the increase
  }
}

TEST(ExporterIntegration, ReadsTheRealV53DumpThroughTheSimulator) {
  SimAndExporter env;
  env.StartSim({"--fixture", std::string(FIXTURES_DIR) + "/tikv-v5.3.0-alpha-metrics.prom", "--load",
                "kv_get=1000:0.003"});
  env.StartExporter(kPollMs, kTimeoutMs);
  ASSERT_TRUE(WaitForRates(env)) << env.exporter().Log();
  ASSERT_TRUE(env.WaitForPolls(1));
  const std::string metrics = env.Metrics();
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_tikv_info", {{"version", "v5.3.0-alpha"}}), 1);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_storage_used_source_info", {{"source", "engine_size_sum"}}), 1);
  EXPECT_NEAR(*SampleValue(metrics, "tikv_exporter_qps", {{"type", "kv_get"}}), 1000, 10);
  // The v5 buckets are 0.5 ms × 2ⁿ: the 3 ms mean still comes out of _sum/_count exactly.
  EXPECT_NEAR(*SampleValue(metrics, "tikv_exporter_type_latency_average_seconds", {{"type", "kv_get"}}), 0.003,
              0.00003);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_tikv_scrape_series"), 15759);
}

TEST(ExporterIntegration, ToleratesTheTruncatedV50DumpServedByteForByte) {
  SimAndExporter env;
  env.StartSim({"--fixture", std::string(FIXTURES_DIR) + "/tikv-v5.0-nightly-metrics-truncated.prom", "--raw"});
  env.StartExporter(kPollMs, kTimeoutMs);
  ASSERT_TRUE(WaitFor([&] { return SampleValue(env.Metrics(), "tikv_exporter_up", {{"source", "tikv"}}) == 1; },
                      std::chrono::seconds(10)))
      << env.exporter().Log();
  const std::string metrics = env.Metrics();
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_tikv_parse_warnings"), 2);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_storage_size_bytes", {{"type", "capacity"}}), 62725623808);
  ASSERT_TRUE(env.WaitForPolls(1));
  EXPECT_NE(env.exporter().Log().find("line 6459: no final newline"), std::string::npos);
}

TEST(ExporterIntegration, RelaysSelectedRawTikvSeries) {
  TempDir dir;
  const int sim_port = FreePort(), control_port = FreePort(), exporter_port = FreePort();
  Process sim({TIKV_SIM_BIN, "--status-address", "127.0.0.1:" + std::to_string(sim_port), "--control-address",
               "127.0.0.1:" + std::to_string(control_port)},
              dir.path() + "/sim.log");
  const std::string config = dir.Write(
      "c.toml", "[tikv]\nstatus_address = \"127.0.0.1:" + std::to_string(sim_port) +
                    "\"\ntimeout_ms = 400\n[exporter]\nlisten_address = \"127.0.0.1:" + std::to_string(exporter_port) +
                    "\"\npoll_interval_ms = 500\n[collectors.tikv]\nrelay = [\"tikv_engine_size_bytes\", "
                    "\"tikv_store_*\", \"tikv_grpc_*\"]\nrelay_drop = [\"tikv_store_nothing\"]\n"
                    "relay_drop_labels = [\"priority\"]\n[collectors.pd]\nenabled = false\n[collectors.rocksdb]\n"
                    "enabled = false\n");
  Process exporter({TIKV_EXPORTER_BIN, "--config", config}, dir.path() + "/exporter.log");
  auto metrics = [&] { return HttpGet(exporter_port, "/metrics").body; };
  ASSERT_TRUE(WaitFor([&] { return SampleValue(metrics(), "tikv_store_size_bytes", {{"type", "used"}}).has_value(); },
                      std::chrono::seconds(10))) << exporter.Log();
  const std::string body = metrics();
  EXPECT_EQ(SampleValue(body, "tikv_engine_size_bytes", {{"db", "kv"}, {"type", "write"}}), 40.0 * (1 << 30));
  // priority dropped: the high and normal kv_get series are summed into one.
  EXPECT_TRUE(SampleValue(body, "tikv_grpc_msg_duration_seconds_count", {{"type", "kv_get"}}));
  EXPECT_EQ(body.find("priority=\""), std::string::npos);
  EXPECT_FALSE(SampleValue(body, "tikv_engine_cache_efficiency", {{"db", "kv"}}).has_value());
  EXPECT_GT(*SampleValue(body, "tikv_exporter_relay_series"), 100);
  std::string output;
  EXPECT_EQ(RunCommand("promtool check metrics < " + dir.Write("m.prom", body), &output), 0) << output;
  EXPECT_EQ(output, "");

  HttpPost(control_port, "/control/fault?mode=down");  // stale-free: gone with TiKV
  EXPECT_TRUE(WaitFor([&] { return !SampleValue(metrics(), "tikv_store_size_bytes", {{"type", "used"}}).has_value(); },
                      std::chrono::seconds(10)));
  EXPECT_FALSE(SampleValue(metrics(), "tikv_exporter_relay_series").has_value());
}

}  // namespace
}  // namespace tikv_exporter::testing
