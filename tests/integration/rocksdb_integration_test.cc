// The exporter following a RocksDB LOG beside a TiKV whose /metrics has no block-cache signal.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/integration/harness.h"

namespace tikv_exporter::testing {
namespace {

TEST(RocksDbIntegration, LogMetricsAndLogSourcedSnapshotSignals) {
  TempDir dir;
  const int sim_port = FreePort();
  const int exporter_port = FreePort();
  // TiKV v5.3's dump: every cache and bloom ticker is 0, so the snapshot takes them from the LOG.
  Process sim({TIKV_SIM_BIN, "--status-address", "127.0.0.1:" + std::to_string(sim_port), "--control-address",
               "127.0.0.1:" + std::to_string(FreePort()), "--fixture",
               std::string(FIXTURES_DIR) + "/tikv-v5.3.0-alpha-metrics.prom", "--no-tickers"},
              dir.path() + "/sim.log");
  // The real LOG up to its third dump: dumps 1 and 2 differ (the workload ran between them).
  std::ifstream in(std::string(FIXTURES_DIR) + "/rocksdb-7.8.3-tikv-cfs-LOG");
  std::stringstream fixture;
  fixture << in.rdbuf();
  const std::string text = fixture.str();
  size_t third = text.find("------- DUMPING STATS");
  third = text.find("------- DUMPING STATS", text.find("------- DUMPING STATS", third + 1) + 1);
  const std::string log = dir.Write("rocksdb.info", text.substr(0, text.rfind('\n', third) + 1));
  const std::string config = dir.Write(
      "c.toml", "[tikv]\nstatus_address = \"127.0.0.1:" + std::to_string(sim_port) +
                    "\"\ntimeout_ms = 500\n[exporter]\nlisten_address = \"127.0.0.1:" + std::to_string(exporter_port) +
                    "\"\npoll_interval_ms = 500\n[collectors.pd]\nenabled = false\n[collectors.rocksdb]\nlog_path = \"" +
                    log + "\"\n");
  Process exporter({TIKV_EXPORTER_BIN, "--config", config}, dir.path() + "/exporter.log");
  auto metrics = [&] { return HttpGet(exporter_port, "/metrics").body; };
  ASSERT_TRUE(WaitFor([&] { return SampleValue(metrics(), "tikv_exporter_rocksdb_dumps_total") == 2; },
                      std::chrono::seconds(15)))
      << exporter.Log();
  ASSERT_TRUE(WaitFor([&] {
    return SampleValue(metrics(), "tikv_exporter_signal_source_info", {{"signal", "block_cache"}, {"source", "rocksdb_log"}}) == 1;
  }, std::chrono::seconds(10)));
  const std::string body = metrics();
  EXPECT_EQ(SampleValue(body, "tikv_exporter_up", {{"source", "rocksdb"}}), 1);
  EXPECT_EQ(SampleValue(body, "tikv_exporter_rocksdb_ticker_total", {{"ticker", "block.cache.hit"}}), 75532);
  EXPECT_TRUE(SampleValue(body, "tikv_exporter_rocksdb_stat_percentiles", {{"stat", "db.get.micros"}, {"quantile", "0.99"}}));
  // Between dump 1 (0 hits, 0 misses) and dump 2 (75532 hits, 5570 misses).
  EXPECT_DOUBLE_EQ(*SampleValue(body, "tikv_exporter_block_cache_hit_ratio", {{"db", "kv"}, {"block", "all"}}),
                   75532.0 / (75532 + 5570));
  EXPECT_NE(HttpGet(exporter_port, "/api/v1/snapshot").body.find("\"block_cache\":\"rocksdb_log\""), std::string::npos);
  std::string output;
  EXPECT_EQ(RunCommand("promtool check metrics < " + dir.Write("m.prom", body), &output), 0) << output;
  EXPECT_EQ(output, "");

  std::filesystem::remove(log);
  EXPECT_TRUE(WaitFor([&] { return SampleValue(metrics(), "tikv_exporter_up", {{"source", "rocksdb"}}) == 0; },
                      std::chrono::seconds(10)));
  EXPECT_EQ(SampleValue(metrics(), "tikv_exporter_up", {{"source", "tikv"}}), 1);
}

}  // namespace
}  // namespace tikv_exporter::testing
