#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "collectors/collector.h"
#include "collectors/grpc_channel.h"
#include "collectors/log_sink.h"
#include "collectors/rocksdb/rocksdb_log_data.h"
#include "collectors/tikv_grpc_address_hint.h"

namespace tikv_exporter {

// RocksDB statistics from TiKV's debug service on its gRPC port: debugpb.Debug/GetMetrics with
// all = true answers rocksdb_kv, the kv RocksDB's cfstats, dbstats and STATISTICS text (a LOG
// stats dump without line prefixes), parsed by the same parser as the LOG's dumps, and
// rocksdb_raft, the same for the raft RocksDB when raft-engine is off (raft-engine's own text, or
// nothing, when it is on: then there is no raft db to export). Each call also
// carries TiKV's whole /metrics text, so calls are made at most once per `interval` (its own
// schedule, [collectors.rocksdb] interval_ms): between calls Collect() answers what the last call
// gave, the data or the error. A call is bounded by the poll's deadline and its answer by
// `max_message_bytes` (a larger one fails the call as upstream_body_bytes). With a `learned`
// address (PD's `address` of this node's store, when [tikv] grpc_address is not set) calls go
// there once PD has named it, and the first call after it changes is due at once; each change is
// logged. Owns its channel; one Collect() at a time.
class DebugServiceCollector : public SourceCollector<RocksDbLogData> {
 public:
  struct Options {
    std::string url;  // http://host:port, or https:// for the cluster TLS of [security]
    // PD's address for this node's TiKV, used instead of `url` (with its scheme) once set; null
    // when [tikv] grpc_address names the address.
    std::shared_ptr<const TikvGrpcAddressHint> learned;
    LogSink log;  // the address in use changed
    size_t max_message_bytes = 64 << 20;
    UpstreamTls tls;
    std::chrono::milliseconds interval{60000};
    size_t max_series = SIZE_MAX;  // the RocksDB source's share of max_series_per_poll
  };
  explicit DebugServiceCollector(Options options);
  ~DebugServiceCollector() override;

  Source source() const override { return Source::kRocksDb; }
  StatusOr<std::shared_ptr<const RocksDbLogData>> Collect(Clock::time_point deadline) override;

  // The debug service's URL in use: options.url, or the learned address.
  const std::string& url() const { return url_; }
  // Whether the next Collect() makes a call (false while the last one is younger than interval,
  // and the learned address has not changed).
  bool CallDue() const;

 private:
  // The URL calls should go to now: the learned address when there is one that makes a URL.
  std::string WantedUrl() const;
  // Moves to WantedUrl() (a new channel) when it differs from url_, and logs it.
  void FollowLearnedAddress();
  Status Call(Clock::time_point deadline);

  const Options options_;
  GrpcChannelMaker channels_;
  std::string url_;
  std::shared_ptr<grpc::Channel> channel_;
  std::optional<Clock::time_point> last_call_;
  Status last_status_ = Status::Ok();
  std::shared_ptr<const RocksDbLogData> data_;
};

}  // namespace tikv_exporter
