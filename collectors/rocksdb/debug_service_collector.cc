#include "collectors/rocksdb/debug_service_collector.h"

#include <grpcpp/grpcpp.h>

#include "collectors/rocksdb/rocksdb_metrics.h"
#include "collectors/rocksdb/rocksdb_stats_parser.h"
#include "common/address.h"
#include "common/clock.h"
#include "debugpb.grpc.pb.h"  // generated from proto/debugpb.proto

namespace tikv_exporter {

DebugServiceCollector::DebugServiceCollector(Options options)
    : options_(std::move(options)), channels_(options_.max_message_bytes, options_.tls), url_(options_.url) {
  auto data = std::make_shared<RocksDbLogData>();
  data->source = RocksDbSource::kDebugService;
  data->address = url_;
  data_ = std::move(data);
}

DebugServiceCollector::~DebugServiceCollector() = default;

bool DebugServiceCollector::CallDue() const {
  // Polls come every poll_interval_ms, give or take some jitter: an interval that is N poll
  // intervals should call at every Nth poll, not at every N+1th when a poll comes a little early.
  // A new address is worth a call at once: the last answer (or failure) was another node's.
  return !last_call_ || Clock::now() - *last_call_ >= options_.interval * 9 / 10 || WantedUrl() != url_;
}

std::string DebugServiceCollector::WantedUrl() const {
  if (!options_.learned) return options_.url;
  const std::string learned = options_.learned->Get();
  if (learned.empty()) return options_.url;
  // PD's store address is host:port, and PD does not choose between plain and TLS: the configured
  // URL's scheme does (an address with a scheme of its own is not a host:port, and not taken).
  if (!ParseHostPort(learned).ok() || learned.find('/') != std::string::npos) return options_.url;
  return (options_.url.starts_with("https://") ? "https://" : "http://") + learned;
}

void DebugServiceCollector::FollowLearnedAddress() {
  std::string wanted = WantedUrl();
  if (wanted == url_) return;
  if (options_.log) {
    const std::string whose = wanted == options_.url
                                  ? "[tikv] grpc_address's default (PD's address of this node's store is no host:port)"
                                  : "PD's address of this node's store";
    options_.log(LogLevel::kInfo, "TiKV's debug service at " + wanted + ", " + whose + " (was " + url_ + ")");
  }
  url_ = std::move(wanted);
  channel_.reset();
  last_call_.reset();  // the last answer, or failure, was of the address before: call at once
  auto data = std::make_shared<RocksDbLogData>(*data_);
  data->address = url_;
  data_ = std::move(data);
}

StatusOr<std::shared_ptr<const RocksDbLogData>> DebugServiceCollector::Collect(Clock::time_point deadline) {
  FollowLearnedAddress();
  if (CallDue()) {
    last_call_ = Clock::now();
    last_status_ = Call(deadline);
  }
  if (!last_status_.ok()) return last_status_;
  return data_;
}

Status DebugServiceCollector::Call(Clock::time_point deadline) {
  const std::string what = "TiKV debug service " + url_ + " GetMetrics";
  if (Clock::now() >= deadline) return Status::DeadlineExceeded(what + ": no time left in this poll (timeout_ms)");
  if (!channel_) channel_ = channels_.Make(url_);
  debugpb::GetMetricsRequest request;
  request.set_all(true);
  debugpb::GetMetricsResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::duration_cast<std::chrono::system_clock::duration>(deadline - Clock::now()));
  const grpc::Status status = debugpb::Debug::NewStub(channel_)->GetMetrics(&context, request, &response);
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      break;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return Status::DeadlineExceeded(what + ": no answer within the poll's deadline (timeout_ms)");
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      // gRPC refuses a message above the channel's max receive size before holding it whole.
      return Status::LimitHit(Limit::kUpstreamBodyBytes,
                              what + ": answer larger than max_body_bytes (" +
                                  std::to_string(options_.max_message_bytes) + "): " + status.error_message());
    default:
      return Status::Unavailable(what + ": gRPC " + std::to_string(status.error_code()) + " " +
                                 status.error_message());
  }
  if (response.rocksdb_kv().empty()) {
    return Status::Malformed(what + ": the answer has no rocksdb_kv text (a TiKV without RocksDB statistics?)");
  }
  RocksDbStats stats = ParseRocksDbStatsText(response.rocksdb_kv());
  if (stats.levels.empty() && stats.tickers.empty() && !stats.db.uptime_seconds) {
    return Status::Malformed(what + ": rocksdb_kv holds no RocksDB statistics (" +
                             std::to_string(response.rocksdb_kv().size()) + " bytes, " +
                             std::to_string(stats.unknown_lines) + " unknown lines)");
  }
  std::optional<RocksDbStats> raft;
  if (HasRocksDbStatsSections(response.rocksdb_raft())) raft = ParseRocksDbStatsText(response.rocksdb_raft());
  auto data = std::make_shared<RocksDbLogData>(*data_);
  PushDump(std::move(stats), std::move(raft), NowMs(), options_.max_series, data.get());
  ++data->dumps;
  NoteSeriesLeftOut(url_, options_.max_series, data.get());
  data_ = std::move(data);
  return Status::Ok();
}

}  // namespace tikv_exporter
