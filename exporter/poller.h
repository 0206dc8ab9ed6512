#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "collectors/collector_set.h"
#include "snapshot/gc_progress.h"
#include "snapshot/snapshot.h"
#include "exporter/config.h"
#include "exporter/config_drift.h"
#include "common/limit_tracker.h"
#include "snapshot/snapshot_history.h"

namespace tikv_exporter {

struct CollectorStats {
  bool success = false;
  double duration_seconds = 0;
  int64_t last_success_ms = 0;  // wall clock; 0 = never
  std::string last_error;
};

// Everything one poll produced, published as a whole so a scrape never sees half a poll.
// Immutable once published.
struct PollState {
  Snapshot snapshot;
  std::map<Source, CollectorStats> collectors;
  std::shared_ptr<const TikvScrape> tikv;             // the latest TiKV scrape when TiKV is up
  std::shared_ptr<const PdData> pd;                   // the latest PD data when PD is up
  std::shared_ptr<const RocksDbLogData> rocksdb;      // the LOG's dumps when the log is readable
  std::vector<SettingDrift> drift;  // declared settings against TiKV's live /config
  uint64_t polls_total = 0;
};

// Runs the collector set every poll interval on its own thread, turns consecutive TiKV scrapes
// into snapshots and publishes the latest PollState. Logs one line per source state change.
// Owns the thread; Latest() and Ready() are thread-safe.
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

  // Runs one poll synchronously (tests, and the first poll at start).
  void PollOnce();

  std::shared_ptr<const PollState> Latest() const;
  // True after the first poll in which at least one source answered.
  bool Ready() const;

 private:
  void Run();
  void NoteOutcome(const CollectorOutcome& outcome, int64_t now_ms, CollectorStats* stats);
  // Logs the verdict when its level or its reasons changed since the last poll.
  void NoteHealth(const HealthVerdict& verdict);

  struct Plan {
    std::unique_ptr<CollectorSet> collectors;
    std::chrono::milliseconds interval;
    std::chrono::milliseconds timeout;
    std::map<std::string, std::map<std::string, ExpectedSetting>> expected_settings;
    HealthThresholds health;
  };
  static Plan MakePlan(std::unique_ptr<CollectorSet> collectors, const ExporterConfig& config);
  void TakePendingPlan();

  SnapshotHistory* const history_;
  LimitTracker* const limits_;

  // Poll-thread state.
  Plan plan_;
  std::shared_ptr<const TikvScrape> previous_tikv_;
  std::shared_ptr<const TikvScrape> latest_tikv_;
  std::map<Source, CollectorStats> stats_;
  uint64_t polls_total_ = 0;
  std::optional<std::vector<std::string>> logged_health_;  // the level and reasons last logged
  GcProgress gc_progress_;  // whether GC advances, across polls; new on each reload

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::stop_source stop_;  // interrupts CollectAll() at Stop()
  std::unique_ptr<Plan> pending_plan_;  // set by Reconfigure, taken at the next poll
  bool ready_ = false;
  std::shared_ptr<const PollState> latest_;
  std::thread thread_;
};

}  // namespace tikv_exporter
