#pragma once

#include <memory>
#include <string>
#include <vector>

#include "collectors/collector.h"

namespace tikv_exporter {

struct CollectorOutcome {
  std::string name;
  bool success = false;
  double duration_seconds = 0;
  std::string error;  // empty on success
  std::string limit;  // the exporter bound that failed this collector, if one did
};

// Runs the enabled collectors of one poll in parallel, each bounded by the same deadline; times
// each and turns any exception into a failure, so one failing collector never fails the others.
// Owns the collectors; CollectAll() is called from one thread at a time.
class CollectorSet {
 public:
  explicit CollectorSet(std::vector<std::unique_ptr<Collector>> collectors);
  CollectorSet(const CollectorSet&) = delete;
  CollectorSet& operator=(const CollectorSet&) = delete;

  // Outcomes are in the order the collectors were given.
  std::vector<CollectorOutcome> CollectAll(Clock::time_point deadline, PollData* out);

  std::vector<std::string> Names() const;

 private:
  std::vector<std::unique_ptr<Collector>> collectors_;
};

}  // namespace tikv_exporter
