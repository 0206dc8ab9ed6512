#include "collectors/rocksdb/debug_service_collector.h"

#include <grpcpp/grpcpp.h>

#include "collectors/rocksdb/rocksdb_metrics.h"
#include "collectors/rocksdb/rocksdb_stats_parser.h"
#include "common/clock.h"
#include "debugpb.grpc.pb.h"  // generated from proto/debugpb.proto

namespace tikv_exporter {

DebugServiceCollector::DebugServiceCollector(Options options)
    : options_(std::move(options)), channels_(options_.max_message_bytes, options_.tls) {
  auto data = std::make_shared<RocksDbLogData>();
  data->source = RocksDbSource::kDebugService;
  data_ = std::move(data);
}

DebugServiceCollector::~DebugServiceCollector() = default;

bool DebugServiceCollector::CallDue() const {
  // Polls come every poll_interval_ms, give or take some jitter: an interval that is N poll
  // intervals should call at every Nth poll, not at every N+1th when a poll comes a little early.
  return !last_call_ || Clock::now() - *last_call_ >= options_.interval * 9 / 10;
}

StatusOr<std::shared_ptr<const RocksDbLogData>> DebugServiceCollector::Collect(Clock::time_point deadline) {
  if (CallDue()) {
    last_call_ = Clock::now();
    last_status_ = Call(deadline);
  }
  if (!last_status_.ok()) return last_status_;
  return data_;
}

Status DebugServiceCollector::Call(Clock::time_point deadline) {
  const std::string what = "TiKV debug service " + options_.url + " GetMetrics";
  if (Clock::now() >= deadline) return Status::DeadlineExceeded(what + ": no time left in this poll (timeout_ms)");
  if (!channel_) channel_ = channels_.Make(options_.url);
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
  auto data = std::make_shared<RocksDbLogData>(*data_);
  PushDump(std::move(stats), NowMs(), options_.max_series, data.get());
  ++data->dumps;
  NoteSeriesLeftOut(options_.url, options_.max_series, data.get());
  data_ = std::move(data);
  return Status::Ok();
}

}  // namespace tikv_exporter
