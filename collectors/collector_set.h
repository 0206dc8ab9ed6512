#pragma once

#include <chrono>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "collectors/collector.h"

namespace tikv_exporter {

struct CollectorOutcome {
  Source source = Source::kTikv;
  bool success = false;
  double duration_seconds = 0;
  std::string error;  // empty on success
  std::optional<Limit> limit;  // the exporter bound that failed this collector, if one did
};

// Runs the enabled collectors of one poll in parallel on a fixed pool: one worker thread per
// collector, started by the constructor and kept for the set's life (not a thread per poll).
// Every collector of a poll gets the same deadline; CollectAll() waits for them until that
// deadline plus kGrace and then stores each successful result into the poll's PollData itself.
// A collector that has not returned by then is failed for that poll and its late result is
// discarded; while it is still running, later polls skip it (failed: "still running from an
// earlier poll") instead of queueing behind it. Any exception becomes that collector's failure,
// so one failing collector never fails the others.
//
// Ownership: the collectors and what the workers share live in a block that each worker thread
// co-owns, together with `keep_alive` (whatever the collectors borrow, e.g. a connection
// limiter). Destroying the set stops the workers: idle ones are joined; one still inside a
// collector gets kShutdownWait to return and is then detached, freeing the collector (and its
// share of `keep_alive`) on its own thread when its Collect() finally returns. So destruction
// never takes longer than kShutdownWait, and nothing a late collector touches is freed under it.
// Thread safety: CollectAll() is called from one thread at a time; the rest is immutable.
class CollectorSet {
 public:
  static constexpr std::chrono::milliseconds kGrace{200};
  static constexpr std::chrono::milliseconds kShutdownWait{200};

  // Throws std::system_error when a worker thread cannot be created (none is left running then).
  explicit CollectorSet(std::vector<std::unique_ptr<Collector>> collectors,
                        std::shared_ptr<const void> keep_alive = nullptr);
  ~CollectorSet();
  CollectorSet(const CollectorSet&) = delete;
  CollectorSet& operator=(const CollectorSet&) = delete;

  // Outcomes are in the order the collectors were given. Returns by deadline + kGrace, or soon
  // after `stop` is requested (the collectors still running are then failed as interrupted).
  std::vector<CollectorOutcome> CollectAll(Clock::time_point deadline, PollData* out,
                                           std::stop_token stop = {});

  std::vector<Source> Sources() const { return sources_; }

 private:
  struct Shared;
  static void Work(std::shared_ptr<Shared> shared, size_t index);

  std::vector<Source> sources_;
  std::shared_ptr<Shared> shared_;
  std::vector<std::thread> workers_;
};

}  // namespace tikv_exporter
