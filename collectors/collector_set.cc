#include "collectors/collector_set.h"

#include <exception>
#include <future>

namespace tikv_exporter {

CollectorSet::CollectorSet(std::vector<std::unique_ptr<Collector>> collectors)
    : collectors_(std::move(collectors)) {}

std::vector<std::string> CollectorSet::Names() const {
  std::vector<std::string> names;
  for (const auto& collector : collectors_) names.emplace_back(collector->Name());
  return names;
}

std::vector<CollectorOutcome> CollectorSet::CollectAll(Clock::time_point deadline,
                                                       PollData* out) {
  std::vector<std::future<CollectorOutcome>> running;
  running.reserve(collectors_.size());
  for (const auto& collector : collectors_) {
    running.push_back(std::async(std::launch::async, [&collector, deadline, out] {
      CollectorOutcome outcome;
      outcome.name = std::string(collector->Name());
      const auto start = Clock::now();
      try {
        Status status = collector->Collect(deadline, out);
        outcome.success = status.ok();
        outcome.error = status.message();
        outcome.limit = status.limit();
      } catch (const std::exception& e) {
        outcome.error = std::string("collector threw: ") + e.what();
      } catch (...) {
        outcome.error = "collector threw an unknown exception";
      }
      outcome.duration_seconds = std::chrono::duration<double>(Clock::now() - start).count();
      return outcome;
    }));
  }
  std::vector<CollectorOutcome> outcomes;
  outcomes.reserve(running.size());
  for (auto& future : running) outcomes.push_back(future.get());
  return outcomes;
}

}  // namespace tikv_exporter
