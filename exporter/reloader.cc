#include "exporter/reloader.h"

#include <spdlog/spdlog.h>

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
            started.web_basic_auth_users != loaded.web_basic_auth_users,
        "[web]");
  return keys;
}

Reloader::Reloader(ExporterConfig started, ConfigLoader load, std::function<void(const ExporterConfig&)> apply)
    : started_(std::move(started)),
      load_(std::move(load)),
      apply_(std::move(apply)),
      current_(std::make_shared<const ExporterConfig>(started_)),
      status_{true, NowMs<std::chrono::system_clock>()} {}

std::shared_ptr<const ExporterConfig> Reloader::Current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

ReloadStatus Reloader::Status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_;
}

tikv_exporter::Status Reloader::Reload(const char* trigger) {
  std::lock_guard<std::mutex> reloading(reload_mutex_);
  StatusOr<ExporterConfig> loaded = load_ ? load_() : tikv_exporter::Status::Error("no config file to reload");
  if (!loaded.ok()) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      status_.last_successful = false;
    }
    spdlog::error("config reload ({}) failed, keeping the running config: {}", trigger, loaded.status().message());
    return loaded.status();
  }
  for (const std::string& key : KeysNeedingRestart(started_, *loaded)) {
    spdlog::warn("config reload ({}): {} changed; it takes effect after a restart", trigger, key);
  }
  if (tikv_exporter::Status logging = ConfigureLogging(loaded->log_level, loaded->log_format); !logging.ok()) {
    spdlog::warn("config reload ({}): {}", trigger, logging.message());
  }
  apply_(*loaded);
  auto next = std::make_shared<const ExporterConfig>(std::move(*loaded));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    current_ = next;
    status_ = {true, NowMs<std::chrono::system_clock>()};
  }
  spdlog::info("config reloaded ({}) from {}", trigger, next->source_path);
  return tikv_exporter::Status::Ok();
}

}  // namespace tikv_exporter
