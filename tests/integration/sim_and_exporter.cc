#include "tests/integration/sim_and_exporter.h"

namespace tikv_exporter::testing {

SimAndExporter::SimAndExporter()
    : sim_port_(FreePort()), control_port_(FreePort()), exporter_port_(FreePort()) {}

void SimAndExporter::StartSim(const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {TIKV_SIM_BIN, "--status-address",
                                   "127.0.0.1:" + std::to_string(sim_port_), "--control-address",
                                   "127.0.0.1:" + std::to_string(control_port_)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  sim_ = std::make_unique<Process>(argv, dir_.path() + "/sim.log");
  // The control API is plain HTTP even when the simulated node serves TLS only.
  WaitFor([&] { return HttpGet(control_port_, "/control/state").status == 200; }, std::chrono::seconds(10));
}

std::string SimAndExporter::ConfigText(int poll_interval_ms, int timeout_ms, const std::vector<int>& pd_ports,
                                       const std::string& exporter_keys, const std::string& tables,
                                       const std::string& scheme) const {
  std::string pd_endpoints;
  for (int port : pd_ports) {
    pd_endpoints += std::string(pd_endpoints.empty() ? "" : ", ") + "\"127.0.0.1:" + std::to_string(port) + "\"";
  }
  std::string config = "[tikv]\nstatus_address = \"" + scheme + "127.0.0.1:" + std::to_string(sim_port_) +
                       "\"\ntimeout_ms = " + std::to_string(timeout_ms) + "\n";
  if (!pd_ports.empty()) config += "pd_endpoints = [" + pd_endpoints + "]\n";
  config += "[exporter]\nlisten_address = \"127.0.0.1:" + std::to_string(exporter_port_) +
            "\"\npoll_interval_ms = " + std::to_string(poll_interval_ms) + "\n" + exporter_keys;
  config += pd_ports.empty() ? "[collectors.pd]\nenabled = false\n"
                             : "[collectors.pd]\nregion_ttl_ms = 1000\n";
  config += "[collectors.rocksdb]\nenabled = false\n";
  return config + tables;
}

std::string SimAndExporter::WithTikvAt(std::string config, int tikv_port) const {
  const std::string sim_address = "127.0.0.1:" + std::to_string(sim_port_);
  return config.replace(config.find(sim_address), sim_address.size(), "127.0.0.1:" + std::to_string(tikv_port));
}

void SimAndExporter::StartExporter(int poll_interval_ms, int timeout_ms, const std::vector<int>& pd_ports) {
  StartExporterWithConfig(ConfigText(poll_interval_ms, timeout_ms, pd_ports));
}

void SimAndExporter::StartExporterWithConfig(const std::string& config, bool wait_healthy,
                                             const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv{TIKV_EXPORTER_BIN, "--config", dir_.Write("exporter.toml", config), "--log.level",
                                "debug"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  exporter_ = std::make_unique<Process>(argv, dir_.path() + "/exporter.log");
  if (wait_healthy) {
    WaitFor([&] { return HttpGet(exporter_port_, "/-/healthy").status == 200; }, std::chrono::seconds(10));
  }
}

std::string SimAndExporter::Metrics() const { return HttpGet(exporter_port_, "/metrics").body; }

std::string SimAndExporter::Control(const std::string& path_and_query) const {
  return HttpPost(control_port_, path_and_query).body;
}

bool SimAndExporter::WaitForPolls(int polls, std::chrono::seconds timeout) const {
  const double start = SampleValue(Metrics(), "tikv_exporter_polls_total").value_or(0);
  return WaitFor(
      [&] { return SampleValue(Metrics(), "tikv_exporter_polls_total").value_or(0) >= start + polls; },
      timeout);
}

}  // namespace tikv_exporter::testing
