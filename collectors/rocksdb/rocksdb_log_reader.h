#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/rocksdb/rocksdb_stats.h"

namespace tikv_exporter {

// Reads a RocksDB info log line by line and assembles its periodic stats dumps. Understands the
// three record formats TiKV deployments produce:
//   plain RocksDB LOG   "2026/11/24-00:12:20.808728 11859 [db/db_impl/db_impl.cc:1105] msg"
//   TiKV rocksdb.info   "[2024/05/01 10:00:00.123 +08:00][7][INFO] [/db_impl/db_impl.cc:1140] msg"
//   TiKV log.format=json {"time":"...","level":"INFO","message":"msg"}
// Continuation lines of a multi-line record carry no prefix. A dump is the
// "------- DUMPING STATS -------" record, the record after it (DB and CF stats, "cfstats") and an
// optional "STATISTICS:" record, all from the marker's thread (records of other threads in between
// are skipped). Loggers write each record whole, so a record is complete once any record starts
// after it. The dump is complete when its STATISTICS record is, when the marker thread's next
// other record starts, or at the end of the data once its cfstats record is complete (RocksDB
// with statistics off prints no STATISTICS); when the previous dump had no STATISTICS, already
// when its cfstats record is. Not thread-safe.
class RocksDbLogReader {
 public:
  // Feeds complete lines (without '\n').
  void AddLine(std::string_view line);
  // Called when no more data is available for now: completes a dump whose cfstats or STATISTICS
  // record is complete.
  void EndOfData();
  // Forgets a half-read dump (after truncation or rotation).
  void Reset();
  // Also hands each completed dump's text (its lines without prefixes, '\n'-separated, the
  // tickers after a "STATISTICS:" line) to `sink`: the simulator serves these texts as TiKV's
  // debug service would.
  void OnDumpText(std::function<void(std::string_view)> sink) { on_dump_text_ = std::move(sink); }

  // The dumps completed since the last call, oldest first: at most the two latest (enough for
  // rates between consecutive dumps, however much backlog one read held).
  std::vector<RocksDbStats> TakeDumps();

  size_t stall_warnings() const { return stall_warnings_; }    // "Stalling writes because ..."
  size_t stop_warnings() const { return stop_warnings_; }      // "Stopping writes because ..."
  size_t dumps_completed() const { return dumps_completed_; }
  // Lines that start a record of a known format: 0 after many bytes means "not a RocksDB log".
  size_t records_recognised() const { return records_recognised_; }

 private:
  void Record(std::string_view thread, std::string_view message);
  // Handles a record that starts while a dump is being collected; false when it does not belong
  // to the dump (which may be complete now).
  bool TakeIntoDump(std::string_view thread, std::string_view message);
  void Continuation(std::string_view line);
  void Complete();

  // A dump's text is bounded: anything larger is not a stats dump.
  static constexpr size_t kMaxDumpBytes = 16 << 20;

  bool collecting_ = false;
  bool in_dump_record_ = false;  // continuation lines belong to the dump
  std::string dump_thread_;      // the thread that logs the dump ("" when unknown)
  bool cfstats_seen_ = false;      // the record after the marker started
  bool cfstats_complete_ = false;  // ... and a record started after it
  bool statistics_seen_ = false;
  bool expect_statistics_ = true;  // whether the previous dump had a STATISTICS record
  std::string dump_text_;  // the dump's lines, '\n'-separated
  std::vector<RocksDbStats> completed_;
  std::function<void(std::string_view)> on_dump_text_;
  size_t stall_warnings_ = 0;
  size_t stop_warnings_ = 0;
  size_t dumps_completed_ = 0;
  size_t records_recognised_ = 0;
};

}  // namespace tikv_exporter
