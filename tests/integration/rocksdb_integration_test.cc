// The exporter following a RocksDB LOG beside a TiKV whose /metrics has no block-cache signal.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/integration/harness.h"
#include "tests/integration/sim_and_exporter.h"

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
                    "\"\npoll_interval_ms = 500\n[collectors.pd]\nenabled = false\n[collectors.rocksdb]\nsource = \"log\"\nlog_path = \"" +
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

// Starts the simulator and an exporter following `log_text` (written to rocksdb.info).
std::string StartWithLog(SimAndExporter& env, const std::string& log_text) {
  const std::string log = env.dir().Write("rocksdb.info", log_text);
  std::string config = env.ConfigText(300, 250, {});
  const std::string off = "[collectors.rocksdb]\nenabled = false\n";
  config.replace(config.find(off), off.size(), "[collectors.rocksdb]\nsource = \"log\"\nlog_path = \"" + log + "\"\n");
  env.StartSim();
  env.StartExporterWithConfig(config);
  return log;
}

// Two RocksDB 6.8-shaped dumps: statistics off (no STATISTICS record, the dump its thread's last
// record), [default]'s tables printed twice, the empty Priority table followed directly by the
// CF's lines; another thread logs after each dump.
std::string Log68() {
  std::string log;
  for (const char* files : {"1/0", "3/0"}) {
    const std::string table =
        "** Compaction Stats [default] **\n"
        "Level    Files   Size     Score Read(GB)  Rn(GB) Rnp1(GB) Write(GB) Wnew(GB) Moved(GB) W-Amp Rd(MB/s) Wr(MB/s) Comp(sec) CompMergeCPU(sec) Comp(cnt) Avg(sec) KeyIn KeyDrop\n"
        "------------------------------------------------------------------------------------\n"
        "  L0      " + std::string(files) + "    1.69 KB   0.5      0.0     0.0      0.0       0.0      0.0       0.0   0.0      0.0      0.0      0.00              0.00         0    0.000       0      0\n"
        " Sum      " + std::string(files) + "    1.69 KB   0.0      0.0     0.0      0.0       0.0      0.0       0.0   0.0      0.0      0.0      0.00              0.00         0    0.000       0      0\n"
        "\n** Compaction Stats [default] **\n"
        "Priority    Files   Size     Score Read(GB)  Rn(GB) Rnp1(GB) Write(GB) Wnew(GB) Moved(GB) W-Amp Rd(MB/s) Wr(MB/s) Comp(sec) CompMergeCPU(sec) Comp(cnt) Avg(sec) KeyIn KeyDrop\n"
        "------------------------------------------------------------------------------------\n"
        "Uptime(secs): 600.0 total, 600.0 interval\n"
        "Stalls(count): 2 level0_slowdown, 0 level0_slowdown_with_compaction, 0 level0_numfiles, 0 level0_numfiles_with_compaction, 0 stop for pending_compaction_bytes, 0 slowdown for pending_compaction_bytes, 0 memtable_compaction, 0 memtable_slowdown, interval 0 total count\n"
        "\n** File Read Latency Histogram By Level [default] **\n\n";
    log += "2020/06/01-10:00:00.000001 7f01 [/db_impl.cc:775] ------- DUMPING STATS -------\n"
           "2020/06/01-10:00:00.000002 7f01 [/db_impl.cc:777] \n** DB Stats **\n"
           "Uptime(secs): 600.0 total, 600.0 interval\n"
           "Cumulative stall: 00:00:7.000 H:M:S, 1.2 percent\n\n" +
           table + table + "2020/06/01-10:00:00.000003 7f02 [/compaction_job.cc:1] [default] compacted\n";
  }
  return log;
}

TEST(RocksDbIntegration, ARocksDb68LogWithoutStatisticsIsReadWholeAndEachSeriesOnce) {
  SimAndExporter env;
  StartWithLog(env, Log68());
  // Every scrape below is also checked for series exposed twice (the harness does that).
  ASSERT_TRUE(WaitFor([&] { return SampleValue(env.Metrics(), "tikv_exporter_rocksdb_dumps_total") == 2; },
                      std::chrono::seconds(15)))
      << env.exporter().Log();
  const std::string body = env.Metrics();
  EXPECT_EQ(SampleValue(body, "tikv_exporter_rocksdb_level_files", {{"cf", "default"}, {"level", "L0"}}), 3);
  EXPECT_EQ(SampleValue(body, "tikv_exporter_rocksdb_write_stalls_total", {{"cf", "default"}, {"cause", "level0_slowdown"}}),
            2);
  EXPECT_EQ(SampleValue(body, "tikv_exporter_rocksdb_log_unknown_lines"), 0);
  EXPECT_TRUE(DuplicateSeries(body).empty());
}

// Issue 21 case 4: TiKV with server.simplify-metrics = true leaves its kv stall counter out of
// /metrics (it is 0 until the first stall), so the write stall comes from the LOG: 1.5 s of stall
// between two stats dumps a day apart (uptime 600 s, then 87000 s). Graded over that day it is a
// warning (any stall), 0.00174 %. Before: divided by the 300 ms poll window, critical ("500 %").
TEST(RocksDbIntegration, AStallFromTheLogIsGradedOverTheTimeBetweenItsDumps) {
  std::string log;
  const std::pair<const char*, const char*> dumps[] = {{"600.0", "6000000"}, {"87000.0", "7500000"}};
  for (const auto& [uptime, stall] : dumps) {
    log += std::string("2026/11/24-00:12:20.000001 7f01 [db/db_impl/db_impl.cc:1105] ------- DUMPING STATS -------\n"
                       "2026/11/24-00:12:20.000002 7f01 [db/db_impl/db_impl.cc:1107] \n** DB Stats **\nUptime(secs): ") +
           uptime + " total, 600.0 interval\nCumulative stall: 00:00:0.000 H:M:S, 0.0 percent\n\n"
           "2026/11/24-00:12:20.000003 7f01 [db/db_impl/db_impl.cc:788] STATISTICS:\n"
           "rocksdb.block.cache.miss COUNT : 10\nrocksdb.block.cache.hit COUNT : 90\nrocksdb.stall.micros COUNT : " +
           stall + "\n2026/11/24-00:12:20.000004 7f02 [db/compaction/compaction_job.cc:1] [default] compacted\n";
  }
  SimAndExporter env;
  StartWithLog(env, log);
  env.Control("/control/unhealthy?state=simplify_metrics");
  std::string body;
  EXPECT_TRUE(WaitFor(
      [&] {
        body = HttpGet(env.exporter_port(), "/api/v1/health").body;
        return body.find(R"({"name":"write_stall","level":"warning","reason":"write stall in the kv db 0.00174 % > 0: )") !=
                   std::string::npos &&
               body.find("(1.5 s of 24 h between the RocksDB LOG's last two stats dumps)") != std::string::npos;
      },
      std::chrono::seconds(30)))
      << body;
  EXPECT_EQ(SampleValue(env.Metrics(), "tikv_exporter_signal_source_info", {{"signal", "write_stall"}, {"source", "rocksdb_log"}}), 1);
}

TEST(RocksDbIntegration, AFileThatIsNoRocksDbLogIsReportedDownAndLoggedOnce) {
  SimAndExporter env;
  const std::string bench =
      "fillseq      :       2.468 micros/op 405186 ops/sec 4.936 seconds 2000000 operations;  318.8 MB/s\n"
      "\n** Compaction Stats [default] **\nLevel    Files   Size     Score\n";
  StartWithLog(env, bench);
  ASSERT_TRUE(WaitFor([&] { return SampleValue(env.Metrics(), "tikv_exporter_up", {{"source", "rocksdb"}}) == 0; },
                      std::chrono::seconds(15)))
      << env.exporter().Log();
  ASSERT_TRUE(env.WaitForPolls(3));
  const std::string log = env.exporter().Log();
  const std::string said = "no RocksDB records recognised in " + std::to_string(bench.size()) + " bytes";
  const size_t first = log.find(said);
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find(said, first + 1), std::string::npos) << log;  // once, not at every poll
  EXPECT_NE(HttpGet(env.exporter_port(), "/api/v1/snapshot").body.find(said), std::string::npos);  // last_error
}

TEST(Harness, FindsASeriesExposedTwice) {
  EXPECT_TRUE(DuplicateSeries("# TYPE a gauge\na{x=\"1\"} 1\na{x=\"2\"} 1\nb 2\n").empty());
  EXPECT_EQ(DuplicateSeries("a{x=\"1\",y=\"a,\\\"}\"} 1\nb 1\na{y=\"a,\\\"}\",x=\"1\"} 2\nb 3\n"),
            (std::vector<std::string>{"a{x=\"1\",y=\"a,\\\"}\"}", "b"}));
}

}  // namespace
}  // namespace tikv_exporter::testing
