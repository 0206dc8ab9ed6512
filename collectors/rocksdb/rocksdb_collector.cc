#include "collectors/rocksdb/rocksdb_collector.h"

#include "collectors/rocksdb/rocksdb_metrics.h"
#include "common/clock.h"

namespace tikv_exporter {

RocksDbCollector::RocksDbCollector(std::string log_path, LogFollower::Limits limits, size_t max_series)
    : follower_(std::move(log_path), limits), max_series_(max_series) {}

StatusOr<std::shared_ptr<const RocksDbLogData>> RocksDbCollector::Collect(Clock::time_point deadline) {
  if (Clock::now() >= deadline) {
    return Status::DeadlineExceeded(follower_.path() + ": no time left in this poll to read the log (timeout_ms)");
  }
  const size_t records_before = reader_.records_recognised();
  StatusOr<LogFollower::PollResult> polled =
      follower_.Poll(deadline, [this](std::string_view line) { reader_.AddLine(line); });
  if (!polled.ok()) return polled.status();
  if (polled->truncated) {
    reader_.Reset();
    file_bytes_ = file_records_ = 0;  // the content read this poll is all new
  }
  file_bytes_ += polled->bytes_read;
  file_records_ += reader_.records_recognised() - records_before;
  if (file_records_ == 0 && file_bytes_ > 0) {
    // Something else is at log_path (db_bench output, another program's log): it can never yield a
    // dump, so say so instead of reporting a healthy source with no dumps.
    return Status::Malformed(follower_.path() + ": no RocksDB records recognised in " + std::to_string(file_bytes_) +
                         " bytes (expected a RocksDB LOG or TiKV rocksdb.info; check [collectors.rocksdb] log_path)");
  }
  // A file that stopped growing for a poll: a dump whose records are complete needs nothing more.
  // Out of time, the dumps read so far are this poll's answer and reading goes on at the next.
  if (polled->bytes_read == 0 && !polled->out_of_time) reader_.EndOfData();

  auto data = std::make_shared<RocksDbLogData>(*data_);
  const int64_t now_ms = NowMs();
  // The LOG at log_path is the kv RocksDB's: its dumps hold no raft db.
  for (RocksDbStats& dump : reader_.TakeDumps()) {
    PushDump(std::move(dump), std::nullopt, now_ms, max_series_, data.get());
  }
  data->dumps = reader_.dumps_completed();
  data->stall_warnings = reader_.stall_warnings();
  data->stop_warnings = reader_.stop_warnings();
  data->log_path = follower_.path();
  NoteSeriesLeftOut(follower_.path(), max_series_, data.get());
  data_ = data;
  return data_;
}

}  // namespace tikv_exporter
