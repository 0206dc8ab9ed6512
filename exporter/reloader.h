#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "common/mutex.h"
#include "exporter/app.h"
#include "exporter/config.h"
#include "exporter/metrics_renderer.h"

namespace tikv_exporter {

// Reloads run at most this often. Each one reads and parses the file, builds new collectors (a
// thread each) and logs; a storm of SIGHUPs or POSTs must not turn into as many of those.
inline constexpr std::chrono::milliseconds kMinReloadInterval{3000};

// What a reload request came to.
struct ReloadOutcome {
  // True when the request came within kMinReloadInterval of the last reload (or during one): a
  // single reload of the file as it is then runs later, after `delay`, for all such requests.
  bool scheduled = false;
  std::chrono::milliseconds delay{0};
  Status status;  // when not scheduled: the reload's result
};

// The config in force and the outcome of the last reload (SIGHUP, POST /-/reload), and the
// coalescing of reload requests: the first request after a quiet interval reloads at once; the
// requests that follow within `min_interval` end in exactly one more reload, of the latest file,
// once the interval has passed. Owns the thread that runs those scheduled reloads. Thread-safe:
// HTTP threads and the signal thread call it.
class Reloader {
 public:
  // `apply` puts a valid new config to work (new collectors for the poller) or fails; `load`
  // reads the file again (null: there is no file, every reload fails). An exception thrown by
  // either (std::system_error when no thread can be started) fails that reload, not the process.
  Reloader(ExporterConfig started, ConfigLoader load, std::function<tikv_exporter::Status(const ExporterConfig&)> apply,
           std::chrono::milliseconds min_interval = kMinReloadInterval);
  ~Reloader();
  Reloader(const Reloader&) = delete;
  Reloader& operator=(const Reloader&) = delete;

  std::shared_ptr<const ExporterConfig> Current() const;
  ReloadStatus Status() const;

  // Reloads now, or schedules the one coalesced reload (see ReloadOutcome). `trigger` (a string
  // literal) names the cause in the log ("SIGHUP"). On an error the reload is logged and the
  // running config kept. The file is read, parsed and applied without the lock Current() and
  // Status() take, so /metrics never waits for a reload.
  ReloadOutcome Request(const char* trigger);

 private:
  tikv_exporter::Status Run(const char* trigger) ABSL_LOCKS_EXCLUDED(mutex_, schedule_mutex_);
  tikv_exporter::Status LoadAndApply(const char* trigger)
      ABSL_LOCKS_EXCLUDED(mutex_, schedule_mutex_);
  void RunScheduled();  // the thread's body

  const ExporterConfig started_;  // what the listeners were made from
  const ConfigLoader load_;
  const std::function<tikv_exporter::Status(const ExporterConfig&)> apply_;
  const std::chrono::milliseconds min_interval_;

  mutable Mutex mutex_;  // held only to read or swap the two below
  std::shared_ptr<const ExporterConfig> current_ ABSL_GUARDED_BY(mutex_);
  ReloadStatus status_ ABSL_GUARDED_BY(mutex_);

  Mutex schedule_mutex_;  // guards the schedule below; never held during a reload
  CondVar schedule_changed_;
  bool running_ ABSL_GUARDED_BY(schedule_mutex_) = false;  // a reload is in progress
  // The trigger of the scheduled reload; null: none.
  const char* scheduled_ ABSL_GUARDED_BY(schedule_mutex_) = nullptr;
  // The earliest start of the next reload.
  std::chrono::steady_clock::time_point next_allowed_ ABSL_GUARDED_BY(schedule_mutex_){};
  bool stopping_ ABSL_GUARDED_BY(schedule_mutex_) = false;
  std::thread thread_;
};

// The keys whose new values only a restart applies (listeners, [web], pools, history) that
// differ between the running process' start and `loaded`.
std::vector<std::string> KeysNeedingRestart(const ExporterConfig& started, const ExporterConfig& loaded);

}  // namespace tikv_exporter
