#include "exporter/app.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <pthread.h>
#include <thread>

#include "collectors/collector_set.h"
#include "collectors/pd_collector.h"
#include "collectors/rocksdb_collector.h"
#include "collectors/tikv_collector.h"
#include "exporter/discovery.h"
#include "exporter/grpc_server.h"
#include "exporter/http_server.h"
#include "exporter/landing_page.h"
#include "exporter/metrics_renderer.h"
#include "exporter/poller.h"
#include "exporter/snapshot_json.h"
#include "exporter/version.h"

namespace tikv_exporter {
namespace {

std::unique_ptr<CollectorSet> MakeCollectors(const ExporterConfig& config,
                                             ConnectionLimiter* limiter) {
  std::vector<std::unique_ptr<Collector>> collectors;
  if (config.tikv_enabled) {
    // Validated by LoadConfig; a flag cannot change it.
    std::string base_url = *NormalizeBaseUrl(config.status_address);
    collectors.push_back(std::make_unique<TikvCollector>(
        MakeHttpFetcher(base_url, limiter), static_cast<size_t>(config.max_body_bytes), ParseLimits{},
        RelayRules{config.relay, config.relay_drop, config.relay_drop_labels}));
  }
  if (config.pd_enabled) {
    PdCollectorOptions options;
    for (const std::string& endpoint : config.pd_endpoints) options.endpoints.push_back(*NormalizeBaseUrl(endpoint));
    options.local_status_address = config.status_address;
    if (config.pd_local_store_id > 0) options.local_store_id = static_cast<uint64_t>(config.pd_local_store_id);
    options.region_ttl_ms = config.pd_region_ttl_ms;
    const size_t max_bytes = static_cast<size_t>(config.max_body_bytes);
    PdCollector::ClientFactory factory;
    if (config.pd_protocol == "grpc") {
      factory = [max_bytes](const std::string& url) { return MakePdGrpcClient(url, max_bytes); };
    } else {
      factory = [limiter, max_bytes](const std::string& url) { return MakePdHttpClient(url, limiter, max_bytes); };
    }
    collectors.push_back(std::make_unique<PdCollector>(std::move(factory), std::move(options)));
  }
  if (config.rocksdb_enabled) {
    collectors.push_back(std::make_unique<RocksDbCollector>(config.rocksdb_log_path, LogFollower::Limits{}));
  }
  return std::make_unique<CollectorSet>(std::move(collectors));
}

}  // namespace

int RunExporter(const ExporterConfig& config) {
  // Block the stop signals in every thread; one thread waits for them with sigwait().
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const BuildInfo build{kVersion, kRevision};
  ConnectionLimiter limiter(config.max_connections);
  // By default one hour of snapshots: 240 at the default 15 s interval.
  const size_t history_size = config.history > 0 ? static_cast<size_t>(config.history)
                                                 : static_cast<size_t>((3'600'000 + config.poll_interval_ms - 1) /
                                                                       config.poll_interval_ms);
  SnapshotHistory history(history_size);
  Poller poller(MakeCollectors(config, &limiter), config.poll_interval_ms, config.timeout_ms,
                config.expected_settings, &history);
  HttpRequestCounter requests;

  HttpHandlers handlers;
  handlers.metrics = [&] { return RenderMetrics(*poller.Latest(), build, requests); };
  handlers.landing_page = [&] {
    return RenderLandingPage(*poller.Latest(), build, config.status_address);
  };
  handlers.snapshot_json = [&] { return SnapshotToJson(poller.Latest()->snapshot); };
  handlers.snapshots_json = [&](int64_t since_ms) { return SnapshotsToJson(history.Since(since_ms)); };
  handlers.ready = [&] { return poller.Ready(); };
  handlers.targets_json = [&]() -> std::string {
    std::shared_ptr<const PollState> state = poller.Latest();
    return state->pd ? DiscoveryTargetsJson(*state->pd, config.discovery_port_offset) : "";
  };
  handlers.on_request = [&](const std::string& path, int status) { requests.Observe(path, status); };
  HttpServer server(handlers);
  StatusOr<int> port = server.Bind(config.listen_address);
  if (!port.ok()) {
    spdlog::error("{}", port.status().message());
    return 1;
  }
  spdlog::info("tikv-exporter {} ({}) listening on http://{}, polling TiKV at {} every {} ms",
               build.version, build.revision, config.listen_address, config.status_address,
               config.poll_interval_ms);

  std::thread signal_waiter([&] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    spdlog::info("received signal {}, stopping", signal);
    server.Stop();
  });
  GrpcServer grpc(&history);
  if (!config.grpc_listen_address.empty()) {
    if (Status started = grpc.Start(config.grpc_listen_address); !started.ok()) {
      spdlog::error("{}", started.message());
      return 1;
    }
    spdlog::info("gRPC (tikv_exporter.v1.SnapshotService, health, reflection) on {}", config.grpc_listen_address);
  }
  poller.Start();
  server.Run();
  history.Close();  // ends gRPC watches waiting for the next snapshot
  grpc.Stop();
  poller.Stop();
  // The waiter only returns on a signal; when the server stopped for another reason, wake it.
  pthread_kill(signal_waiter.native_handle(), SIGTERM);
  signal_waiter.join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace tikv_exporter
