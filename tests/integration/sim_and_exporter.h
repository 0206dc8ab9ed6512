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

  std::string Metrics() const;
  std::string Control(const std::string& path_and_query) const;  // POST to the sim's control API
  // Waits until tikv_exporter_polls_total has grown by `polls` (the next polls have finished).
  bool WaitForPolls(int polls) const;

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
