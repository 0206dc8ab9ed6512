#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "collectors/collector_set.h"
#include "common/limit_tracker.h"
#include "common/mutex.h"
#include "exporter/config.h"
#include "snapshot/poll_assembly.h"
#include "snapshot/poll_state.h"
#include "snapshot/snapshot_history.h"

namespace tikv_exporter {

// Runs the collector set every poll interval on its own thread, has each poll assembled
// (AssemblePoll, snapshot/) and publishes the latest PollState; logs one line per source state
// change and per verdict change, and records the bounds hit. Owns the thread; Latest() and
// Ready() are thread-safe.
class Poller {
 public:
  // From `config`: the interval and timeout, the node's declared TiKV settings (compared with
  // TiKV's /config) and the health thresholds. Every snapshot is also pushed to `history`;
  // bounds hit by collectors are recorded in `limits` (both borrowed; may be null).
  Poller(std::unique_ptr<CollectorSet> collectors, const ExporterConfig& config, SnapshotHistory* history = nullptr,
         LimitTracker* limits = nullptr);
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  void Start();
  // Idempotent. Interrupts the poll in progress (its collectors still waiting on an upstream are
  // given up on) and waits for the poll thread, which then returns promptly.
  void Stop();

  // Replaces the collectors and the interval from the next poll on (config reload); the poll in
  // progress finishes with the old ones. The schedule is kept: the next poll comes one (new)
  // interval after the last one started, not at once. Rates continue across the swap: the
  // previous TiKV scrape is kept. Thread-safe.
  void Reconfigure(std::unique_ptr<CollectorSet> collectors, const ExporterConfig& config);

  // Runs one poll synchronously (tests, and the first poll at start). Not while the poll thread
  // runs: it uses the poll-thread state.
  void PollOnce() ABSL_LOCKS_EXCLUDED(mutex_);

  // `hook` runs on the poll thread after each poll is published (the exporter renders /metrics
  // then, not in the next scrape). Set before Start().
  void OnPublished(std::function<void(const std::shared_ptr<const PollState>&)> hook) { on_published_ = std::move(hook); }

  std::shared_ptr<const PollState> Latest() const;
  // True after the first poll in which at least one source answered.
  bool Ready() const;

 private:
  void Run();
  // Logs the verdict when its level or its reasons changed since the last poll.
  void NoteHealth(const HealthVerdict& verdict);

  struct Plan {
    std::unique_ptr<CollectorSet> collectors;
    std::chrono::milliseconds interval;
    std::chrono::milliseconds timeout;
    PollRules rules;
    // The TiKV node and the PD cluster polled: a reload that names others starts the GC watch
    // anew (what another node's safe point did before is no evidence), one that keeps them does not.
    std::string upstreams;
  };
  static Plan MakePlan(std::unique_ptr<CollectorSet> collectors, const ExporterConfig& config);
  void TakePendingPlan() ABSL_LOCKS_EXCLUDED(mutex_);

  SnapshotHistory* const history_;
  LimitTracker* const limits_;

  // Poll-thread state: only the thread that polls (Run(), or PollOnce()'s caller before Start())
  // touches it, so it needs no lock.
  Plan plan_;
  PollMemory memory_;  // its GcProgress starts anew at each reload
  std::optional<std::vector<std::string>> logged_health_;  // the level and reasons last logged
  std::function<void(const std::shared_ptr<const PollState>&)> on_published_;

  mutable Mutex mutex_;
  CondVar wake_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::stop_source stop_;  // interrupts CollectAll() at Stop(); thread-safe itself
  // Set by Reconfigure, taken at the next poll.
  std::unique_ptr<Plan> pending_plan_ ABSL_GUARDED_BY(mutex_);
  bool ready_ ABSL_GUARDED_BY(mutex_) = false;
  std::shared_ptr<const PollState> latest_ ABSL_GUARDED_BY(mutex_);
  std::thread thread_;  // started and joined by the owner's thread
};

}  // namespace tikv_exporter
