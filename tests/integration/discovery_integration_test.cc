// A real Prometheus finds a simulated 5-node cluster through one sidecar's /api/v1/targets
// (http_sd_config) and scrapes every sidecar.

#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace tikv_exporter::testing {
namespace {

constexpr int kNodes = 5;
constexpr int kSidecarOffset = 10;  // the default [exporter] discovery_port_offset

TEST(DiscoveryIntegration, PrometheusDiscoversAndScrapesEverySidecar) {
  TempDir dir;
  std::vector<int> status_ports;
  for (int i = 0; i < kNodes; ++i) status_ports.push_back(FreePortWithPartner(kSidecarOffset));
  const int pd_port = FreePort();

  std::vector<std::unique_ptr<Process>> processes;
  for (int i = 0; i < kNodes; ++i) {
    std::vector<std::string> sim = {TIKV_SIM_BIN, "--status-address", "127.0.0.1:" + std::to_string(status_ports[i]),
                                    "--control-address", "127.0.0.1:" + std::to_string(FreePort())};
    if (i == 0) {  // the first simulator also plays PD, knowing all five stores
      sim.insert(sim.end(), {"--pd-address", "127.0.0.1:" + std::to_string(pd_port)});
      for (int port : status_ports) sim.insert(sim.end(), {"--pd-store-status", "127.0.0.1:" + std::to_string(port)});
    }
    processes.push_back(std::make_unique<Process>(sim, dir.path() + "/sim" + std::to_string(i) + ".log"));
  }
  for (int i = 0; i < kNodes; ++i) {
    const std::string config = dir.Write(
        "exporter" + std::to_string(i) + ".toml",
        "[tikv]\nstatus_address = \"127.0.0.1:" + std::to_string(status_ports[i]) + "\"\npd_endpoints = [\"127.0.0.1:" +
            std::to_string(pd_port) + "\"]\ntimeout_ms = 800\n[exporter]\nlisten_address = \"127.0.0.1:" +
            std::to_string(status_ports[i] + kSidecarOffset) +
            "\"\npoll_interval_ms = 1000\n[collectors.rocksdb]\nenabled = false\n");
    processes.push_back(std::make_unique<Process>(std::vector<std::string>{TIKV_EXPORTER_BIN, "--config", config},
                                                  dir.path() + "/exporter" + std::to_string(i) + ".log"));
  }
  const int first_sidecar = status_ports[0] + kSidecarOffset;
  ASSERT_TRUE(WaitFor([&] { return HttpGet(first_sidecar, "/api/v1/targets").status == 200; },
                      std::chrono::seconds(15)));
  const std::string targets = HttpGet(first_sidecar, "/api/v1/targets").body;
  for (int port : status_ports) {
    EXPECT_NE(targets.find("\"127.0.0.1:" + std::to_string(port + kSidecarOffset) + "\""), std::string::npos)
        << targets;
  }

  const int prometheus_port = FreePort();
  auto prometheus = StartPrometheus(
      dir, prometheus_port,
      "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n"
      "  - job_name: tikv-sidecars\n    http_sd_configs:\n      - url: http://127.0.0.1:" +
          std::to_string(first_sidecar) +
          "/api/v1/targets\n        refresh_interval: 1s\n    relabel_configs:\n"
          "      - source_labels: [__meta_tikv_store_id]\n        target_label: store_id\n");
  ASSERT_TRUE(WaitFor([&] { return PromQuery(prometheus_port, "count(up{job=\"tikv-sidecars\"} == 1)") == kNodes; },
                      std::chrono::seconds(60)))
      << prometheus->Log();
  for (int i = 0; i < kNodes; ++i) {
    const std::string instance = "127.0.0.1:" + std::to_string(status_ports[i] + kSidecarOffset);
    const std::string store_id = std::to_string(1 + 3 * i);  // the simulator's store ids
    EXPECT_TRUE(WaitFor([&] {
      return PromQuery(prometheus_port, "tikv_exporter_pd_local_store_id{instance=\"" + instance +
                                            "\",store_id=\"" + store_id + "\"}") == 1 + 3 * i;
    }, std::chrono::seconds(20))) << instance;
    EXPECT_EQ(PromQuery(prometheus_port, "tikv_exporter_up{source=\"tikv\",instance=\"" + instance + "\"}"), 1)
        << instance;
    EXPECT_TRUE(PromQuery(prometheus_port, "tikv_exporter_storage_size_bytes{type=\"capacity\",instance=\"" +
                                               instance + "\"}"))
        << instance;
  }
}

TEST(DiscoveryIntegration, AnswersServiceUnavailableWithoutPd) {
  TempDir dir;
  const int port = FreePort();
  const std::string config = dir.Write("c.toml", "[tikv]\nstatus_address = \"127.0.0.1:1\"\npd_endpoints = "
                                                 "[\"127.0.0.1:1\"]\ntimeout_ms = 200\n[exporter]\n"
                                                 "poll_interval_ms = 500\n");
  Process exporter({TIKV_EXPORTER_BIN, "--config", config, "--web.listen-address", "127.0.0.1:" + std::to_string(port)},
                   dir.path() + "/log");
  ASSERT_TRUE(WaitFor([&] { return HttpGet(port, "/-/healthy").status == 200; }, std::chrono::seconds(10)));
  EXPECT_EQ(HttpGet(port, "/api/v1/targets").status, 503);
}

}  // namespace
}  // namespace tikv_exporter::testing
