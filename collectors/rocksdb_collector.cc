#include "collectors/rocksdb_collector.h"

#include "common/clock.h"

namespace tikv_exporter {

RocksDbCollector::RocksDbCollector(std::string log_path, LogFollower::Limits limits)
    : follower_(std::move(log_path), limits) {}

Status RocksDbCollector::Collect(Clock::time_point, PollData* out) {
  StatusOr<LogFollower::PollResult> polled = follower_.Poll([this](std::string_view line) { reader_.AddLine(line); });
  if (!polled.ok()) return polled.status();
  if (polled->truncated) reader_.Reset();
  // A file that stopped growing holds no half-written record: its last dump is complete.
  if (polled->bytes_read == 0) reader_.EndOfData();

  auto data = std::make_shared<RocksDbLogData>(*data_);
  const int64_t now_ms = NowMs();
  for (RocksDbStats& dump : reader_.TakeDumps()) {
    data->previous = std::move(data->latest);
    data->previous_read_ms = data->latest_read_ms;
    data->latest = std::move(dump);
    data->latest_read_ms = now_ms;
  }
  data->dumps = reader_.dumps_completed();
  data->stall_warnings = reader_.stall_warnings();
  data->stop_warnings = reader_.stop_warnings();
  data->log_path = follower_.path();
  data_ = data;
  out->rocksdb = data_;
  return Status::Ok();
}

}  // namespace tikv_exporter
