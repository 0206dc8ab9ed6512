#include "exporter/reloader.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <system_error>

#include "common/clock.h"
#include "exporter/logging.h"

namespace tikv_exporter {

std::vector<std::string> KeysNeedingRestart(const ExporterConfig& started, const ExporterConfig& loaded) {
  std::vector<std::string> keys;
  auto check = [&](bool differs, const char* key) {
    if (differs) keys.emplace_back(key);
  };
  check(started.listen_address != loaded.listen_address, "[exporter] listen_address");
  check(started.grpc_listen_address != loaded.grpc_listen_address, "[exporter] grpc_listen_address");
  check(started.history != loaded.history, "[exporter] history");
  check(started.max_connections != loaded.max_connections, "[tikv] max_connections");
  check(started.max_concurrent_requests != loaded.max_concurrent_requests, "[exporter] max_concurrent_requests");
  check(started.max_grpc_watchers != loaded.max_grpc_watchers, "[exporter] max_grpc_watchers");
  check(started.web_cert_file != loaded.web_cert_file || started.web_key_file != loaded.web_key_file ||
            started.web_client_ca_file != loaded.web_client_ca_file ||
            started.web_min_tls_version != loaded.web_min_tls_version ||
            started.web_basic_auth_users != loaded.web_basic_auth_users || started.web_headers != loaded.web_headers,
        "[web]");
  return keys;
}

Reloader::Reloader(ExporterConfig started, ConfigLoader load,
                   std::function<tikv_exporter::Status(const ExporterConfig&)> apply,
                   std::chrono::milliseconds min_interval)
    : started_(std::move(started)),
      load_(std::move(load)),
      apply_(std::move(apply)),
      min_interval_(min_interval),
      current_(std::make_shared<const ExporterConfig>(started_)),
      status_{true, NowMs<std::chrono::system_clock>()},
      thread_([this] { RunScheduled(); }) {}

Reloader::~Reloader() {
  {
    MutexLock lock(schedule_mutex_);
    stopping_ = true;
  }
  schedule_changed_.NotifyAll();
  thread_.join();
}

std::shared_ptr<const ExporterConfig> Reloader::Current() const {
  MutexLock lock(mutex_);
  return current_;
}

ReloadStatus Reloader::Status() const {
  MutexLock lock(mutex_);
  return status_;
}

ReloadOutcome Reloader::Request(const char* trigger) {
  MutexLock lock(schedule_mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (!running_ && scheduled_ == nullptr && now >= next_allowed_) {
    running_ = true;
    lock.Unlock();
    tikv_exporter::Status status = Run(trigger);
    lock.Lock();
    running_ = false;
    next_allowed_ = std::chrono::steady_clock::now() + min_interval_;
    schedule_changed_.NotifyAll();
    return ReloadOutcome{false, std::chrono::milliseconds(0), std::move(status)};
  }
  if (scheduled_ == nullptr) {  // logged once per scheduled reload, not once per request
    spdlog::info("config reload ({}) scheduled: reloads run at most once per {} ms", trigger,
                 min_interval_.count());
  }
  scheduled_ = trigger;
  schedule_changed_.NotifyAll();
  const auto delay =
      running_ ? min_interval_ : std::chrono::duration_cast<std::chrono::milliseconds>(next_allowed_ - now);
  return ReloadOutcome{true, std::max(delay, std::chrono::milliseconds(0)), tikv_exporter::Status::Ok()};
}

void Reloader::RunScheduled() {
  MutexLock lock(schedule_mutex_);
  while (true) {
    // A request, or the end of the reload in progress.
    schedule_changed_.Wait(schedule_mutex_, [this] {
      schedule_mutex_.AssertHeld();
      return stopping_ || (scheduled_ != nullptr && !running_);
    });
    if (stopping_) return;
    // Only the stop can come first: while a reload is scheduled no other one starts, so
    // next_allowed_ stays put.
    const bool stopped = schedule_changed_.WaitUntil(schedule_mutex_, next_allowed_, [this] {
      schedule_mutex_.AssertHeld();
      return stopping_;
    });
    if (stopped) return;
    const char* trigger = scheduled_;
    scheduled_ = nullptr;
    running_ = true;
    lock.Unlock();
    // Run() logs a failure and records it for /-/reload's status; nothing waits for this one.
    static_cast<void>(Run(trigger));
    lock.Lock();
    running_ = false;
    next_allowed_ = std::chrono::steady_clock::now() + min_interval_;
    schedule_changed_.NotifyAll();
  }
}

tikv_exporter::Status Reloader::Run(const char* trigger) {
  tikv_exporter::Status status;
  try {
    status = LoadAndApply(trigger);
  } catch (const std::system_error& e) {
    status = tikv_exporter::Status::Internal(std::string("cannot start a thread (") + e.what() +
                                          "): the process is at its thread or memory limit");
  } catch (const std::exception& e) {
    status = tikv_exporter::Status::Internal(e.what());
  }
  if (!status.ok()) {
    {
      MutexLock lock(mutex_);
      status_.last_successful = false;
    }
    spdlog::error("config reload ({}) failed, keeping the running config: {}", trigger, status.message());
  }
  return status;
}

tikv_exporter::Status Reloader::LoadAndApply(const char* trigger) {
  StatusOr<ExporterConfig> loaded = load_ ? load_() : tikv_exporter::Status::InvalidArgument("no config file to reload");
  if (!loaded.ok()) return loaded.status();
  if (loaded->empty_file) {
    return tikv_exporter::Status::InvalidArgument(
        loaded->source_path +
        " holds no settings (it is empty or only comments), as a truncated or half-written file does; a reload "
        "will not replace the running config with the built-in defaults");
  }
  for (const std::string& key : KeysNeedingRestart(started_, *loaded)) {
    spdlog::warn("config reload ({}): {} changed; it takes effect after a restart", trigger, key);
  }
  if (tikv_exporter::Status applied = apply_(*loaded); !applied.ok()) return applied;
  if (tikv_exporter::Status logging = ConfigureLogging(loaded->log_level, loaded->log_format); !logging.ok()) {
    spdlog::warn("config reload ({}): {}", trigger, logging.message());
  }
  auto next = std::make_shared<const ExporterConfig>(std::move(*loaded));
  {
    MutexLock lock(mutex_);
    current_ = next;
    status_ = {true, NowMs<std::chrono::system_clock>()};
  }
  spdlog::info("config reloaded ({}) from {}", trigger, next->source_path);
  return tikv_exporter::Status::Ok();
}

}  // namespace tikv_exporter
