#pragma once

#include <memory>
#include <optional>
#include <string>

#include "collectors/collector.h"
#include "collectors/log_follower.h"
#include "collectors/poll_data.h"
#include "collectors/rocksdb_log_reader.h"

namespace tikv_exporter {

// Follows the kv RocksDB's info log ([collectors.rocksdb] log_path: <data-dir>/rocksdb.info on
// TiKV >= 5.0, <data-dir>/db/LOG before) and keeps its two latest complete stats dumps. A dump
// still being written at poll time is completed on a later poll (once the file stops growing or
// the next record starts). A missing log marks the source down. Owns its follower; one Collect()
// at a time.
class RocksDbCollector : public Collector {
 public:
  RocksDbCollector(std::string log_path, LogFollower::Limits limits);

  std::string_view Name() const override { return "rocksdb"; }
  Status Collect(Clock::time_point deadline, PollData* out) override;

 private:
  LogFollower follower_;
  RocksDbLogReader reader_;
  std::shared_ptr<const RocksDbLogData> data_ = std::make_shared<RocksDbLogData>();
};

}  // namespace tikv_exporter
