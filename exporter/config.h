#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/enum_names.h"
#include "common/status.h"
#include "exporter/logging.h"
#include "collectors/pd/store_witnesses.h"
#include "collectors/rocksdb/rocksdb_source.h"
#include "snapshot/config_drift.h"
#include "snapshot/health.h"

namespace tikv_exporter {

// The closed sets of config choices, each with its one table of names.
enum class PdProtocol { kHttp, kGrpc };
inline constexpr EnumName<PdProtocol> kPdProtocolNames[] = {{PdProtocol::kHttp, "http"}, {PdProtocol::kGrpc, "grpc"}};

// The exporter's configuration (METRICS.md "Config"). A value type; defaults are those of
// METRICS.md, so an empty file is valid.
struct ExporterConfig {
  std::string source_path;  // the file it was loaded from ("" = defaults)
  // The file held no key at all (empty, or only comments): valid at start (the defaults), refused
  // by a reload, where it is almost always a truncated or half-written file.
  bool empty_file = false;

  // [tikv]
  std::string status_address = "127.0.0.1:20180";
  std::vector<std::string> pd_endpoints = {"localhost:2379"};
  // TiKV's gRPC port (server.addr), for its debug service; "" = TikvGrpcAddress()'s default.
  std::string grpc_address;
  int max_connections = 100;
  // Unset, it is the smaller of 5000 and poll_interval_ms (as Prometheus' scrape_timeout follows
  // scrape_interval), so shortening only the interval just works; set, it must fit the interval.
  int timeout_ms = 5000;
  bool timeout_ms_set = false;
  // section ("storage", "raftstore", "rocksdb") -> key -> expected value
  std::map<std::string, std::map<std::string, ExpectedSetting>> expected_settings;

  // [exporter]
  std::string listen_address = "0.0.0.0:20190";
  int poll_interval_ms = 15000;
  std::string log_level = "info";
  LogFormat log_format = LogFormat::kText;
  int max_body_bytes = 64 << 20;  // bound on one upstream response after decompression
  int discovery_port_offset = 10;   // /api/v1/targets: sidecar port = TiKV status port + this
  std::string grpc_listen_address;  // "" = no gRPC listener
  int history = 0;                  // snapshots kept for /api/v1/snapshots; 0 = HistorySize()'s default
  // Bounds (docs/operations.md): each hit is counted in tikv_exporter_limit_hits_total{limit}.
  int max_concurrent_requests = 16;   // HTTP requests served at once (as many more wait); then 503
  int max_grpc_watchers = 64;         // concurrent WatchSnapshots streams; then RESOURCE_EXHAUSTED
  // POST /-/reload answers 403 unless this is set or basic auth is on (SIGHUP always reloads), as
  // Prometheus gates it behind --web.enable-lifecycle.
  bool enable_lifecycle = false;
  int max_series_per_poll = 1000000;  // samples in one TiKV /metrics body
  int max_labels_per_series = 64;
  int max_label_value_bytes = 4096;

  // [security]: TiKV's own key names. With a CA, upstream connections (TiKV status server, PD
  // HTTP and gRPC) use TLS and verify the server; with cert and key they present a client
  // certificate (mTLS). Files are re-read when they change.
  std::string ca_path;
  std::string cert_path;
  std::string key_path;

  // [web]: how the exporter's own listeners are protected.
  std::string web_cert_file;       // HTTPS (and TLS on the gRPC listener) when set
  std::string web_key_file;
  std::string web_client_ca_file;  // require client certificates signed by this CA
  std::string web_min_tls_version = "TLS12";
  std::map<std::string, std::string> web_basic_auth_users;  // user -> bcrypt hash
  // Added to every answer of the HTTP listener (server/response_headers.h), canonical name -> value.
  std::map<std::string, std::string> web_headers;
  // The TOML file set a [web] key: --web.config.file is then refused (one source for [web]).
  bool web_section_set = false;
  // --web.config.file, when the [web] settings came from an exporter-toolkit YAML file.
  std::string web_config_file;

  // [collectors.*]
  bool tikv_enabled = true;
  std::vector<std::string> relay;             // raw TiKV family globs to re-expose on /metrics
  std::vector<std::string> relay_drop;        // globs removed from `relay`
  std::vector<std::string> relay_drop_labels; // labels removed from relayed series
  bool pd_enabled = true;
  PdProtocol pd_protocol = PdProtocol::kHttp;
  int64_t pd_local_store_id = 0;      // 0 = find this node's store by its status address
  int pd_region_ttl_ms = 60000;       // region-level PD calls at most this often
  // Per-store series (tikv_exporter_pd_store_*) for every store PD knows ("all"), or only for this
  // node's store ("local"): with N sidecars each exporting N stores, large clusters want "local".
  StoreSeries pd_store_series = StoreSeries::kWitnesses;
  bool rocksdb_enabled = true;
  std::string rocksdb_log_path = "/var/lib/tikv/rocksdb.info";
  // Where RocksDB's statistics come from (collectors/rocksdb/rocksdb_source.h); auto = TiKV's
  // debug service when it answers, else the LOG when log_path is set.
  RocksDbSource rocksdb_source = RocksDbSource::kAuto;
  int rocksdb_interval_ms = 60000;  // debug-service calls at most this often

  // [health]: the verdict's thresholds and disabled checks (docs/health-checks.md).
  HealthThresholds health;
};

// [exporter] history: an explicit value is bounded by kMaxHistory; 0 derives one hour of polls
// (3,600,000 / poll_interval_ms) capped at kMaxDerivedHistory (one hour at 1 s), so a very short
// interval cannot make the default hold hundreds of thousands of snapshots.
constexpr int kMaxHistory = 10000;
constexpr int kMaxDerivedHistory = 3600;
size_t HistorySize(const ExporterConfig& config);

// [tikv] grpc_address, or by default the status address's host with TiKV's gRPC port 20160.
std::string TikvGrpcAddress(const ExporterConfig& config);

// Loads and validates `path`. Every error names the file, the line and the key, e.g.
// "cfg.toml:3:14: [tikv] timeout_ms: expected an integer, found a string".
StatusOr<ExporterConfig> LoadConfig(const std::string& path);

// Checks values that flags may have overridden (log level/format, listen address).
Status ValidateConfig(const ExporterConfig& config);

}  // namespace tikv_exporter
