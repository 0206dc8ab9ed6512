#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include "exporter/app.h"
#include "exporter/config.h"
#include "exporter/metrics_renderer.h"

namespace tikv_exporter {

// The config in force and the outcome of the last reload (SIGHUP, POST /-/reload). Thread-safe:
// HTTP threads and the signal thread call it.
class Reloader {
 public:
  // `apply` puts a valid new config to work (new collectors for the poller); `load` reads the
  // file again (null: there is no file, every reload fails).
  Reloader(ExporterConfig started, ConfigLoader load, std::function<void(const ExporterConfig&)> apply);

  std::shared_ptr<const ExporterConfig> Current() const;
  ReloadStatus Status() const;

  // Loads and applies the config; on an error logs it, keeps the running config and returns it.
  // `trigger` names the cause in the log ("SIGHUP"). Reloads run one at a time; the file is read,
  // parsed and applied without the lock Current() and Status() take, so /metrics never waits
  // for a reload.
  tikv_exporter::Status Reload(const char* trigger);

 private:
  const ExporterConfig started_;  // what the listeners were made from
  const ConfigLoader load_;
  const std::function<void(const ExporterConfig&)> apply_;
  std::mutex reload_mutex_;  // held for a whole reload
  mutable std::mutex mutex_;  // held only to read or swap the two below
  std::shared_ptr<const ExporterConfig> current_;
  ReloadStatus status_;
};

// The keys whose new values only a restart applies (listeners, [web], pools, history) that
// differ between the running process' start and `loaded`.
std::vector<std::string> KeysNeedingRestart(const ExporterConfig& started, const ExporterConfig& loaded);

}  // namespace tikv_exporter
