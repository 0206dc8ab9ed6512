#include "exporter/poller.h"

#include <spdlog/spdlog.h>

#include <malloc.h>

#include <set>

#include "snapshot/health_checks.h"
#include "snapshot/node_signals.h"
#include "snapshot/pressure_builder.h"
#include "snapshot/snapshot_builder.h"
#include "common/clock.h"

namespace tikv_exporter {

Poller::Plan Poller::MakePlan(std::unique_ptr<CollectorSet> collectors, const ExporterConfig& config) {
  return Plan{std::move(collectors), std::chrono::milliseconds(config.poll_interval_ms),
              std::chrono::milliseconds(config.timeout_ms), config.expected_settings, config.health};
}

Poller::Poller(std::unique_ptr<CollectorSet> collectors, const ExporterConfig& config, SnapshotHistory* history,
               LimitTracker* limits)
    : history_(history), limits_(limits), plan_(MakePlan(std::move(collectors), config)) {
  auto initial = std::make_shared<PollState>();
  for (Source source : plan_.collectors->Sources()) {
    initial->snapshot.sources[source].enabled = true;
    initial->collectors[source].last_error = "not polled yet";
  }
  latest_ = std::move(initial);
}

Poller::~Poller() { Stop(); }

void Poller::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Poller::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_.request_stop();
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const PollState> Poller::Latest() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return latest_;
}

bool Poller::Ready() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return ready_;
}

void Poller::Reconfigure(std::unique_ptr<CollectorSet> collectors, const ExporterConfig& config) {
  auto plan = std::make_unique<Plan>(MakePlan(std::move(collectors), config));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_plan_ = std::move(plan);
  }
  wake_.notify_all();  // a shorter interval takes effect now, not at the end of the old one
}

void Poller::TakePendingPlan() {
  std::unique_ptr<Plan> pending;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending = std::move(pending_plan_);
  }
  if (!pending) return;
  plan_ = std::move(*pending);
  gc_progress_ = GcProgress();  // the new [health] window starts from what it sees itself
  // A collector the new config turned off has no stats and no health any more.
  std::map<Source, CollectorStats> kept;
  for (Source source : plan_.collectors->Sources()) {
    if (auto it = stats_.find(source); it != stats_.end()) kept.insert(*it);
  }
  stats_ = std::move(kept);
}

void Poller::Run() {
  auto next = Clock::now();
  while (true) {
    const auto started = Clock::now();
    PollOnce();
    next += plan_.interval;
    // A poll that overran its interval skips the missed ticks instead of bursting.
    if (const auto now = Clock::now(); next < now) next = now + plan_.interval - (now - next) % plan_.interval;
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      wake_.wait_until(lock, next, [this] { return stopping_ || pending_plan_ != nullptr; });
      if (stopping_) return;
      if (!pending_plan_) break;
      // A reload keeps the schedule: a poll per reload would let a burst of reloads multiply the
      // upstream requests. Only a new interval moves the next poll, to one interval after the
      // last one started (at once when that has passed).
      const bool new_interval = pending_plan_->interval != plan_.interval;  // plan_ is this thread's
      lock.unlock();
      TakePendingPlan();
      lock.lock();
      if (new_interval) next = started + plan_.interval;
    }
  }
}

void Poller::NoteOutcome(const CollectorOutcome& outcome, int64_t now_ms, CollectorStats* stats) {
  const bool first = stats->last_success_ms == 0 && stats->last_error.empty();
  const bool was_up = stats->success;
  stats->success = outcome.success;
  stats->duration_seconds = outcome.duration_seconds;
  if (outcome.success) {
    stats->last_success_ms = now_ms;
    if (!was_up) spdlog::info("source {} is up", SourceName(outcome.source));
    stats->last_error.clear();
    return;
  }
  if (was_up || first) {
    spdlog::warn("source {} is down: {}", SourceName(outcome.source), outcome.error);
  } else if (outcome.error != stats->last_error) {
    spdlog::debug("source {} is still down: {}", SourceName(outcome.source), outcome.error);
  }
  stats->last_error = outcome.error;
}

void Poller::NoteHealth(const HealthVerdict& verdict) {
  // A reason carries its value ("apply log p99 1.2 s"), which moves every poll: log when the
  // level, or which checks fail at which level, changes, not when only the figures do.
  const std::string level(NameOf(kHealthLevelNames, verdict.level));
  std::vector<std::string> key = {level};
  for (const HealthCheckResult& check : verdict.checks) {
    if (check.level && *check.level != HealthLevel::kOk) {
      key.push_back(std::string(NameOf(kHealthCheckNames, check.check)) + "=" +
                    std::string(NameOf(kHealthLevelNames, *check.level)));
    }
  }
  if (logged_health_ == key) return;
  const bool first = !logged_health_;
  logged_health_ = std::move(key);
  if (verdict.level == HealthLevel::kOk) {
    if (!first) spdlog::info("node health is ok again");
    return;
  }
  std::string reasons;
  for (const std::string& reason : verdict.Reasons()) reasons += (reasons.empty() ? "" : "; ") + reason;
  spdlog::log(verdict.level == HealthLevel::kCritical ? spdlog::level::err : spdlog::level::warn,
              "node health is {}: {}", level, reasons);
}

void Poller::PollOnce() {
  TakePendingPlan();
  PollData data;
  std::vector<CollectorOutcome> outcomes =
      plan_.collectors->CollectAll(Clock::now() + plan_.timeout, &data, stop_.get_token());
  // An interrupted poll is not published: it would only report the sources it gave up on as down.
  if (stop_.stop_requested()) return;
  const int64_t now_ms = NowMs();
  ++polls_total_;

  auto state = std::make_shared<PollState>();
  state->polls_total = polls_total_;
  state->snapshot.timestamp_ms = now_ms;
  state->snapshot.sequence = polls_total_;
  bool tikv_up = false;
  bool any_up = false;
  std::set<Limit> limits_hit;
  for (const CollectorOutcome& outcome : outcomes) {
    CollectorStats& stats = stats_[outcome.source];
    NoteOutcome(outcome, now_ms, &stats);
    SourceHealth& health = state->snapshot.sources[outcome.source];
    health.enabled = true;
    health.up = outcome.success;
    health.last_success_ms = stats.last_success_ms;
    health.last_error = stats.last_error;
    if (outcome.source == Source::kTikv) tikv_up = outcome.success;
    if (limits_ != nullptr && outcome.limit) {
      limits_->Hit(*outcome.limit, outcome.error);
      limits_hit.insert(*outcome.limit);
    }
    any_up = any_up || outcome.success;
  }
  state->collectors = stats_;
  // Bounds hit by collectors that still delivered their data.
  for (const std::vector<LimitNote>* notes : {data.tikv ? &data.tikv->limit_notes : nullptr,
                                              data.pd ? &data.pd->limit_notes : nullptr,
                                              data.rocksdb ? &data.rocksdb->limit_notes : nullptr}) {
    if (limits_ == nullptr || notes == nullptr) continue;
    for (const LimitNote& note : *notes) {
      limits_->Hit(note.limit, note.detail);
      limits_hit.insert(note.limit);
    }
  }
  if (limits_ != nullptr) {
    for (Limit limit : kUpstreamLimits) {
      if (!limits_hit.contains(limit)) limits_->Clear(limit);
    }
  }

  if (tikv_up && data.tikv) {
    for (const ParseWarning& warning : data.tikv->warnings) {
      spdlog::debug("tikv /metrics line {}: {}", warning.line, warning.message);
    }
    if (latest_tikv_) previous_tikv_ = std::make_shared<const TikvScrape>(KeepRateInputs(*latest_tikv_));
    latest_tikv_ = data.tikv;
    AddTikvMetrics(previous_tikv_.get(), *latest_tikv_, &state->snapshot);
    state->tikv = latest_tikv_;
    if (!latest_tikv_->config.empty()) state->drift = CompareSettings(plan_.expected_settings, latest_tikv_->config);
  }
  if (data.rocksdb) state->rocksdb = data.rocksdb;
  if (tikv_up) AddRocksDbLogSignals(data.rocksdb ? *data.rocksdb : RocksDbLogData{}, &state->snapshot);
  if (data.pd) {
    state->pd = data.pd;
    AddPdNodeSignals(*data.pd, &state->snapshot);  // what PD says of the store holds while TiKV is down
    if (tikv_up) AddPdStoreSize(*data.pd, &state->snapshot);
  }

  // Only this thread replaces latest_: reading it here needs no lock.
  CountTikvRestarts(latest_ ? &latest_->snapshot : nullptr, &state->snapshot);
  gc_progress_.Observe(&state->snapshot);
  state->snapshot.health = EvaluateHealth(state->snapshot, plan_.health);
  NoteHealth(state->snapshot.health);

  if (history_ != nullptr) history_->Push(std::make_shared<const Snapshot>(state->snapshot));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (any_up) ready_ = true;
    latest_ = std::move(state);
  }
  // A poll frees the scrape before last: give its pages back to the system now instead of
  // keeping the high-water mark of three parsed scrapes resident until the next poll.
  malloc_trim(0);
}

}  // namespace tikv_exporter
