#include "exporter/poller.h"

#include <spdlog/spdlog.h>

#include "collectors/snapshot_builder.h"
#include "common/clock.h"

namespace tikv_exporter {

Poller::Poller(std::unique_ptr<CollectorSet> collectors, int poll_interval_ms, int timeout_ms,
               std::map<std::string, std::map<std::string, ExpectedSetting>> expected_settings,
               SnapshotHistory* history)
    : collectors_(std::move(collectors)),
      interval_(poll_interval_ms),
      timeout_(timeout_ms),
      expected_settings_(std::move(expected_settings)),
      history_(history) {
  auto initial = std::make_shared<PollState>();
  for (const std::string& name : collectors_->Names()) {
    initial->snapshot.sources[name].enabled = true;
    initial->collectors[name].last_error = "not polled yet";
  }
  latest_ = std::move(initial);
}

Poller::~Poller() { Stop(); }

void Poller::Start() { thread_ = std::thread([this] { Run(); }); }

void Poller::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
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

void Poller::Run() {
  auto next = Clock::now();
  while (true) {
    PollOnce();
    next += interval_;
    // A poll that overran its interval skips the missed ticks instead of bursting.
    const auto now = Clock::now();
    if (next < now) next = now + interval_ - (now - next) % interval_;
    std::unique_lock<std::mutex> lock(mutex_);
    if (wake_.wait_until(lock, next, [this] { return stopping_; })) return;
  }
}

void Poller::NoteOutcome(const CollectorOutcome& outcome, int64_t now_ms, CollectorStats* stats) {
  const bool first = stats->last_success_ms == 0 && stats->last_error.empty();
  const bool was_up = stats->success;
  stats->success = outcome.success;
  stats->duration_seconds = outcome.duration_seconds;
  if (outcome.success) {
    stats->last_success_ms = now_ms;
    if (!was_up) spdlog::info("source {} is up", outcome.name);
    stats->last_error.clear();
    return;
  }
  if (was_up || first) {
    spdlog::warn("source {} is down: {}", outcome.name, outcome.error);
  } else if (outcome.error != stats->last_error) {
    spdlog::debug("source {} is still down: {}", outcome.name, outcome.error);
  }
  stats->last_error = outcome.error;
}

void Poller::PollOnce() {
  PollData data;
  std::vector<CollectorOutcome> outcomes = collectors_->CollectAll(Clock::now() + timeout_, &data);
  const int64_t now_ms = NowMs();
  ++polls_total_;

  auto state = std::make_shared<PollState>();
  state->polls_total = polls_total_;
  state->snapshot.timestamp_ms = now_ms;
  state->snapshot.sequence = polls_total_;
  bool tikv_up = false;
  bool any_up = false;
  for (const CollectorOutcome& outcome : outcomes) {
    CollectorStats& stats = stats_[outcome.name];
    NoteOutcome(outcome, now_ms, &stats);
    SourceHealth& health = state->snapshot.sources[outcome.name];
    health.enabled = true;
    health.up = outcome.success;
    health.last_success_ms = stats.last_success_ms;
    health.last_error = stats.last_error;
    if (outcome.name == "tikv") tikv_up = outcome.success;
    any_up = any_up || outcome.success;
  }
  state->collectors = stats_;

  if (tikv_up && data.tikv) {
    for (const ParseWarning& warning : data.tikv->warnings) {
      spdlog::debug("tikv /metrics line {}: {}", warning.line, warning.message);
    }
    previous_tikv_ = std::move(latest_tikv_);
    latest_tikv_ = data.tikv;
    AddTikvMetrics(previous_tikv_.get(), *latest_tikv_, &state->snapshot);
    state->tikv = latest_tikv_;
    if (!latest_tikv_->config.empty()) state->drift = CompareSettings(expected_settings_, latest_tikv_->config);
  }
  if (data.rocksdb) state->rocksdb = data.rocksdb;
  if (tikv_up) AddRocksDbLogSignals(data.rocksdb ? *data.rocksdb : RocksDbLogData{}, &state->snapshot);
  if (data.pd) {
    state->pd = data.pd;
    if (tikv_up) AddPdStoreSize(*data.pd, &state->snapshot);
  }

  if (history_ != nullptr) history_->Push(std::make_shared<const Snapshot>(state->snapshot));
  std::lock_guard<std::mutex> lock(mutex_);
  if (any_up) ready_ = true;
  latest_ = std::move(state);
}

}  // namespace tikv_exporter
