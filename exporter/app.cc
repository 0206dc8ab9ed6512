#include "exporter/app.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <pthread.h>
#include <thread>

#include "collectors/collector_set.h"
#include "collectors/pd_collector.h"
#include "collectors/rocksdb_collector.h"
#include "collectors/tikv_collector.h"
#include "common/clock.h"
#include "exporter/discovery.h"
#include "exporter/grpc_server.h"
#include "exporter/http_server.h"
#include "exporter/landing_page.h"
#include "exporter/logging.h"
#include "exporter/metrics_renderer.h"
#include "exporter/poller.h"
#include "exporter/snapshot_json.h"
#include "exporter/version.h"

namespace tikv_exporter {
namespace {

std::unique_ptr<CollectorSet> MakeCollectors(const ExporterConfig& config, ConnectionLimiter* limiter) {
  const UpstreamTls tls{config.ca_path, config.cert_path, config.key_path};
  // TiKV and PD with TLS on serve HTTPS only: bare addresses mean https then.
  const std::string_view scheme = tls.enabled() ? "https" : "http";
  std::vector<std::unique_ptr<Collector>> collectors;
  if (config.tikv_enabled) {
    // Validated by LoadConfig; a flag cannot change it.
    std::string base_url = *NormalizeBaseUrl(config.status_address, scheme);
    ParseLimits limits{static_cast<size_t>(config.max_series_per_poll), static_cast<size_t>(config.max_labels_per_series),
                       static_cast<size_t>(config.max_label_value_bytes)};
    collectors.push_back(std::make_unique<TikvCollector>(
        MakeHttpFetcher(base_url, limiter, tls), static_cast<size_t>(config.max_body_bytes), limits,
        RelayRules{config.relay, config.relay_drop, config.relay_drop_labels}));
  }
  if (config.pd_enabled) {
    PdCollectorOptions options;
    for (const std::string& endpoint : config.pd_endpoints) options.endpoints.push_back(*NormalizeBaseUrl(endpoint, scheme));
    options.local_status_address = config.status_address;
    if (config.pd_local_store_id > 0) options.local_store_id = static_cast<uint64_t>(config.pd_local_store_id);
    options.region_ttl_ms = config.pd_region_ttl_ms;
    const size_t max_bytes = static_cast<size_t>(config.max_body_bytes);
    PdCollector::ClientFactory factory;
    if (config.pd_protocol == "grpc") {
      factory = [max_bytes, tls](const std::string& url) { return MakePdGrpcClient(url, max_bytes, tls); };
    } else {
      factory = [limiter, max_bytes, tls](const std::string& url) {
        return MakePdHttpClient(url, limiter, max_bytes, tls);
      };
    }
    collectors.push_back(std::make_unique<PdCollector>(std::move(factory), std::move(options)));
  }
  if (config.rocksdb_enabled) {
    collectors.push_back(std::make_unique<RocksDbCollector>(config.rocksdb_log_path, LogFollower::Limits{}));
  }
  return std::make_unique<CollectorSet>(std::move(collectors));
}

// Settings that belong to the listeners, the connection pool or the history: a reload cannot
// change them; it says so instead of pretending.
std::vector<std::string> NeedRestart(const ExporterConfig& running, const ExporterConfig& loaded) {
  std::vector<std::string> keys;
  auto check = [&](bool differs, const char* key) {
    if (differs) keys.emplace_back(key);
  };
  check(running.listen_address != loaded.listen_address, "[exporter] listen_address");
  check(running.grpc_listen_address != loaded.grpc_listen_address, "[exporter] grpc_listen_address");
  check(running.history != loaded.history, "[exporter] history");
  check(running.max_connections != loaded.max_connections, "[tikv] max_connections");
  check(running.max_concurrent_requests != loaded.max_concurrent_requests, "[exporter] max_concurrent_requests");
  check(running.max_grpc_watchers != loaded.max_grpc_watchers, "[exporter] max_grpc_watchers");
  check(running.web_cert_file != loaded.web_cert_file || running.web_key_file != loaded.web_key_file ||
            running.web_client_ca_file != loaded.web_client_ca_file ||
            running.web_min_tls_version != loaded.web_min_tls_version ||
            running.web_basic_auth_users != loaded.web_basic_auth_users,
        "[web]");
  return keys;
}

// The config in force and the outcome of the last reload; thread-safe (HTTP threads, the
// signal thread).
class Reloader {
 public:
  Reloader(ExporterConfig config, ConfigLoader load, Poller* poller, ConnectionLimiter* limiter)
      : config_(std::make_shared<const ExporterConfig>(std::move(config))),
        load_(std::move(load)),
        poller_(poller),
        limiter_(limiter),
        status_{true, NowMs<std::chrono::system_clock>()} {}

  std::shared_ptr<const ExporterConfig> Current() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return config_;
  }
  ReloadStatus Status() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return status_;
  }

  tikv_exporter::Status Reload(const char* trigger) {
    std::lock_guard<std::mutex> lock(mutex_);
    StatusOr<ExporterConfig> loaded = load_ ? load_() : tikv_exporter::Status::Error("no config file to reload");
    if (!loaded.ok()) {
      status_.last_successful = false;
      spdlog::error("config reload ({}) failed, keeping the running config: {}", trigger, loaded.status().message());
      return loaded.status();
    }
    for (const std::string& key : NeedRestart(*config_, *loaded)) {
      spdlog::warn("config reload ({}): {} changed; it takes effect after a restart", key, trigger);
    }
    if (tikv_exporter::Status logging = ConfigureLogging(loaded->log_level, loaded->log_format); !logging.ok()) {
      spdlog::warn("config reload ({}): {}", trigger, logging.message());
    }
    poller_->Reconfigure(MakeCollectors(*loaded, limiter_), loaded->poll_interval_ms, loaded->timeout_ms,
                         loaded->expected_settings);
    config_ = std::make_shared<const ExporterConfig>(std::move(*loaded));
    status_ = {true, NowMs<std::chrono::system_clock>()};
    spdlog::info("config reloaded ({}) from {}", trigger, config_->source_path);
    return tikv_exporter::Status::Ok();
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const ExporterConfig> config_;
  const ConfigLoader load_;
  Poller* const poller_;
  ConnectionLimiter* const limiter_;
  ReloadStatus status_;
};

}  // namespace

int RunExporter(const ExporterConfig& config, ConfigLoader reload) {
  // Block the control signals in every thread; one thread waits for them with sigwait().
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const BuildInfo build{kVersion, kRevision};
  ConnectionLimiter limiter(config.max_connections);
  // By default one hour of snapshots: 240 at the default 15 s interval.
  const size_t history_size = config.history > 0 ? static_cast<size_t>(config.history)
                                                 : static_cast<size_t>((3'600'000 + config.poll_interval_ms - 1) /
                                                                       config.poll_interval_ms);
  SnapshotHistory history(history_size);
  LimitTracker limits;
  Poller poller(MakeCollectors(config, &limiter), config.poll_interval_ms, config.timeout_ms,
                config.expected_settings, &history, &limits);
  Reloader reloader(config, std::move(reload), &poller, &limiter);
  HttpRequestCounter requests;

  HttpHandlers handlers;
  handlers.metrics = [&] {
    return RenderMetrics(*poller.Latest(), build, SelfMetrics{&requests, &limits, reloader.Status()},
                         RenderOptions{reloader.Current()->pd_store_series == "local"});
  };
  handlers.landing_page = [&] {
    return RenderLandingPage(*poller.Latest(), build, reloader.Current()->status_address);
  };
  handlers.snapshot_json = [&] { return SnapshotToJson(poller.Latest()->snapshot); };
  handlers.snapshots_json = [&](int64_t since_ms) { return SnapshotsToJson(history.Since(since_ms)); };
  handlers.ready = [&] { return poller.Ready(); };
  handlers.targets_json = [&]() -> std::string {
    std::shared_ptr<const PollState> state = poller.Latest();
    return state->pd ? DiscoveryTargetsJson(*state->pd, reloader.Current()->discovery_port_offset) : "";
  };
  handlers.on_request = [&](const std::string& path, int status) { requests.Observe(path, status); };
  handlers.reload = [&] { return reloader.Reload("POST /-/reload"); };
  handlers.on_admission = [&](bool rejected) {
    if (rejected) {
      limits.Hit("http_concurrent_requests", "answering 503 to requests beyond max_concurrent_requests = " +
                                                 std::to_string(config.max_concurrent_requests));
    } else {
      limits.Clear("http_concurrent_requests");
    }
  };
  HttpServerOptions web{config.max_concurrent_requests, config.web_cert_file, config.web_key_file,
                        config.web_client_ca_file, config.web_min_tls_version, config.web_basic_auth_users};
  StatusOr<std::unique_ptr<HttpServer>> created = HttpServer::Create(handlers, web);
  if (!created.ok()) {
    spdlog::error("{}", created.status().message());
    return 1;
  }
  HttpServer& server = **created;
  StatusOr<int> port = server.Bind(config.listen_address);
  if (!port.ok()) {
    spdlog::error("{}", port.status().message());
    return 1;
  }
  spdlog::info("tikv-exporter {} ({}) listening on {}://{}{}, polling TiKV at {} every {} ms", build.version,
               build.revision, web.cert_file.empty() ? "http" : "https", config.listen_address,
               web.basic_auth_users.empty() ? "" : " (basic auth)", config.status_address, config.poll_interval_ms);

  std::thread signal_waiter([&] {
    while (true) {
      int signal = 0;
      sigwait(&signals, &signal);
      if (signal != SIGHUP) {
        spdlog::info("received signal {}, stopping", signal);
        server.Stop();
        return;
      }
      reloader.Reload("SIGHUP");
    }
  });
  GrpcServer grpc(&history,
                  GrpcServerOptions{config.web_cert_file, config.web_key_file, config.web_client_ca_file,
                                    config.max_grpc_watchers},
                  &limits);
  if (!config.grpc_listen_address.empty()) {
    if (Status started = grpc.Start(config.grpc_listen_address); !started.ok()) {
      spdlog::error("{}", started.message());
      server.Stop();
      pthread_kill(signal_waiter.native_handle(), SIGTERM);
      signal_waiter.join();
      return 1;
    }
    spdlog::info("gRPC (tikv_exporter.v1.SnapshotService, health, reflection) on {}{}", config.grpc_listen_address,
                 config.web_cert_file.empty() ? "" : " with TLS");
  }
  poller.Start();
  server.Run();  // returns once requests in flight have been answered
  history.Close();  // ends gRPC watches waiting for the next snapshot
  grpc.Stop();
  // The waiter only returns on a stop signal; when the server stopped for another reason, wake it.
  pthread_kill(signal_waiter.native_handle(), SIGTERM);
  signal_waiter.join();
  // A poll waiting on a hung upstream may take up to timeout_ms; a stop must not (systemd and
  // Kubernetes allow seconds). Nothing is lost by not waiting: the poll's result has no reader.
  if (!poller.StopWithin(std::chrono::milliseconds(2000))) {
    spdlog::warn("stopped without waiting for the poll in progress (an upstream has not answered)");
    spdlog::shutdown();
    std::_Exit(0);
  }
  spdlog::info("stopped");
  return 0;
}

}  // namespace tikv_exporter
