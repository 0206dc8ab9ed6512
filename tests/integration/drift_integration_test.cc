// Config drift: the seed configuration's declared TiKV settings against the simulator's /config.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/integration/sim_and_exporter.h"

namespace tikv_exporter::testing {
namespace {

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(DriftIntegration, TheSeedConfigDriftsInExactlyTheKeyTheNodeDiffersIn) {
  TempDir dir;
  const int sim_port = FreePort();
  const int exporter_port = FreePort();
  Process sim({TIKV_SIM_BIN, "--status-address", "127.0.0.1:" + std::to_string(sim_port), "--control-address",
               "127.0.0.1:" + std::to_string(FreePort())},
              dir.path() + "/sim.log");
  // The seed configuration as the founding document has it, pointed at the simulator.
  std::ifstream in(TESTDATA_DIR "/seed-config.toml");
  std::stringstream seed;
  seed << in.rdbuf();
  std::string config = Replace(seed.str(), "[tikv]\n", "[tikv]\nstatus_address = \"127.0.0.1:" + std::to_string(sim_port) + "\"\n");
  config = Replace(config, "timeout_ms = 5000", "timeout_ms = 500");
  config += "\n[exporter]\nlisten_address = \"127.0.0.1:" + std::to_string(exporter_port) +
            "\"\npoll_interval_ms = 500\n[collectors.pd]\nenabled = false\n[collectors.rocksdb]\nenabled = false\n";
  Process exporter({TIKV_EXPORTER_BIN, "--config", dir.Write("seed.toml", config)}, dir.path() + "/exporter.log");
  ASSERT_TRUE(WaitFor([&] {
    return SampleValue(HttpGet(exporter_port, "/metrics").body, "tikv_exporter_config_drift",
                       {{"section", "storage"}, {"key", "reserve_space"}})
        .has_value();
  }, std::chrono::seconds(10))) << exporter.Log();
  const std::string metrics = HttpGet(exporter_port, "/metrics").body;
  // The simulator runs with TiKV's default reserve-space of 5GiB; the seed declares 50GB.
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_config_drift", {{"section", "storage"}, {"key", "reserve_space"}}), 1);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_config_setting_info",
                        {{"section", "storage"}, {"key", "reserve_space"}, {"declared", "50GB"}, {"live", "5GiB"}}),
            1);
  int compared = 0, drifted = 0;
  for (const auto& [section, keys] : std::map<std::string, std::vector<std::string>>{
           {"storage", {"capacity", "reserve_space", "max_background_jobs"}},
           {"raftstore", {"capacity", "notify_capacity", "messages_per_tick"}},
           {"rocksdb", {"max_background_jobs", "block_cache_size", "write_buffer_size"}}}) {
    for (const std::string& key : keys) {
      std::optional<double> value = SampleValue(metrics, "tikv_exporter_config_drift", {{"section", section}, {"key", key}});
      ASSERT_TRUE(value) << section << "." << key;
      ++compared;
      drifted += *value == 1;
    }
  }
  EXPECT_EQ(compared, 9);
  EXPECT_EQ(drifted, 1);
  std::string output;
  EXPECT_EQ(RunCommand("promtool check metrics < " + dir.Write("m.prom", metrics), &output), 0) << output;
  EXPECT_EQ(output, "");
}

}  // namespace
}  // namespace tikv_exporter::testing
