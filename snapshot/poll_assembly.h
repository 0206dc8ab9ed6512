#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/collector_set.h"
#include "common/limits.h"
#include "snapshot/config_drift.h"
#include "snapshot/gc_progress.h"
#include "snapshot/health.h"
#include "snapshot/poll_state.h"

namespace tikv_exporter {

// The config the assembly follows (taken anew at each reload).
struct PollRules {
  std::map<std::string, std::map<std::string, ExpectedSetting>> expected_settings;
  HealthThresholds health;
};

// What the assembly carries from one poll to the next; the caller owns it and passes it to every
// AssemblePoll call (the poller keeps one per process and starts its GcProgress anew at a reload).
struct PollMemory {
  uint64_t polls_total = 0;
  std::map<Source, CollectorStats> stats;           // of the sources the current config polls
  // The last TiKV scrape's rate inputs (KeepRateInputs): the rest of it, the parsed body above
  // all, is dropped once its poll is assembled.
  std::shared_ptr<const TikvScrape> previous_tikv;
  std::shared_ptr<const PollState> last;            // the last poll assembled: restarts count on
  GcProgress gc_progress;                           // whether GC advances, across polls
};

// A source whose state the log should tell of.
struct SourceChange {
  enum class Kind { kUp, kDown, kOtherErrorWhileDown };
  Source source;
  Kind kind;
  std::string error;  // for kDown and kOtherErrorWhileDown
};

// One poll, assembled: the state to publish and what the caller reports of it.
struct AssembledPoll {
  std::shared_ptr<PollState> state;
  std::vector<SourceChange> changes;
  // Every upstream bound hit this poll: by a collector that failed on it, or noted by one that
  // still delivered its data. An upstream bound not listed was not hit.
  std::vector<LimitNote> limits_hit;
  bool any_up = false;  // some source answered
};

// Turns one poll's collector outcomes and data into the PollState: source health, the TiKV
// snapshot (rates against the previous scrape), PD's and the LOG's signals, restarts, the GC
// watch, config drift and the verdict. Pure but for `memory`, which it reads and advances: no
// clock, no log, no lock; the poller schedules, logs and publishes.
AssembledPoll AssemblePoll(const std::vector<CollectorOutcome>& outcomes, const PollData& data, int64_t now_ms,
                           const PollRules& rules, PollMemory* memory);

// Drops the stats of sources the new config no longer polls (a reload).
void KeepStatsOf(const std::vector<Source>& sources, PollMemory* memory);

}  // namespace tikv_exporter
