#pragma once

#include <memory>

#include "collectors/collector.h"
#include "collectors/log_sink.h"
#include "collectors/rocksdb/debug_service_collector.h"
#include "collectors/rocksdb/rocksdb_collector.h"

namespace tikv_exporter {

// [collectors.rocksdb] source = "auto": TiKV's debug service when it answers, else the info LOG.
// While the debug service answers, the LOG is not read. When its call fails, this poll and the
// polls until its next call (one interval_ms later) read the LOG; the call that answers again
// switches back. A call gets at most half of the time left in the poll, so a hung debug service
// leaves the other half to the LOG. Each switch is logged once. The data of the two never mix:
// rates come from two dumps of the source in use. A bound the debug service hit while the LOG
// answered is noted (counted and logged like any bound). One Collect() at a time.
class RocksDbSourceSelector : public SourceCollector<RocksDbLogData> {
 public:
  RocksDbSourceSelector(std::unique_ptr<DebugServiceCollector> debug_service, std::unique_ptr<RocksDbCollector> log,
                        LogSink log_sink);

  Source source() const override { return Source::kRocksDb; }
  StatusOr<std::shared_ptr<const RocksDbLogData>> Collect(Clock::time_point deadline) override;

 private:
  // The LOG's data, with the debug service's failure in its error or, for a bound, its notes.
  StatusOr<std::shared_ptr<const RocksDbLogData>> FromLog(Clock::time_point deadline);
  void Use(RocksDbSource source, const std::string& why);

  const std::unique_ptr<DebugServiceCollector> debug_service_;
  const std::unique_ptr<RocksDbCollector> log_;
  const LogSink log_sink_;
  RocksDbSource in_use_ = RocksDbSource::kAuto;  // none chosen yet
  Status debug_failure_ = Status::Ok();           // the debug service's last failure, while on the LOG
};

}  // namespace tikv_exporter
