// tikv-sim: a simulated TiKV status server (and, later, PD) for the demo and the tests.

#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

#include "prom/exposition_parser.h"
#include "common/address.h"
#include "tools/tikv-sim/sim_debug_service.h"
#include "tools/tikv-sim/sim_files.h"
#include "tools/tikv-sim/sim_rocksdb_dumps.h"
#include "tools/tikv-sim/sim_server.h"
#include "tools/tikv-sim/synthetic_body.h"

namespace {

constexpr const char* kUsage = R"(usage: tikv-sim [flags]
  --status-address HOST:PORT   the simulated TiKV status server (default 127.0.0.1:20180)
  --control-address HOST:PORT  the control API (default 127.0.0.1:20181)
  --fixture PATH               serve this real /metrics dump, advancing its counters, instead
                               of the built-in TiKV-shaped node
  --raw                        with --fixture: serve the file byte for byte, never advancing
  --synthetic-series N         with --fixture: serve, byte for byte, a body of about N series:
                               every series of the dump repeated over more `instance` label
                               values (the scale benchmark's 100k and 1M series bodies)
  --load TYPE=QPS:LATENCY_S    request type rate and mean latency (repeatable; replaces the
                               built-in loads)
  --wave AMPLITUDE             let every rate swing by this fraction (0-1) over 2 minutes
  --no-tickers                 leave RocksDB tickers constant
  --no-ready                   GET /ready answers 404, as on TiKV before the v8.5.6 builds
  --pd-address HOST:PORT       also simulate a PD member here (repeat for more members)
  --pd-store-status HOST:PORT  status address of a simulated TiKV store (repeatable; default:
                               this node's status address and four more)
  --pd-grpc-address HOST:PORT  the gRPC API (pdpb.PD) of the PD member of the same position
  --pd-stores N                with no --pd-store-status: simulate N stores (default 5)
  --pd-fixture PREFIX          serve the real PD bodies PREFIX{members,health,stores}.json
  --grpc-address HOST:PORT     TiKV's gRPC port: the debug service debugpb.Debug/GetMetrics,
                               answering the RocksDB stats dumps of --rocksdb-log; the
                               simulated PD lists it as this node's store address
  --rocksdb-log PATH           a RocksDB info LOG whose stats dumps the debug service serves,
                               one further at each call
  --raft-rocksdb-log PATH      a raftdb (raft-engine off): the debug service's rocksdb_raft
                               serves this LOG's stats dumps; without it, rocksdb_raft holds no
                               RocksDB, as with raft-engine on (TiKV's default)
  --tls-ca PATH --tls-cert PATH --tls-key PATH
                               serve TiKV and PD over TLS only, requiring client certificates
                               signed by the CA (like a cluster with [security] set)
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace tikv_exporter;
  std::string status_address = "127.0.0.1:20180";
  std::string control_address = "127.0.0.1:20181";
  std::string fixture;
  std::vector<sim::RequestLoad> loads;
  bool tickers = true;
  bool raw = false;
  bool ready_endpoint = true;
  double wave = 0;
  std::vector<std::string> pd_addresses;
  std::vector<std::string> pd_grpc_addresses;
  std::vector<std::string> store_statuses;
  std::string pd_fixture;
  std::string grpc_address;
  std::string rocksdb_log;
  std::string raft_rocksdb_log;
  int pd_stores = 5;
  size_t synthetic_series = 0;
  sim::SimTls tls;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "tikv-sim: %s needs a value\n%s", arg.c_str(), kUsage);
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--status-address") {
      status_address = value();
    } else if (arg == "--control-address") {
      control_address = value();
    } else if (arg == "--fixture") {
      fixture = value();
    } else if (arg == "--load") {
      std::string spec = value();
      size_t eq = spec.find('='), colon = spec.find(':');
      if (eq == std::string::npos || colon == std::string::npos || colon < eq) {
        std::fprintf(stderr, "tikv-sim: --load wants TYPE=QPS:LATENCY_S, got %s\n", spec.c_str());
        return 2;
      }
      loads.push_back({spec.substr(0, eq), std::atof(spec.substr(eq + 1, colon - eq - 1).c_str()),
                       std::atof(spec.substr(colon + 1).c_str())});
    } else if (arg == "--raw") {
      raw = true;
    } else if (arg == "--synthetic-series") {
      synthetic_series = std::strtoull(value().c_str(), nullptr, 10);
    } else if (arg == "--wave") {
      wave = std::atof(value().c_str());
    } else if (arg == "--pd-address") {
      pd_addresses.push_back(value());
    } else if (arg == "--pd-grpc-address") {
      pd_grpc_addresses.push_back(value());
    } else if (arg == "--pd-store-status") {
      store_statuses.push_back(value());
    } else if (arg == "--grpc-address") {
      grpc_address = value();
    } else if (arg == "--rocksdb-log") {
      rocksdb_log = value();
    } else if (arg == "--raft-rocksdb-log") {
      raft_rocksdb_log = value();
    } else if (arg == "--pd-fixture") {
      pd_fixture = value();
    } else if (arg == "--pd-stores") {
      pd_stores = std::max(1, std::atoi(value().c_str()));
    } else if (arg == "--tls-ca") {
      tls.ca = value();
    } else if (arg == "--tls-cert") {
      tls.cert = value();
    } else if (arg == "--tls-key") {
      tls.key = value();
    } else if (arg == "--no-tickers") {
      tickers = false;
    } else if (arg == "--no-ready") {
      ready_endpoint = false;
    } else {
      std::fprintf(stderr, "tikv-sim: unknown flag %s\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }

  std::unique_ptr<sim::SimNode> node;
  if (synthetic_series > 0 && fixture.empty()) {
    std::fprintf(stderr, "tikv-sim: --synthetic-series needs --fixture (the dump to multiply)\n");
    return 2;
  }
  if (fixture.empty()) {
    node = sim::SimNode::BuiltIn(ready_endpoint);
  } else {
    std::optional<std::string> text = sim::ReadWholeFile(fixture);
    if (!text) {
      std::fprintf(stderr, "tikv-sim: cannot read %s\n", fixture.c_str());
      return 1;
    }
    if (synthetic_series > 0) {
      size_t series = 0;
      std::string body = sim::SyntheticBody(*text, synthetic_series, &series);
      std::fprintf(stderr, "tikv-sim: synthetic body of %zu series, %zu bytes\n", series,
                   body.size());
      node = sim::SimNode::Raw(std::move(body));
    } else if (raw) {
      node = sim::SimNode::Raw(*text);
    } else {
      StatusOr<ParseResult> parsed = ParseExposition(*text);
      if (!parsed.ok()) {
        std::fprintf(stderr, "tikv-sim: %s: %s\n", fixture.c_str(), parsed.status().message().c_str());
        return 1;
      }
      node = std::make_unique<sim::SimNode>(parsed->exposition.ToExposition());
    }
  }
  if (loads.empty()) loads = sim::SimNode::DefaultRequestLoads();
  for (sim::RequestLoad& load : loads) {
    load.wave_amplitude = wave;
    node->SetRequestLoad(load);
  }
  if (tickers) node->SetTickerLoads(sim::SimNode::DefaultTickerLoads());

  StatusOr<HostPort> status = ParseHostPort(status_address);
  StatusOr<HostPort> control = ParseHostPort(control_address);
  if (!status.ok() || !control.ok()) {
    std::fprintf(stderr, "tikv-sim: %s\n",
                 (!status.ok() ? status.status() : control.status()).message().c_str());
    return 2;
  }
  // Block the stop signals everywhere; one thread waits for them and stops the servers.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::unique_ptr<sim::SimPdCluster> pd;
  if (!pd_addresses.empty()) {
    if (store_statuses.empty()) {
      store_statuses.push_back(status_address);
      for (int i = 1; i < pd_stores; ++i) store_statuses.push_back("tikv-" + std::to_string(i) + ".sim:20180");
    }
    pd = std::make_unique<sim::SimPdCluster>(pd_addresses, pd_grpc_addresses, store_statuses, tls);
    if (!pd_fixture.empty()) pd->UseFixtures(pd_fixture);
    // As a real TiKV registers its gRPC address (server.addr) with PD.
    if (!grpc_address.empty()) pd->SetLocalStoreAddress(grpc_address);
    if (!pd->Start()) {
      std::fprintf(stderr, "tikv-sim: cannot listen on the PD addresses\n");
      return 1;
    }
  }
  std::unique_ptr<sim::SimDebugService> debug_service;
  if (!grpc_address.empty()) {
    // The stats dumps of the LOG at `path`; empty (and said) when it holds none.
    auto dumps_of = [](const std::string& path, const char* flag) {
      std::optional<std::string> log = sim::ReadWholeFile(path);
      std::vector<std::string> dumps = log ? sim::RocksDbDumpTexts(*log) : std::vector<std::string>{};
      if (dumps.empty()) std::fprintf(stderr, "tikv-sim: %s needs a LOG with a stats dump (%s)\n", flag, path.c_str());
      return dumps;
    };
    std::vector<std::string> dumps = dumps_of(rocksdb_log, "--grpc-address's --rocksdb-log");
    if (dumps.empty()) return 2;
    std::vector<std::string> raft_dumps;
    if (!raft_rocksdb_log.empty()) {
      raft_dumps = dumps_of(raft_rocksdb_log, "--raft-rocksdb-log");
      if (raft_dumps.empty()) return 2;
    }
    debug_service =
        std::make_unique<sim::SimDebugService>(node.get(), std::move(dumps), std::move(raft_dumps), tls);
    if (!debug_service->Start(grpc_address)) {
      std::fprintf(stderr, "tikv-sim: cannot listen on %s\n", grpc_address.c_str());
      return 1;
    }
  }
  sim::SimServer server(node.get(), pd.get(), status->host, status->port, tls);
  server.SetDebugService(debug_service.get());
  std::thread([&server, stop_signals] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    server.StopAll();
  }).detach();
  if (!server.StartStatus()) {
    std::fprintf(stderr, "tikv-sim: cannot listen on %s\n", status_address.c_str());
    return 1;
  }
  std::fprintf(stderr, "tikv-sim: TiKV status server on %s://%s, control on http://%s\n",
               tls.enabled() ? "https" : "http", status_address.c_str(), control_address.c_str());
  const bool served = server.ServeControl(control->host, control->port);
  server.StopAll();
  if (debug_service) debug_service->Stop();
  if (pd) pd->Stop();
  if (!served) {
    std::fprintf(stderr, "tikv-sim: cannot listen on %s\n", control_address.c_str());
    return 1;
  }
  return 0;
}
