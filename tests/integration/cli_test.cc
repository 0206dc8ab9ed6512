// The exporter binary's command line: --check-config, --version, flags overriding the file.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "tests/integration/harness.h"

namespace tikv_exporter::testing {
namespace {

const std::string kExporter = TIKV_EXPORTER_BIN;

TEST(Cli, CheckConfigAcceptsTheSeedConfig) {
  std::string output;
  EXPECT_EQ(RunCommand(kExporter + " --check-config --config " TESTDATA_DIR "/seed-config.toml", &output), 0)
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
  EXPECT_EQ(RunCommand(kExporter + " --check-config --config " TESTDATA_DIR "/seed-config.toml --log.level loud", &output), 1);
  EXPECT_NE(output.find("loud"), std::string::npos) << output;
  EXPECT_EQ(RunCommand(kExporter + " --check-config --config " TESTDATA_DIR "/seed-config.toml --log.format=xml", &output), 1);
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

namespace tikv_exporter::testing {
namespace {

std::string Repeat(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

// Configs that crashed the TOML parser (stack overflow), made it spin for minutes, or passed
// --check-config and then hung the exporter at start: each is refused at once, naming the line.
TEST(Cli, CheckConfigRefusesHostileConfigsQuicklyNamingTheLine) {
  TempDir dir;
  const std::string salt_and_hash = std::string(21, 'a') + "e" + std::string(31, 'a');
  std::string elements;
  for (int i = 0; i < 5000; ++i) elements += "  \"tikv_family_" + std::to_string(i) + "\",\n";
  struct Case {
    std::string text;
    int line;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"[tikv]\ntimeout_ms = 100\nx = " + std::string(10000, '[') + std::string(10000, ']') + "\n", 3,
       {"nested more than 16 deep"}},
      {"x = " + Repeat("{a = ", 5000) + "1" + std::string(5000, '}') + "\n", 1, {"nested more than 16 deep"}},
      {"[collectors.tikv]\nrelay = [\n" + elements + "]\n", 1003, {"array with more than 1000 elements"}},
      {"[web.basic_auth_users]\nprometheus = \"$2b$31$" + salt_and_hash + "\"\n", 2,
       {"[web.basic_auth_users] prometheus", "bcrypt cost 31 is outside 4..14"}},
      {"[exporter]\nhistory = 50000\n", 2, {"[exporter] history", "between 0 and 10000"}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string path = dir.Write("hostile" + std::to_string(i) + ".toml", cases[i].text);
    std::string output;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(RunCommand("timeout 60 " + kExporter + " --check-config --config " + path, &output), 1) << output;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << path;
    EXPECT_NE(output.find(path + ":" + std::to_string(cases[i].line) + ":"), std::string::npos) << output;
    for (const std::string& part : cases[i].expected) EXPECT_NE(output.find(part), std::string::npos) << output;
    EXPECT_EQ(output.find("AddressSanitizer"), std::string::npos) << output;
  }
}

// "A bad reload keeps the old config" for every input: SIGHUP and POST /-/reload with configs
// that used to kill the process or stall it.
TEST(Cli, AReloadOfAHostileConfigKeepsTheRunningOne) {
  TempDir dir;
  const int port = FreePort();
  const std::string good = "[tikv]\nstatus_address = \"127.0.0.1:1\"\ntimeout_ms = 200\n"
                           "[exporter]\nlisten_address = \"127.0.0.1:" + std::to_string(port) +
                           "\"\npoll_interval_ms = 500\nenable_lifecycle = true\n[collectors.pd]\nenabled = false\n";
  const std::string config = dir.Write("c.toml", good);
  // Reloads run at most once per 3 s: each one here waits that long after the one before, so it
  // runs at once and answers with its outcome instead of 202 (scheduled).
  const auto cool_down = [] { std::this_thread::sleep_for(std::chrono::milliseconds(3200)); };
  Process exporter({kExporter, "--config", config}, dir.path() + "/log");
  ASSERT_TRUE(WaitFor([&] { return HttpGet(port, "/-/healthy").status == 200; }, std::chrono::seconds(10)));

  dir.Write("c.toml", good + "x = " + std::string(10000, '[') + "\n");
  kill(exporter.pid(), SIGHUP);
  EXPECT_TRUE(WaitFor([&] { return exporter.Log().find("config reload (SIGHUP) failed") != std::string::npos; },
                      std::chrono::seconds(10)))
      << exporter.Log();
  EXPECT_NE(exporter.Log().find(config + ":10:21: arrays and inline tables nested more than 16 deep"), std::string::npos)
      << exporter.Log();
  EXPECT_EQ(HttpGet(port, "/-/healthy").status, 200);

  dir.Write("c.toml", good + "x = " + Repeat("{a = ", 5000) + "1" + std::string(5000, '}') + "\n");
  cool_down();
  HttpResult reload = HttpPost(port, "/-/reload");
  EXPECT_EQ(reload.status, 500);
  EXPECT_NE(reload.body.find("nested more than 16 deep"), std::string::npos) << reload.body;

  std::string elements;
  for (int i = 0; i < 5000; ++i) elements += "  \"tikv_family_" + std::to_string(i) + "\",\n";
  dir.Write("c.toml", good + "[collectors.tikv]\nrelay = [\n" + elements + "]\n");
  cool_down();
  const auto start = std::chrono::steady_clock::now();
  reload = HttpPost(port, "/-/reload");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  EXPECT_EQ(reload.status, 500);
  EXPECT_NE(reload.body.find("array with more than 1000 elements"), std::string::npos) << reload.body;

  // A hash whose every check would take days.
  dir.Write("c.toml", good + "[web.basic_auth_users]\nprometheus = \"$2b$31$" + std::string(21, 'a') + "e" +
                          std::string(31, 'a') + "\"\n");
  cool_down();
  reload = HttpPost(port, "/-/reload");
  EXPECT_EQ(reload.status, 500);
  EXPECT_NE(reload.body.find("[web.basic_auth_users] prometheus"), std::string::npos) << reload.body;
  EXPECT_NE(reload.body.find("bcrypt cost 31 is outside 4..14"), std::string::npos) << reload.body;

  EXPECT_TRUE(exporter.Running());
  EXPECT_EQ(SampleValue(HttpGet(port, "/metrics").body, "tikv_exporter_config_last_reload_successful"), 0);
  dir.Write("c.toml", good);
  cool_down();
  EXPECT_EQ(HttpPost(port, "/-/reload").status, 200);
  EXPECT_EQ(SampleValue(HttpGet(port, "/metrics").body, "tikv_exporter_config_last_reload_successful"), 1);
}

}  // namespace
}  // namespace tikv_exporter::testing
