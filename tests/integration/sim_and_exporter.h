#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/integration/harness.h"

namespace tikv_exporter::testing {

// A tikv-sim process and a tikv-exporter process polling it, on free loopback ports, with their
// logs in a temporary directory. Stops both on destruction.
class SimAndExporter {
 public:
  SimAndExporter();

  // Starts tikv-sim with `extra` flags and waits until its /status answers.
  void StartSim(const std::vector<std::string>& extra = {});
  // Starts the exporter with these intervals and waits until /-/healthy answers. The PD
  // collector polls `pd_ports` (region data every second) when given, and is off otherwise.
  void StartExporter(int poll_interval_ms, int timeout_ms, const std::vector<int>& pd_ports = {});
  // The config StartExporter() writes, with `exporter_keys` added to [exporter] and `tables`
  // ([security], [web], ...) appended; the TiKV address gets `scheme`.
  std::string ConfigText(int poll_interval_ms, int timeout_ms, const std::vector<int>& pd_ports,
                         const std::string& exporter_keys = "", const std::string& tables = "",
                         const std::string& scheme = "") const;
  // `config` (from ConfigText) with TiKV's status address moved from the simulator to
  // 127.0.0.1:`tikv_port` (e.g. a hostile-peer).
  std::string WithTikvAt(std::string config, int tikv_port) const;
  // Starts the exporter with this config text (written to exporter.toml) and `extra_args`; waits
  // for /-/healthy unless the listener is TLS-only.
  void StartExporterWithConfig(const std::string& config, bool wait_healthy = true,
                               const std::vector<std::string>& extra_args = {});
  std::string config_path() const { return dir_.path() + "/exporter.toml"; }
  int control_port() const { return control_port_; }

  std::string Metrics() const;
  std::string Control(const std::string& path_and_query) const;  // POST to the sim's control API
  // Waits until tikv_exporter_polls_total has grown by `polls` (the next polls have finished).
  bool WaitForPolls(int polls, std::chrono::seconds timeout = std::chrono::seconds(30)) const;

  int sim_port() const { return sim_port_; }
  int exporter_port() const { return exporter_port_; }
  const TempDir& dir() const { return dir_; }
  Process& exporter() { return *exporter_; }
  Process& sim() { return *sim_; }

 private:
  TempDir dir_;
  int sim_port_;
  int control_port_;
  int exporter_port_;
  std::unique_ptr<Process> sim_;
  std::unique_ptr<Process> exporter_;
};

}  // namespace tikv_exporter::testing
