#include "exporter/app.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <pthread.h>
#include <thread>

#include "collectors/collector_set.h"
#include "collectors/pd/pd_bounds.h"
#include "collectors/pd/pd_collector.h"
#include "collectors/rocksdb/rocksdb_collector.h"
#include "collectors/rocksdb/rocksdb_source_selector.h"
#include "collectors/series_share.h"
#include "collectors/tikv/tikv_collector.h"
#include "web/cluster_json.h"
#include "web/discovery.h"
#include "server/grpc_server.h"
#include "exporter/http_endpoints.h"
#include "server/http_server.h"
#include "web/landing_page.h"
#include "exporter/metrics_cache.h"
#include "exporter/metrics_renderer.h"
#include "exporter/poller.h"
#include "exporter/reloader.h"
#include "snapshot/snapshot_json.h"
#include "exporter/version.h"
#include "snapshot/poll_data.h"

namespace tikv_exporter {
namespace {

// A collector's state changes, as "<source>: message" lines of the exporter's log.
LogSink SpdlogSink(std::string source) {
  return [source = std::move(source)](LogLevel level, const std::string& message) {
    spdlog::log(level == LogLevel::kWarn   ? spdlog::level::warn
                : level == LogLevel::kInfo ? spdlog::level::info
                                           : spdlog::level::debug,
                "{}: {}", source, message);
  };
}

// [collectors.rocksdb] source: TiKV's debug service, the LOG, or (auto) the first that answers.
// `learned`: PD's address of this node's store, or null.
std::unique_ptr<SourceCollector<RocksDbLogData>> MakeRocksDbCollector(
    const ExporterConfig& config, const UpstreamTls& tls, std::string_view scheme,
    std::shared_ptr<const TikvGrpcAddressHint> learned) {
  const size_t max_series = SourceSeriesShare(static_cast<size_t>(config.max_series_per_poll));
  std::unique_ptr<RocksDbCollector> log;
  if (config.rocksdb_source != RocksDbSource::kDebugService && !config.rocksdb_log_path.empty()) {
    log = std::make_unique<RocksDbCollector>(config.rocksdb_log_path, LogFollower::Limits{}, max_series);
    if (config.rocksdb_source == RocksDbSource::kLog) return log;
  }
  DebugServiceCollector::Options options;
  options.url = *NormalizeBaseUrl(TikvGrpcAddress(config), scheme);  // validated by LoadConfig
  options.max_message_bytes = static_cast<size_t>(config.max_body_bytes);
  options.tls = tls;
  options.interval = std::chrono::milliseconds(config.rocksdb_interval_ms);
  options.max_series = max_series;
  options.learned = std::move(learned);
  options.log = SpdlogSink("rocksdb");
  auto debug_service = std::make_unique<DebugServiceCollector>(std::move(options));
  if (!log) return debug_service;
  return std::make_unique<RocksDbSourceSelector>(std::move(debug_service), std::move(log), SpdlogSink("rocksdb"));
}

// The collectors borrow `shared_limiter`; the set keeps it alive for as long as any of its workers
// runs, even one left behind at shutdown inside a hung upstream call.
// `regions` is PD's region cache, kept across reloads.
std::unique_ptr<CollectorSet> MakeCollectors(const ExporterConfig& config,
                                             const std::shared_ptr<ConnectionLimiter>& shared_limiter,
                                             const std::shared_ptr<PdRegionCache>& regions) {
  ConnectionLimiter* limiter = shared_limiter.get();
  const UpstreamTls tls{config.ca_path, config.cert_path, config.key_path};
  // TiKV and PD with TLS on serve HTTPS only: bare addresses mean https then.
  const std::string_view scheme = tls.enabled() ? "https" : "http";
  std::vector<std::unique_ptr<Collector>> collectors;
  // Without [tikv] grpc_address, PD's address of this node's store is where the debug service is:
  // the PD collector hands it to the RocksDB collector.
  std::shared_ptr<TikvGrpcAddressHint> grpc_address_hint;
  if (config.grpc_address.empty() && config.pd_enabled && config.rocksdb_enabled &&
      config.rocksdb_source != RocksDbSource::kLog) {
    grpc_address_hint = std::make_shared<TikvGrpcAddressHint>();
  }
  if (config.tikv_enabled) {
    // Validated by LoadConfig; a flag cannot change it.
    std::string base_url = *NormalizeBaseUrl(config.status_address, scheme);
    ParseLimits limits{static_cast<size_t>(config.max_series_per_poll), static_cast<size_t>(config.max_labels_per_series),
                       static_cast<size_t>(config.max_label_value_bytes)};
    collectors.push_back(IntoPollData(std::make_unique<TikvCollector>(
        MakeHttpFetcher(base_url, limiter, tls), static_cast<size_t>(config.max_body_bytes), limits,
        RelayRules{config.relay, config.relay_drop, config.relay_drop_labels})));
  }
  if (config.pd_enabled) {
    PdCollectorOptions options;
    for (const std::string& endpoint : config.pd_endpoints) options.endpoints.push_back(*NormalizeBaseUrl(endpoint, scheme));
    options.local_status_address = config.status_address;
    if (config.pd_local_store_id > 0) options.local_store_id = static_cast<uint64_t>(config.pd_local_store_id);
    options.region_ttl_ms = config.pd_region_ttl_ms;
    options.tls_configured = tls.enabled();
    options.region_cache = regions;
    options.max_string_bytes = static_cast<size_t>(config.max_label_value_bytes);
    options.max_stores = PdMaxStores(SourceSeriesShare(static_cast<size_t>(config.max_series_per_poll)));
    options.log = SpdlogSink("pd");
    options.local_grpc_address = grpc_address_hint;
    const size_t max_bytes = static_cast<size_t>(config.max_body_bytes);
    PdCollector::ClientFactory factory;
    if (config.pd_protocol == PdProtocol::kGrpc) {
      factory = [max_bytes, tls](const std::string& url) { return MakePdGrpcClient(url, max_bytes, tls); };
    } else {
      factory = [limiter, max_bytes, tls](const std::string& url) {
        return MakePdHttpClient(url, limiter, max_bytes, tls);
      };
    }
    collectors.push_back(IntoPollData(std::make_unique<PdCollector>(std::move(factory), std::move(options))));
  }
  if (config.rocksdb_enabled) {
    collectors.push_back(IntoPollData(MakeRocksDbCollector(config, tls, scheme, grpc_address_hint)));
  }
  return std::make_unique<CollectorSet>(std::move(collectors), shared_limiter);
}

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
  auto limiter = std::make_shared<ConnectionLimiter>(config.max_connections);
  // By default one hour of snapshots (240 at the default 15 s interval), at most 3,600.
  SnapshotHistory history(HistorySize(config));
  LimitTracker limits;
  auto regions = std::make_shared<PdRegionCache>();
  std::vector<std::string> region_endpoints = config.pd_endpoints;  // whose regions `regions` holds
  // Before the poller, whose thread renders into it after each poll.
  MetricsCache metrics(build);
  Poller poller(MakeCollectors(config, limiter, regions), config, &history, &limits);
  // Runs one reload at a time (see Reloader). A MakeCollectors() that cannot start its threads
  // throws std::system_error, which fails the reload and leaves the running collectors polling.
  Reloader reloader(config, std::move(reload), [&](const ExporterConfig& loaded) {
    std::shared_ptr<PdRegionCache> kept = regions;
    if (loaded.pd_endpoints != region_endpoints) kept = std::make_shared<PdRegionCache>();  // another cluster
    poller.Reconfigure(MakeCollectors(loaded, limiter, kept), loaded);
    regions = std::move(kept);
    region_endpoints = loaded.pd_endpoints;
    return Status::Ok();
  });
  SelfInstrumentation instrumentation;

  HttpHandlers handlers;
  handlers.metrics = [&](ExpositionFormat format, bool gzip) {
    return metrics.Answer(poller.Latest(), SelfMetrics{&instrumentation, &limits, reloader.Status()},
                          RenderOptions{reloader.Current()->pd_store_series}, format, gzip);
  };
  poller.OnPublished([&](const std::shared_ptr<const PollState>& state) {
    metrics.Prepare(state, SelfMetrics{&instrumentation, &limits, reloader.Status()},
                    RenderOptions{reloader.Current()->pd_store_series});
  });
  handlers.landing_page = [&] {
    return RenderLandingPage(poller.Latest()->snapshot, build.version, build.revision,
                             reloader.Current()->status_address);
  };
  handlers.snapshot_json = [&] { return SnapshotToJson(poller.Latest()->snapshot); };
  handlers.health_json = [&] {
    const Snapshot& snapshot = poller.Latest()->snapshot;
    return std::make_pair(snapshot.health.Passing(), HealthToJson(snapshot));
  };
  handlers.snapshots_json = [&](int64_t since_ms, size_t limit, bool head_only) {
    return head_only ? std::string() : SnapshotPageToJson(history.Page(since_ms, limit));
  };
  handlers.ready = [&] { return poller.Ready(); };
  handlers.targets_json = [&]() -> std::string {
    std::shared_ptr<const PollState> state = poller.Latest();
    return state->pd ? DiscoveryTargetsJson(*state->pd, reloader.Current()->discovery_port_offset) : "";
  };
  handlers.cluster_json = [&]() -> std::string {
    std::shared_ptr<const PollState> state = poller.Latest();
    return state->pd ? ClusterJson(*state->pd) : "";
  };
  handlers.rocksdb_json = [&]() -> std::string {
    std::shared_ptr<const PollState> state = poller.Latest();
    return state->rocksdb ? RocksDbLevelsJson(*state->rocksdb) : "";
  };
  handlers.on_request = [&](const std::string& path, int status) { instrumentation.Observe(path, status); };
  handlers.on_in_flight = [&](int delta) { instrumentation.InFlight(delta); };
  handlers.reload = [&]() -> std::pair<int, std::string> {
    // Basic auth is fixed at start (a [web] change needs a restart); enable_lifecycle follows reloads.
    if (config.web_basic_auth_users.empty() && !reloader.Current()->enable_lifecycle) {
      return {403, "Lifecycle API is not enabled: set [exporter] enable_lifecycle = true (or turn on basic auth), "
                   "or send the process SIGHUP.\n"};
    }
    ReloadOutcome outcome = reloader.Request("POST /-/reload");
    if (outcome.scheduled) {
      return {202, "Reload scheduled in " + std::to_string(outcome.delay.count()) +
                       " ms: reloads run at most once per " + std::to_string(kMinReloadInterval.count()) +
                       " ms; tikv_exporter_config_last_reload_successful tells how it went.\n"};
    }
    if (!outcome.status.ok()) {
      return {500, "Reload failed, the running config is kept: " + outcome.status.message() + "\n"};
    }
    return {200, "Reloaded.\n"};
  };
  handlers.on_limit = [&](Limit limit, bool hit, const std::string& detail) {
    if (hit) {
      limits.Hit(limit, detail);
    } else {
      limits.Clear(limit);
    }
  };
  HttpServerOptions web{config.max_concurrent_requests, config.web_cert_file, config.web_key_file,
                        config.web_client_ca_file, config.web_min_tls_version, config.web_basic_auth_users,
                        config.web_headers};
  StatusOr<std::unique_ptr<HttpServer>> created = HttpServer::Create(HooksOf(handlers), web);
  if (!created.ok()) {
    spdlog::error("{}", created.status().message());
    return 1;
  }
  HttpServer& server = **created;
  RegisterEndpoints(server, handlers);
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
      reloader.Request("SIGHUP");
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
  // Kubernetes allow seconds). Stop() interrupts the poll in progress, and the poller's collector
  // set waits at most CollectorSet::kShutdownWait for a collector still inside an upstream call
  // before leaving it behind (see CollectorSet): nothing is lost, the poll's result has no reader.
  poller.Stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace tikv_exporter
