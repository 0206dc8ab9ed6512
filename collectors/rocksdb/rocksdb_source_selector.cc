#include "collectors/rocksdb/rocksdb_source_selector.h"

namespace tikv_exporter {

RocksDbSourceSelector::RocksDbSourceSelector(std::unique_ptr<DebugServiceCollector> debug_service,
                                             std::unique_ptr<RocksDbCollector> log, LogSink log_sink)
    : debug_service_(std::move(debug_service)), log_(std::move(log)), log_sink_(std::move(log_sink)) {}

StatusOr<std::shared_ptr<const RocksDbLogData>> RocksDbSourceSelector::Collect(Clock::time_point deadline) {
  if (in_use_ == RocksDbSource::kLog && !debug_service_->CallDue()) return FromLog(deadline);
  const Clock::time_point now = Clock::now();
  const Clock::time_point half = now + (deadline - now) / 2;
  StatusOr<std::shared_ptr<const RocksDbLogData>> answer = debug_service_->Collect(half);
  if (answer.ok()) {
    Use(RocksDbSource::kDebugService, "TiKV's debug service " + debug_service_->url() + " answers");
    debug_failure_ = Status::Ok();
    return answer;
  }
  debug_failure_ = answer.status();
  Use(RocksDbSource::kLog, debug_failure_.message() + "; reading the LOG " + log_->path() + " until it answers");
  return FromLog(deadline);
}

StatusOr<std::shared_ptr<const RocksDbLogData>> RocksDbSourceSelector::FromLog(Clock::time_point deadline) {
  StatusOr<std::shared_ptr<const RocksDbLogData>> log = log_->Collect(deadline);
  if (!log.ok()) return log.status().Prefixed(debug_failure_.message() + "; and the LOG: ");
  if (!debug_failure_.limit()) return log;
  auto noted = std::make_shared<RocksDbLogData>(**log);
  noted->limit_notes.push_back({*debug_failure_.limit(), debug_failure_.message()});
  return std::shared_ptr<const RocksDbLogData>(std::move(noted));
}

void RocksDbSourceSelector::Use(RocksDbSource source, const std::string& why) {
  if (source == in_use_) return;
  in_use_ = source;
  if (log_sink_) {
    log_sink_(source == RocksDbSource::kLog ? LogLevel::kWarn : LogLevel::kInfo,
              why + ": RocksDB statistics from the " + std::string(RocksDbSourceName(source)));
  }
}

}  // namespace tikv_exporter
