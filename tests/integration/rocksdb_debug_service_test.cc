// The RocksDB source over TiKV's debug service (debugpb.Debug/GetMetrics) against the simulator,
// which answers the real RocksDB 7.8.3 stats dumps of the fixtures, one further at each call.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "tests/integration/certificates.h"
#include "tests/integration/harness.h"
#include "tests/integration/sim_and_exporter.h"

namespace tikv_exporter::testing {
namespace {

const std::string kLogFixture = std::string(FIXTURES_DIR) + "/rocksdb-7.8.3-tikv-cfs-LOG";
// Another real RocksDB's dumps, served as a raftdb's (raft-engine off).
const std::string kRaftLogFixture = std::string(FIXTURES_DIR) + "/rocksdb-6.0.1-LOG-baseline.txt";
constexpr int kDumpsInFixture = 5;

// The simulator flags of a debug service on `grpc_port` serving the fixture's dumps.
std::vector<std::string> DebugServiceFlags(int grpc_port) {
  return {"--grpc-address", "127.0.0.1:" + std::to_string(grpc_port), "--rocksdb-log", kLogFixture};
}

// env's config with TiKV's gRPC port and `rocksdb` as the [collectors.rocksdb] table.
std::string WithRocksDb(std::string config, int grpc_port, const std::string& rocksdb) {
  config.replace(config.find("[tikv]\n") + 7, 0, "grpc_address = \"127.0.0.1:" + std::to_string(grpc_port) + "\"\n");
  const std::string off = "[collectors.rocksdb]\nenabled = false\n";
  return config.replace(config.find(off), off.size(), "[collectors.rocksdb]\n" + rocksdb);
}

// The RocksDB statistics series of a /metrics body ("name{labels}" -> value text), without those
// that say how they were read rather than what RocksDB counted.
std::map<std::string, std::string> StatisticsSeries(const std::string& body) {
  std::map<std::string, std::string> series;
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("tikv_exporter_rocksdb_") || line.starts_with("tikv_exporter_rocksdb_source_info") ||
        line.starts_with("tikv_exporter_rocksdb_last_dump_timestamp_seconds") ||
        line.starts_with("tikv_exporter_rocksdb_log_stall_warnings_total")) {
      continue;
    }
    const size_t space = line.rfind(' ');
    series[line.substr(0, space)] = line.substr(space + 1);
  }
  return series;
}

double Source(const std::string& metrics, const std::string& source) {
  return SampleValue(metrics, "tikv_exporter_rocksdb_source_info", {{"source", source}}).value_or(0);
}

TEST(RocksDbDebugService, GivesExactlyWhatTheLogGivesForTheSameDumps) {
  SimAndExporter env;
  const int grpc_port = FreePort();
  env.StartSim(DebugServiceFlags(grpc_port));
  env.StartExporterWithConfig(
      WithRocksDb(env.ConfigText(250, 200, {}), grpc_port, "source = \"debug_service\"\ninterval_ms = 1000\n"));
  // The same fixture read as a LOG by a second exporter beside it.
  const int log_port = FreePort();
  const std::string log_config =
      "[tikv]\nstatus_address = \"127.0.0.1:" + std::to_string(env.sim_port()) +
      "\"\n[exporter]\nlisten_address = \"127.0.0.1:" + std::to_string(log_port) +
      "\"\npoll_interval_ms = 250\n[collectors.pd]\nenabled = false\n[collectors.rocksdb]\nsource = \"log\"\nlog_path = \"" +
      kLogFixture + "\"\n";
  Process log_exporter({TIKV_EXPORTER_BIN, "--config", env.dir().Write("log.toml", log_config)},
                       env.dir().path() + "/log-exporter.log");
  // The debug service's fifth answer is the fixture's last dump, the LOG's latest; its series
  // hold until the sixth call, a second later. Read first: the LOG exporter's series, once it has
  // read every dump, stay as they are (waiting for it first could let that second pass).
  std::string from_debug;
  ASSERT_TRUE(WaitFor(
      [&] {
        from_debug = env.Metrics();
        return SampleValue(from_debug, "tikv_exporter_rocksdb_dumps_total") == kDumpsInFixture;
      },
      std::chrono::seconds(20)))
      << env.exporter().Log();
  std::string from_log;
  ASSERT_TRUE(WaitFor(
      [&] {
        from_log = HttpGet(log_port, "/metrics").body;
        return SampleValue(from_log, "tikv_exporter_rocksdb_dumps_total") == kDumpsInFixture;
      },
      std::chrono::seconds(15)))
      << log_exporter.Log();
  EXPECT_EQ(Source(from_debug, "debug_service"), 1);
  EXPECT_EQ(Source(from_log, "log"), 1);
  const std::map<std::string, std::string> debug_series = StatisticsSeries(from_debug);
  const std::map<std::string, std::string> log_series = StatisticsSeries(from_log);
  EXPECT_GT(log_series.size(), 500u);  // levels of 4 CFs, stalls, every ticker and histogram
  EXPECT_EQ(debug_series, log_series);
  EXPECT_EQ(SampleValue(from_debug, "tikv_exporter_rocksdb_ticker_total", {{"ticker", "block.cache.hit"}}),
            SampleValue(from_log, "tikv_exporter_rocksdb_ticker_total", {{"ticker", "block.cache.hit"}}));
  EXPECT_NE(HttpGet(env.exporter_port(), "/api/v1/rocksdb").body.find("\"source\":\"debug_service\""),
            std::string::npos);
  std::string output;
  EXPECT_EQ(RunCommand("promtool check metrics < " + env.dir().Write("m.prom", from_debug), &output), 0) << output;
  EXPECT_EQ(output, "");
}

// A debug service that hangs, fails or answers more than max_body_bytes marks the source down
// within the poll's deadline, TiKV's source stays up, and it comes back when healed.
class RocksDbDebugServiceFaults : public ::testing::TestWithParam<std::string> {};

TEST_P(RocksDbDebugServiceFaults, MarkTheSourceDownWithoutHoldingThePoll) {
  const std::string mode = GetParam();
  SimAndExporter env;
  const int grpc_port = FreePort();
  env.StartSim(DebugServiceFlags(grpc_port));
  constexpr int kTimeoutMs = 300;
  env.StartExporterWithConfig(WithRocksDb(env.ConfigText(500, kTimeoutMs, {}, "max_body_bytes = 1048576\n"),
                                          grpc_port, "source = \"debug_service\"\ninterval_ms = 1000\n"));
  ASSERT_TRUE(WaitFor([&] { return CollectorUp(env.Metrics(), "rocksdb") == 1; }, std::chrono::seconds(10)))
      << env.exporter().Log();
  env.Control("/control/debug/fault?mode=" + mode + "&bytes=4194304");
  ASSERT_TRUE(WaitFor([&] { return CollectorUp(env.Metrics(), "rocksdb") == 0; }, std::chrono::seconds(10)))
      << env.exporter().Log();
  ASSERT_TRUE(env.WaitForPolls(3));
  const std::string metrics = env.Metrics();
  EXPECT_EQ(CollectorUp(metrics, "tikv"), 1);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_up", {{"source", "rocksdb"}}), 0);
  EXPECT_LE(*SampleValue(metrics, "tikv_exporter_collector_duration_seconds", {{"collector", "rocksdb"}}),
            kTimeoutMs / 1e3 + 0.2);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(HttpGet(env.exporter_port(), "/metrics").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(kTimeoutMs));
  const std::string log = env.exporter().Log();
  if (mode == "oversized") {
    EXPECT_GE(LimitHits(metrics, "upstream_body_bytes"), 1);
    EXPECT_NE(log.find("answer larger than max_body_bytes (1048576)"), std::string::npos) << log;
  } else {
    EXPECT_NE(log.find(mode == "hang" ? "no answer within the poll's deadline" : "simulated debug service failure"),
              std::string::npos)
        << log;
  }
  env.Control("/control/debug/fault?mode=none");
  EXPECT_TRUE(WaitFor([&] { return CollectorUp(env.Metrics(), "rocksdb") == 1; }, std::chrono::seconds(10)))
      << env.exporter().Log();
}

INSTANTIATE_TEST_SUITE_P(Modes, RocksDbDebugServiceFaults, ::testing::Values("hang", "fail", "oversized"));

TEST(RocksDbDebugService, MutualTlsWithTheClusterCertificates) {
  SimAndExporter env;
  Certificates certs(env.dir());
  const int grpc_port = FreePort();
  std::vector<std::string> flags = SimTlsFlags(certs);
  for (const std::string& flag : DebugServiceFlags(grpc_port)) flags.push_back(flag);
  env.StartSim(flags);
  const std::string rocksdb = "source = \"debug_service\"\ninterval_ms = 1000\n";
  env.StartExporterWithConfig(
      WithRocksDb(env.ConfigText(300, 250, {}, "", SecurityTable(certs, "client")), grpc_port, rocksdb));
  EXPECT_TRUE(WaitFor(
      [&] {
        const std::string metrics = env.Metrics();
        return CollectorUp(metrics, "rocksdb") == 1 && Source(metrics, "debug_service") == 1 &&
               SampleValue(metrics, "tikv_exporter_rocksdb_level_files", {{"cf", "default"}, {"level", "Sum"}});
      },
      std::chrono::seconds(15)))
      << env.exporter().Log();
  env.exporter().Stop();

  // Without a client certificate the TLS-only debug service refuses the exporter.
  env.StartExporterWithConfig(
      WithRocksDb(env.ConfigText(300, 250, {}, "", SecurityTable(certs, "")), grpc_port, rocksdb));
  ASSERT_TRUE(env.WaitForPolls(3));
  EXPECT_EQ(CollectorUp(env.Metrics(), "rocksdb"), 0);
  EXPECT_NE(env.exporter().Log().find("TiKV debug service https://127.0.0.1:" + std::to_string(grpc_port)),
            std::string::npos)
      << env.exporter().Log();
}

TEST(RocksDbDebugService, AutoFallsBackToTheLogAndBack) {
  SimAndExporter env;
  const int grpc_port = FreePort();
  env.StartSim(DebugServiceFlags(grpc_port));
  env.StartExporterWithConfig(WithRocksDb(env.ConfigText(300, 250, {}), grpc_port,
                                          "interval_ms = 1000\nlog_path = \"" + kLogFixture + "\"\n"));
  auto source_is = [&](const std::string& source) {
    return WaitFor(
        [&] {
          const std::string metrics = env.Metrics();
          return CollectorUp(metrics, "rocksdb") == 1 && Source(metrics, source) == 1;
        },
        std::chrono::seconds(10));
  };
  ASSERT_TRUE(source_is("debug_service")) << env.exporter().Log();
  env.Control("/control/debug/fault?mode=fail");
  ASSERT_TRUE(source_is("log")) << env.exporter().Log();
  EXPECT_EQ(SampleValue(env.Metrics(), "tikv_exporter_rocksdb_dumps_total"), kDumpsInFixture);
  // A hung debug service takes half the poll; the LOG answers in the other half.
  env.Control("/control/debug/fault?mode=hang");
  ASSERT_TRUE(env.WaitForPolls(4));
  EXPECT_EQ(CollectorUp(env.Metrics(), "rocksdb"), 1);
  EXPECT_EQ(Source(env.Metrics(), "log"), 1);
  env.Control("/control/debug/fault?mode=none");
  ASSERT_TRUE(source_is("debug_service")) << env.exporter().Log();
  const std::string log = env.exporter().Log();
  EXPECT_NE(log.find("reading the LOG " + kLogFixture + " until it answers: RocksDB statistics from the log"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("answers: RocksDB statistics from the debug_service"), std::string::npos) << log;
}

TEST(RocksDbDebugService, AWriteStallShowsWithinOneRocksDbInterval) {
  SimAndExporter env;
  const int grpc_port = FreePort();
  env.StartSim(DebugServiceFlags(grpc_port));
  constexpr int kIntervalMs = 2000;
  env.StartExporterWithConfig(WithRocksDb(env.ConfigText(500, 400, {}), grpc_port,
                                          "source = \"debug_service\"\ninterval_ms = " +
                                              std::to_string(kIntervalMs) + "\n"));
  const std::map<std::string, std::string> first_cause = {{"cause", "level0_slowdown"}, {"cf", "default"}};
  ASSERT_TRUE(WaitFor(
      [&] { return SampleValue(env.Metrics(), "tikv_exporter_rocksdb_write_stalls_total", first_cause) == 0; },
      std::chrono::seconds(10)))
      << env.exporter().Log();
  env.Control("/control/unhealthy?state=write_stall");
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitFor(
      [&] { return SampleValue(env.Metrics(), "tikv_exporter_rocksdb_write_stalls_total", first_cause) > 0; },
      std::chrono::seconds(10)));
  // At most one interval until the next call, plus the poll that delivers it.
  EXPECT_LE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(kIntervalMs + 500 + 500));
  EXPECT_GT(SampleValue(env.Metrics(), "tikv_exporter_rocksdb_ticker_total", {{"ticker", "stall.micros"}}), 0);
}

// The series of one db ("name{labels}" -> value) among the statistics series of a /metrics body.
std::map<std::string, std::string> SeriesOfDb(const std::string& body, const std::string& db) {
  std::map<std::string, std::string> of_db;
  for (const auto& [series, value] : StatisticsSeries(body)) {
    if (series.find("db=\"" + db + "\"") != std::string::npos) of_db[series] = value;
  }
  return of_db;
}

// Starts the simulator's debug service, with `extra` flags, and an exporter calling it each
// second; returns /metrics once `ready` holds for it (empty after 15 s).
std::string MetricsOfDebugService(SimAndExporter& env, const std::vector<std::string>& extra,
                                  const std::function<bool(const std::string&)>& ready) {
  const int grpc_port = FreePort();
  std::vector<std::string> flags = DebugServiceFlags(grpc_port);
  flags.insert(flags.end(), extra.begin(), extra.end());
  env.StartSim(flags);
  env.StartExporterWithConfig(
      WithRocksDb(env.ConfigText(250, 200, {}), grpc_port, "source = \"debug_service\"\ninterval_ms = 1000\n"));
  std::string metrics;
  if (!WaitFor([&] { return ready(metrics = env.Metrics()); }, std::chrono::seconds(15))) return "";
  return metrics;
}

// With raft-engine off, TiKV's rocksdb_raft is the raftdb's stats text: its series come beside
// kv's, told apart by db, and never collide with them.
TEST(RocksDbDebugService, ARaftRocksDbIsExportedBesideKv) {
  SimAndExporter env;
  const std::string metrics = MetricsOfDebugService(env, {"--raft-rocksdb-log", kRaftLogFixture}, [](const std::string& m) {
    return SampleValue(m, "tikv_exporter_rocksdb_level_files", {{"db", "raft"}}).has_value();
  });
  ASSERT_FALSE(metrics.empty()) << env.exporter().Log();
  EXPECT_EQ(CollectorUp(metrics, "rocksdb"), 1);
  EXPECT_GT(SeriesOfDb(metrics, "raft").size(), 10u);
  EXPECT_GT(SeriesOfDb(metrics, "kv").size(), 500u);
  // Every statistics series names its db, but the count of answers, one per call.
  EXPECT_EQ(SeriesOfDb(metrics, "raft").size() + SeriesOfDb(metrics, "kv").size() + 1,
            StatisticsSeries(metrics).size());
  EXPECT_TRUE(StatisticsSeries(metrics).contains("tikv_exporter_rocksdb_dumps_total"));
  EXPECT_TRUE(SampleValue(metrics, "tikv_exporter_rocksdb_uptime_seconds", {{"db", "raft"}}).has_value());
  std::string output;
  EXPECT_EQ(RunCommand("promtool check metrics < " + env.dir().Write("m.prom", metrics), &output), 0) << output;
  EXPECT_EQ(output, "");
}

// With raft-engine on (TiKV's default), rocksdb_raft holds no RocksDB: no raft series, no error.
TEST(RocksDbDebugService, RaftEngineTextIsNoRaftDbAndNoError) {
  SimAndExporter env;
  const std::string metrics = MetricsOfDebugService(
      env, {}, [](const std::string& m) { return SampleValue(m, "tikv_exporter_rocksdb_dumps_total") >= 2; });
  ASSERT_FALSE(metrics.empty()) << env.exporter().Log();
  EXPECT_EQ(CollectorUp(metrics, "rocksdb"), 1);
  EXPECT_GT(SeriesOfDb(metrics, "kv").size(), 500u);
  EXPECT_EQ(SeriesOfDb(metrics, "raft").size(), 0u);
  EXPECT_EQ(env.exporter().Log().find("rocksdb_raft"), std::string::npos) << env.exporter().Log();
}

// Without [tikv] grpc_address, the debug service is where PD says this node's store is: the
// simulator's PD lists the debug service's port (not 20160) as the store's address.
TEST(RocksDbDebugService, LearnsTheAddressFromPdsStore) {
  SimAndExporter env;
  const int grpc_port = FreePort();
  const int pd_port = FreePort();
  std::vector<std::string> flags = DebugServiceFlags(grpc_port);
  flags.insert(flags.end(), {"--pd-address", "127.0.0.1:" + std::to_string(pd_port)});
  env.StartSim(flags);
  std::string config = env.ConfigText(250, 200, {pd_port});
  const std::string off = "[collectors.rocksdb]\nenabled = false\n";
  config.replace(config.find(off), off.size(),
                 "[collectors.rocksdb]\nsource = \"debug_service\"\ninterval_ms = 60000\n");
  env.StartExporterWithConfig(config);
  const std::string url = "http://127.0.0.1:" + std::to_string(grpc_port);
  std::string metrics;
  ASSERT_TRUE(WaitFor(
      [&] {
        metrics = env.Metrics();
        return CollectorUp(metrics, "rocksdb") == 1;
      },
      std::chrono::seconds(15)))
      << env.exporter().Log();
  EXPECT_GE(SampleValue(metrics, "tikv_exporter_rocksdb_dumps_total"), 1);
  EXPECT_NE(HttpGet(env.exporter_port(), "/api/v1/rocksdb").body.find("\"address\":\"" + url + "\""),
            std::string::npos);
  const std::string log = env.exporter().Log();
  const std::string change = "TiKV's debug service at " + url + ", PD's address of this node's store";
  ASSERT_NE(log.find(change), std::string::npos) << log;
  EXPECT_EQ(log.find(change), log.rfind(change)) << "logged once:\n" << log;
}

}  // namespace
}  // namespace tikv_exporter::testing
