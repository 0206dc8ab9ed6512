// The exporter binary's command line: --check-config, --version, flags overriding the file.

#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace tikv_exporter::testing {
namespace {

const std::string kExporter = TIKV_EXPORTER_BIN;

TEST(Cli, CheckConfigAcceptsTheSeedConfig) {
  std::string output;
  EXPECT_EQ(RunCommand(kExporter + " --check-config --config " SHARED_DIR "/seed-config.toml", &output), 0)
      << output;
  EXPECT_NE(output.find("config OK"), std::string::npos);
}

TEST(Cli, CheckConfigAcceptsTheShippedConfigs) {
  for (const char* config : {"config/tikv-exporter.toml", "config/demo.toml"}) {
    std::string output;
    EXPECT_EQ(RunCommand(kExporter + " --check-config --config " SOURCE_DIR "/" + config, &output), 0)
        << config << ": " << output;
  }
}

TEST(Cli, CheckConfigRejectsAMistakeNamingFileLineAndKey) {
  TempDir dir;
  std::string path = dir.Write("bad.toml", "[tikv]\nmax_connections = 10\ntimeout_ms = \"soon\"\n");
  std::string output;
  EXPECT_EQ(RunCommand(kExporter + " --check-config --config " + path, &output), 1);
  EXPECT_NE(output.find(path + ":3:"), std::string::npos) << output;
  EXPECT_NE(output.find("[tikv] timeout_ms"), std::string::npos) << output;
}

TEST(Cli, CheckConfigRejectsAMissingFile) {
  std::string output;
  EXPECT_EQ(RunCommand(kExporter + " --check-config --config /nonexistent.toml", &output), 1);
  EXPECT_NE(output.find("/nonexistent.toml"), std::string::npos) << output;
}

TEST(Cli, FlagsOverrideTheFileAndAreValidated) {
  std::string output;
  EXPECT_EQ(RunCommand(kExporter + " --check-config --config " SHARED_DIR "/seed-config.toml --log.level loud", &output), 1);
  EXPECT_NE(output.find("loud"), std::string::npos) << output;
  EXPECT_EQ(RunCommand(kExporter + " --check-config --config " SHARED_DIR "/seed-config.toml --log.format=xml", &output), 1);
  EXPECT_EQ(RunCommand(kExporter + " --check-config --web.listen-address nowhere", &output), 1);
  EXPECT_NE(output.find("nowhere"), std::string::npos) << output;
  EXPECT_EQ(RunCommand(kExporter + " --bogus", &output), 2);
  EXPECT_NE(output.find("unknown flag --bogus"), std::string::npos) << output;
}

TEST(Cli, PrintsItsVersion) {
  std::string output;
  EXPECT_EQ(RunCommand(kExporter + " --version", &output), 0);
  EXPECT_NE(output.find("tikv-exporter 0."), std::string::npos) << output;
}

TEST(Cli, ListenAddressFlagAndJsonLogsTakeEffect) {
  TempDir dir;
  const int port = FreePort();
  std::string config = dir.Write("c.toml", "[tikv]\nstatus_address = \"127.0.0.1:1\"\ntimeout_ms = 200\n"
                                           "[exporter]\nlisten_address = \"127.0.0.1:1\"\n"
                                           "poll_interval_ms = 500\n");
  Process exporter({kExporter, "--config", config, "--web.listen-address",
                    "127.0.0.1:" + std::to_string(port), "--log.format", "json"},
                   dir.path() + "/log");
  ASSERT_TRUE(WaitFor([&] { return HttpGet(port, "/-/healthy").status == 200; }, std::chrono::seconds(10)));
  ASSERT_TRUE(WaitFor([&] { return exporter.Log().find("is down") != std::string::npos; },
                      std::chrono::seconds(10)));
  EXPECT_EQ(exporter.Stop(), 0);  // SIGTERM stops it cleanly
  const std::string log = exporter.Log();
  EXPECT_NE(log.find("{\"time\":\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"level\":\"warning\",\"msg\":\"source tikv is down: "), std::string::npos) << log;
}

}  // namespace
}  // namespace tikv_exporter::testing

namespace tikv_exporter::testing {
namespace {

TEST(Cli, ATakenListenPortIsAnError) {
  TempDir dir;
  const std::string address = "127.0.0.1:" + std::to_string(FreePort());
  std::string config = dir.Write("c.toml", "[tikv]\nstatus_address = \"127.0.0.1:1\"\ntimeout_ms = 200\n"
                                           "[exporter]\npoll_interval_ms = 500\n[collectors.pd]\nenabled = false\n");
  Process first({kExporter, "--config", config, "--web.listen-address", address}, dir.path() + "/first.log");
  const int port = std::stoi(address.substr(address.rfind(':') + 1));
  ASSERT_TRUE(WaitFor([&] { return HttpGet(port, "/-/healthy").status == 200; }, std::chrono::seconds(10)));
  std::string output;
  EXPECT_EQ(RunCommand(kExporter + " --config " + config + " --web.listen-address " + address, &output), 1);
  EXPECT_NE(output.find("cannot listen on " + address), std::string::npos) << output;
}

}  // namespace
}  // namespace tikv_exporter::testing
