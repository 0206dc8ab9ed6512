#include "snapshot/poll_assembly.h"

#include "snapshot/health_checks.h"
#include "snapshot/node_signals.h"
#include "snapshot/pressure_builder.h"
#include "snapshot/snapshot_builder.h"

namespace tikv_exporter {
namespace {

// Updates `stats` with this poll's outcome; the change the log should tell of, if any.
std::optional<SourceChange> NoteOutcome(const CollectorOutcome& outcome, int64_t now_ms, CollectorStats* stats) {
  const bool first = stats->last_success_ms == 0 && stats->last_error.empty();
  const bool was_up = stats->success;
  stats->success = outcome.success;
  stats->duration_seconds = outcome.duration_seconds;
  std::optional<SourceChange> change;
  if (outcome.success) {
    stats->last_success_ms = now_ms;
    stats->last_error.clear();
    if (!was_up) change = SourceChange{outcome.source, SourceChange::Kind::kUp, ""};
    return change;
  }
  if (was_up || first) {
    change = SourceChange{outcome.source, SourceChange::Kind::kDown, outcome.error};
  } else if (outcome.error != stats->last_error) {
    change = SourceChange{outcome.source, SourceChange::Kind::kOtherErrorWhileDown, outcome.error};
  }
  stats->last_error = outcome.error;
  return change;
}

}  // namespace

AssembledPoll AssemblePoll(const std::vector<CollectorOutcome>& outcomes, const PollData& data, int64_t now_ms,
                           const PollRules& rules, PollMemory* memory) {
  AssembledPoll poll;
  poll.state = std::make_shared<PollState>();
  PollState& state = *poll.state;
  state.polls_total = ++memory->polls_total;
  state.snapshot.timestamp_ms = now_ms;
  state.snapshot.sequence = memory->polls_total;
  bool tikv_up = false;
  for (const CollectorOutcome& outcome : outcomes) {
    CollectorStats& stats = memory->stats[outcome.source];
    if (auto change = NoteOutcome(outcome, now_ms, &stats)) poll.changes.push_back(std::move(*change));
    SourceHealth& health = state.snapshot.sources[outcome.source];
    health.enabled = true;
    health.up = outcome.success;
    health.last_success_ms = stats.last_success_ms;
    health.last_error = stats.last_error;
    if (outcome.source == Source::kTikv) tikv_up = outcome.success;
    if (outcome.limit) poll.limits_hit.push_back(LimitNote{*outcome.limit, outcome.error});
    poll.any_up = poll.any_up || outcome.success;
  }
  state.collectors = memory->stats;
  // Bounds hit by collectors that still delivered their data.
  for (const std::vector<LimitNote>* notes : {data.tikv ? &data.tikv->limit_notes : nullptr,
                                              data.pd ? &data.pd->limit_notes : nullptr,
                                              data.rocksdb ? &data.rocksdb->limit_notes : nullptr}) {
    if (notes != nullptr) poll.limits_hit.insert(poll.limits_hit.end(), notes->begin(), notes->end());
  }

  if (tikv_up && data.tikv) {
    AddTikvMetrics(memory->previous_tikv.get(), *data.tikv, &state.snapshot);
    memory->previous_tikv = std::make_shared<const TikvScrape>(KeepRateInputs(*data.tikv));
    state.tikv = data.tikv->summary;
    if (!data.tikv->config.empty()) state.drift = CompareSettings(rules.expected_settings, data.tikv->config);
  }
  if (data.rocksdb) state.rocksdb = data.rocksdb;
  if (tikv_up) AddRocksDbLogSignals(data.rocksdb ? *data.rocksdb : RocksDbLogData{}, &state.snapshot);
  if (data.pd) {
    state.pd = data.pd;
    AddPdNodeSignals(*data.pd, &state.snapshot);  // what PD says of the store holds while TiKV is down
    if (tikv_up) AddPdStoreSize(*data.pd, &state.snapshot);
  }

  CountTikvRestarts(memory->last ? &memory->last->snapshot : nullptr, &state.snapshot);
  memory->gc_progress.Observe(&state.snapshot);
  state.snapshot.health = EvaluateHealth(state.snapshot, rules.health);
  memory->last = poll.state;
  return poll;
}

void KeepStatsOf(const std::vector<Source>& sources, PollMemory* memory) {
  std::map<Source, CollectorStats> kept;
  for (Source source : sources) {
    if (auto it = memory->stats.find(source); it != memory->stats.end()) kept.insert(*it);
  }
  memory->stats = std::move(kept);
}

}  // namespace tikv_exporter
