#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "collectors/collector.h"
#include "collectors/grpc_channel.h"
#include "collectors/rocksdb/rocksdb_log_data.h"

namespace tikv_exporter {

// RocksDB statistics from TiKV's debug service on its gRPC port: debugpb.Debug/GetMetrics with
// all = true answers rocksdb_kv, the kv RocksDB's cfstats, dbstats and STATISTICS text (a LOG
// stats dump without line prefixes), parsed by the same parser as the LOG's dumps. Each call also
// carries TiKV's whole /metrics text, so calls are made at most once per `interval` (its own
// schedule, [collectors.rocksdb] interval_ms): between calls Collect() answers what the last call
// gave, the data or the error. A call is bounded by the poll's deadline and its answer by
// `max_message_bytes` (a larger one fails the call as upstream_body_bytes). Owns its channel;
// one Collect() at a time.
class DebugServiceCollector : public SourceCollector<RocksDbLogData> {
 public:
  struct Options {
    std::string url;  // http://host:port, or https:// for the cluster TLS of [security]
    size_t max_message_bytes = 64 << 20;
    UpstreamTls tls;
    std::chrono::milliseconds interval{60000};
    size_t max_series = SIZE_MAX;  // the RocksDB source's share of max_series_per_poll
  };
  explicit DebugServiceCollector(Options options);
  ~DebugServiceCollector() override;

  Source source() const override { return Source::kRocksDb; }
  StatusOr<std::shared_ptr<const RocksDbLogData>> Collect(Clock::time_point deadline) override;

  const std::string& url() const { return options_.url; }
  // Whether the next Collect() makes a call (false while the last one is younger than interval).
  bool CallDue() const;

 private:
  Status Call(Clock::time_point deadline);

  const Options options_;
  GrpcChannelMaker channels_;
  std::shared_ptr<grpc::Channel> channel_;
  std::optional<Clock::time_point> last_call_;
  Status last_status_ = Status::Ok();
  std::shared_ptr<const RocksDbLogData> data_;
};

}  // namespace tikv_exporter
