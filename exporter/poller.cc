#include "exporter/poller.h"

#include <spdlog/spdlog.h>

#include <malloc.h>

#include <set>

#include "common/clock.h"

namespace tikv_exporter {
namespace {

// A poll frees the scrape before last. Its pages go back to the system only when many are free:
// malloc_trim madvises every free page and the next poll faults them in again, which took about
// a third of the process's CPU per poll of the largest real dump (perf: madvise's TLB flushes
// 22 %, page faults 14 %). A steady poll frees about what the next one takes again; a one-off
// large body (or a reload that turned a source off) leaves more than this and is handed back.
constexpr size_t kTrimAboveFreeBytes = size_t{16} << 20;

void ReturnFreePages() {
  if (mallinfo2().fordblks > kTrimAboveFreeBytes) malloc_trim(0);
}

}  // namespace

Poller::Plan Poller::MakePlan(std::unique_ptr<CollectorSet> collectors, const ExporterConfig& config) {
  std::string upstreams = config.status_address;
  for (const std::string& endpoint : config.pd_endpoints) upstreams += " " + endpoint;
  return Plan{std::move(collectors), std::chrono::milliseconds(config.poll_interval_ms),
              std::chrono::milliseconds(config.timeout_ms), PollRules{config.expected_settings, config.health},
              std::move(upstreams)};
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
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  stop_.request_stop();
  wake_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const PollState> Poller::Latest() const {
  MutexLock lock(mutex_);
  return latest_;
}

bool Poller::Ready() const {
  MutexLock lock(mutex_);
  return ready_;
}

void Poller::Reconfigure(std::unique_ptr<CollectorSet> collectors, const ExporterConfig& config) {
  auto plan = std::make_unique<Plan>(MakePlan(std::move(collectors), config));
  {
    MutexLock lock(mutex_);
    pending_plan_ = std::move(plan);
  }
  wake_.NotifyAll();  // a shorter interval takes effect now, not at the end of the old one
}

void Poller::TakePendingPlan() {
  std::unique_ptr<Plan> pending;
  {
    MutexLock lock(mutex_);
    pending = std::move(pending_plan_);
  }
  if (!pending) return;
  // A GC watch of hours survives reloads of the same node: else a sidecar reloaded more often than
  // once a day would never see a GC stopped for a day.
  if (pending->upstreams != plan_.upstreams) memory_.gc_progress = GcProgress();
  plan_ = std::move(*pending);
  // A collector the new config turned off has no stats and no health any more.
  KeepStatsOf(plan_.collectors->Sources(), &memory_);
}

void Poller::Run() {
  auto next = Clock::now();
  while (true) {
    const auto started = Clock::now();
    PollOnce();
    next += plan_.interval;
    // A poll that overran its interval skips the missed ticks instead of bursting.
    if (const auto now = Clock::now(); next < now) next = now + plan_.interval - (now - next) % plan_.interval;
    MutexLock lock(mutex_);
    while (true) {
      wake_.WaitUntil(mutex_, next, [this] {
        mutex_.AssertHeld();
        return stopping_ || pending_plan_ != nullptr;
      });
      if (stopping_) return;
      if (!pending_plan_) break;
      // A reload keeps the schedule: a poll per reload would let a burst of reloads multiply the
      // upstream requests. Only a new interval moves the next poll, to one interval after the
      // last one started (at once when that has passed).
      const bool new_interval = pending_plan_->interval != plan_.interval;  // plan_ is this thread's
      lock.Unlock();
      TakePendingPlan();
      lock.Lock();
      if (new_interval) next = started + plan_.interval;
    }
  }
}

namespace {

// One line per source state change: up, down, and (at debug) another error while down.
void LogSourceChange(const SourceChange& change) {
  switch (change.kind) {
    case SourceChange::Kind::kUp:
      spdlog::info("source {} is up", SourceName(change.source));
      break;
    case SourceChange::Kind::kDown:
      spdlog::warn("source {} is down: {}", SourceName(change.source), change.error);
      break;
    case SourceChange::Kind::kOtherErrorWhileDown:
      spdlog::debug("source {} is still down: {}", SourceName(change.source), change.error);
      break;
  }
}

}  // namespace

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
  AssembledPoll poll = AssemblePoll(outcomes, data, NowMs(), plan_.rules, &memory_);
  for (const SourceChange& change : poll.changes) LogSourceChange(change);
  if (limits_ != nullptr) {
    std::set<Limit> hit;
    for (const LimitNote& note : poll.limits_hit) {
      limits_->Hit(note.limit, note.detail);
      hit.insert(note.limit);
    }
    for (Limit limit : kUpstreamLimits) {
      if (!hit.contains(limit)) limits_->Clear(limit);
    }
  }
  if (data.tikv && data.tikv->summary && poll.state->tikv == data.tikv->summary) {
    for (const ParseWarning& warning : data.tikv->summary->warnings) {
      spdlog::debug("tikv /metrics line {}: {}", warning.line, warning.message);
    }
  }
  NoteHealth(poll.state->snapshot.health);
  std::shared_ptr<PollState> state = std::move(poll.state);

  if (history_ != nullptr) history_->Push(std::make_shared<const Snapshot>(state->snapshot));
  std::shared_ptr<const PollState> published = state;
  {
    MutexLock lock(mutex_);
    if (poll.any_up) ready_ = true;
    latest_ = std::move(state);
  }
  if (on_published_) on_published_(published);
  ReturnFreePages();
}

}  // namespace tikv_exporter
