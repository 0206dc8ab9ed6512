#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "collectors/collector.h"
#include "collectors/rocksdb/log_follower.h"
#include "collectors/rocksdb/rocksdb_log_data.h"
#include "collectors/rocksdb/rocksdb_log_reader.h"

namespace tikv_exporter {

// Follows the kv RocksDB's info log ([collectors.rocksdb] log_path: <data-dir>/rocksdb.info on
// TiKV >= 5.0, <data-dir>/db/LOG before) and keeps its two latest complete stats dumps. A dump
// still being written at poll time is completed on a later poll (once the file stops growing or
// the next record starts). A missing log marks the source down, and so does a file in which no
// line starts a RocksDB record (the wrong file at log_path). Reading stops at the poll's deadline
// (a huge backlog is then read over several polls). Owns its follower; one Collect() at a time.
class RocksDbCollector : public SourceCollector<RocksDbLogData> {
 public:
  // A dump's series beyond `max_series` (the LOG's share of max_series_per_poll,
  // series_share.h) are left out (KeepSeries) and noted as series_per_poll every poll.
  RocksDbCollector(std::string log_path, LogFollower::Limits limits, size_t max_series = SIZE_MAX);

  Source source() const override { return Source::kRocksDb; }
  StatusOr<std::shared_ptr<const RocksDbLogData>> Collect(Clock::time_point deadline) override;
  const std::string& path() const { return follower_.path(); }

 private:
  LogFollower follower_;
  const size_t max_series_;
  RocksDbLogReader reader_;
  // Since the file was first read or last truncated: bytes read and record starts recognised.
  size_t file_bytes_ = 0;
  size_t file_records_ = 0;
  std::shared_ptr<const RocksDbLogData> data_ = std::make_shared<RocksDbLogData>();
};

}  // namespace tikv_exporter
