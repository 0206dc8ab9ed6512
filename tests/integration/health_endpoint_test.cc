// GET /api/v1/health against a real exporter polling the simulator: the verdict as JSON, 200
// while the node passes, 503 (with the reason) while TiKV is down, 200 again once it is back.
#include <gtest/gtest.h>

#include <regex>

#include "tests/integration/sim_and_exporter.h"

namespace tikv_exporter::testing {
namespace {

TEST(HealthEndpoint, AnswersTheVerdictAnd503WhileTikvIsDown) {
  SimAndExporter env;
  env.StartSim({"--pd-address", "127.0.0.1:" + std::to_string(FreePort())});
  env.StartExporter(500, 400);
  ASSERT_TRUE(WaitFor([&] { return HttpGet(env.exporter_port(), "/api/v1/health").status == 200; },
                      std::chrono::seconds(15)));
  const HttpResult passing = HttpGet(env.exporter_port(), "/api/v1/health");
  EXPECT_EQ(passing.headers.at("Content-Type"), "application/json");
  EXPECT_TRUE(std::regex_search(passing.body, std::regex(R"re("level":"(ok|warning)")re"))) << passing.body;
  EXPECT_NE(passing.body.find(R"({"name":"tikv_reachable","level":"ok","reason":"TiKV's status server answers"})"),
            std::string::npos)
      << passing.body;
  EXPECT_NE(passing.body.find(R"("timestamp_ms":)"), std::string::npos);
  // The same verdict in the snapshot and on /metrics.
  EXPECT_NE(HttpGet(env.exporter_port(), "/api/v1/snapshot").body.find(R"("health":{"level":)"), std::string::npos);
  EXPECT_EQ(SampleValue(env.Metrics(), "tikv_exporter_health_check_level", {{"check", "tikv_reachable"}}), 0);

  env.Control("/control/fault?mode=down");
  ASSERT_TRUE(WaitFor([&] { return HttpGet(env.exporter_port(), "/api/v1/health").status == 503; },
                      std::chrono::seconds(10)));
  const HttpResult failing = HttpGet(env.exporter_port(), "/api/v1/health");
  EXPECT_NE(failing.body.find(R"("level":"critical","reasons":["TiKV's status server does not answer: )"),
            std::string::npos)
      << failing.body;
  EXPECT_EQ(SampleValue(env.Metrics(), "tikv_exporter_health_level"), 2);
  EXPECT_NE(env.exporter().Log().find("node health is critical: TiKV's status server does not answer"),
            std::string::npos);

  env.Control("/control/fault?mode=none");
  EXPECT_TRUE(WaitFor([&] { return HttpGet(env.exporter_port(), "/api/v1/health").status == 200; },
                      std::chrono::seconds(10)));
  EXPECT_EQ(SampleValue(env.Metrics(), "tikv_exporter_health_check_level", {{"check", "tikv_reachable"}}), 0);
}

// [health] is reloaded with the rest of the config: a check the operator disables stops counting
// at the next poll, and its series goes. With TiKV down, no PD and tikv_reachable disabled, no
// check is left: the verdict is "unknown" (503), not ok (issue 21 case 7).
TEST(HealthEndpoint, AReloadAppliesNewThresholds) {
  SimAndExporter env;
  env.StartSim();
  env.StartExporterWithConfig(env.ConfigText(500, 400, {}, "enable_lifecycle = true\n"));
  env.Control("/control/fault?mode=down");
  // 503 comes before the first poll too: wait for the verdict that TiKV is down.
  HttpResult down;
  ASSERT_TRUE(WaitFor(
      [&] {
        down = HttpGet(env.exporter_port(), "/api/v1/health");
        return down.body.find(R"("name":"tikv_reachable","level":"critical")") != std::string::npos;
      },
      std::chrono::seconds(15)))
      << "the last answer: " << down.status << " " << down.body << "\nthe exporter's log:\n" << env.exporter().Log();
  env.dir().Write("exporter.toml",
                  env.ConfigText(500, 400, {}, "enable_lifecycle = true\n", "[health]\ndisabled = [\"tikv_reachable\"]\n"));
  ASSERT_EQ(HttpPost(env.exporter_port(), "/-/reload").status, 200);
  HttpResult health;
  EXPECT_TRUE(WaitFor(
      [&] {
        health = HttpGet(env.exporter_port(), "/api/v1/health");
        return health.body.find(R"({"name":"tikv_reachable","level":"no_data","reason":"no data: disabled in [health]"})") !=
               std::string::npos;
      },
      std::chrono::seconds(30)))
      << health.body;
  EXPECT_EQ(health.status, 503);
  EXPECT_NE(health.body.find(R"("level":"unknown","reasons":["no checks evaluated: )"), std::string::npos) << health.body;
  EXPECT_FALSE(SampleValue(env.Metrics(), "tikv_exporter_health_check_level", {{"check", "tikv_reachable"}}));
}

}  // namespace
}  // namespace tikv_exporter::testing
