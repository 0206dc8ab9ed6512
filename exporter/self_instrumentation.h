#pragma once

#include <memory>
#include <string>

#include "prom/family_builder.h"

namespace prometheus {
class Counter;
template <typename T>
class Family;
class Gauge;
class Registry;
}  // namespace prometheus

namespace tikv_exporter {

class ProcessCollector;

// The exporter's live instrumentation of its own HTTP listener, on prometheus-cpp (a Registry
// with its thread-safe Counter and Gauge), plus the standard process_* series:
//   tikv_exporter_http_requests_total{path,code}  answered requests; path bounded to the known
//                                                  endpoints ("other" for any other path)
//   tikv_exporter_http_requests_in_flight         requests being answered now (all paths; the
//                                                  scrape that reads it counts itself, as in promhttp)
// Owns its registry and process collector; thread-safe (the listener's threads call InFlight and
// Observe, scrapes call AppendTo).
class SelfInstrumentation {
 public:
  // `proc_root` is where the process collector reads procfs ("/proc"; tests give a fixture).
  explicit SelfInstrumentation(std::string proc_root = "/proc");
  ~SelfInstrumentation();
  SelfInstrumentation(const SelfInstrumentation&) = delete;
  SelfInstrumentation& operator=(const SelfInstrumentation&) = delete;

  // A worker starts (+1) or has finished (-1) answering a request.
  void InFlight(int delta);
  // A request was answered with `status` (also the event loop's own answers: 503, 408, ...).
  void Observe(const std::string& path, int status);

  // Adds the families above and the process_* ones.
  void AppendTo(Families& families) const;

 private:
  std::unique_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* requests_;  // owned by registry_
  prometheus::Gauge* in_flight_;                       // owned by registry_
  std::unique_ptr<ProcessCollector> process_;
};

}  // namespace tikv_exporter
