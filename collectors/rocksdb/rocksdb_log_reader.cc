#include "collectors/rocksdb/rocksdb_log_reader.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "collectors/rocksdb/rocksdb_stats_parser.h"

namespace tikv_exporter {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Checks `text` against a shape where 'd' is a digit and every other character must match.
bool Matches(std::string_view text, std::string_view shape) {
  if (text.size() < shape.size()) return false;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 'd' ? !IsDigit(text[i]) : text[i] != shape[i]) return false;
  }
  return true;
}

// Drops "[LEVEL] " and "[file.cc:123] " in front of a RocksDB message.
std::string_view DropBrackets(std::string_view rest) {
  for (int i = 0; i < 2 && !rest.empty() && rest.front() == '['; ++i) {
    size_t close = rest.find("] ");
    if (close == std::string_view::npos) {
      if (rest.back() == ']') return {};  // "[file.cc:123]" with an empty message
      break;
    }
    std::string_view inside = rest.substr(1, close - 1);
    const bool level = inside == "WARN" || inside == "ERROR" || inside == "FATAL" || inside == "DEBUG" ||
                       inside == "INFO" || inside == "HEADER";
    const bool source = inside.find(':') != std::string_view::npos && inside.find(' ') == std::string_view::npos;
    if (!level && !source) break;
    rest.remove_prefix(close + 2);
  }
  return rest;
}

struct RecordStart {
  std::string_view thread;  // "" when the format has none
  std::string_view message;
};

// The thread and message of a record's first line, or nullopt for a continuation line.
std::optional<RecordStart> ParseRecordStart(std::string_view line) {
  // Plain RocksDB: "YYYY/MM/DD-HH:MM:SS.uuuuuu <thread> ..."
  if (Matches(line, "dddd/dd/dd-dd:dd:dd.")) {
    size_t space = line.find(' ');
    if (space == std::string_view::npos) return RecordStart{};
    size_t thread_end = line.find(' ', space + 1);
    if (thread_end == std::string_view::npos) return RecordStart{line.substr(space + 1), {}};
    return RecordStart{line.substr(space + 1, thread_end - space - 1), DropBrackets(line.substr(thread_end + 1))};
  }
  // TiKV: "[YYYY/MM/DD HH:MM:SS.mmm +hh:mm][thread][LEVEL] ..."
  if (Matches(line, "[dddd/dd/dd dd:dd:dd.")) {
    size_t time_end = line.find("][");
    size_t thread_end = time_end == std::string_view::npos ? time_end : line.find(']', time_end + 2);
    size_t level_end = line.find("] ");
    if (thread_end == std::string_view::npos || level_end == std::string_view::npos) return RecordStart{};
    return RecordStart{line.substr(time_end + 2, thread_end - time_end - 2), DropBrackets(line.substr(level_end + 2))};
  }
  return std::nullopt;
}

}  // namespace

void RocksDbLogReader::AddLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!line.empty() && line.front() == '{') {
    // TiKV's log.format = "json": one object per record, the message holding its lines.
    google::protobuf::Struct record;
    if (google::protobuf::util::JsonStringToMessage(google::protobuf::StringPiece(line.data(), line.size()),
                                                    &record)
            .ok()) {
      auto message = record.fields().find("message");
      if (message != record.fields().end() && message->second.has_string_value()) {
        const std::string& text = message->second.string_value();
        size_t start = 0;
        bool first = true;
        while (start <= text.size()) {
          size_t end = text.find('\n', start);
          if (end == std::string::npos) end = text.size();
          std::string_view part(text.data() + start, end - start);
          if (first) {
            ++records_recognised_;
            Record({}, DropBrackets(part));
          } else {
            Continuation(part);
          }
          first = false;
          start = end + 1;
        }
        return;
      }
    }
  }
  if (std::optional<RecordStart> start = ParseRecordStart(line)) {
    if (!start->thread.empty()) ++records_recognised_;  // a timestamp alone proves little
    Record(start->thread, start->message);
  } else {
    Continuation(line);
  }
}

void RocksDbLogReader::Record(std::string_view thread, std::string_view message) {
  if (message.find("Stalling writes because") != std::string_view::npos) ++stall_warnings_;
  if (message.find("Stopping writes because") != std::string_view::npos) ++stop_warnings_;
  in_dump_record_ = false;
  if (collecting_ && TakeIntoDump(thread, message)) return;
  if (message.find("------- DUMPING STATS -------") != std::string_view::npos) {
    Reset();
    collecting_ = true;
    dump_thread_ = std::string(thread);
  }
}

bool RocksDbLogReader::TakeIntoDump(std::string_view thread, std::string_view message) {
  cfstats_complete_ = cfstats_seen_;
  if (statistics_seen_) {  // STATISTICS is a dump's last record: whatever starts now ends it
    Complete();
    return false;
  }
  if (!thread.empty() && !dump_thread_.empty() && thread != dump_thread_) {
    // Other threads log between the dump's records: they neither belong to it nor end it —
    // unless this log's dumps come without STATISTICS, so that complete cfstats are all of it.
    if (!cfstats_complete_ || expect_statistics_) return true;
    Complete();
    return false;
  }
  if (message.find("STATISTICS:") != std::string_view::npos) {
    statistics_seen_ = true;
    in_dump_record_ = true;
    dump_text_ += "STATISTICS:\n";
    return true;
  }
  if (!cfstats_seen_) {  // the DB and CF stats record
    cfstats_seen_ = true;
    in_dump_record_ = true;
    Continuation(message);
    return true;
  }
  Complete();
  return false;
}

void RocksDbLogReader::Continuation(std::string_view line) {
  if (!collecting_ || !in_dump_record_) return;
  if (dump_text_.size() + line.size() + 1 > kMaxDumpBytes) {
    Reset();  // not a stats dump: drop it rather than grow
    return;
  }
  dump_text_.append(line);
  dump_text_.push_back('\n');
}

void RocksDbLogReader::Complete() {
  if (on_dump_text_) on_dump_text_(dump_text_);
  if (completed_.size() == 2) completed_.erase(completed_.begin());
  completed_.push_back(ParseRocksDbStatsText(dump_text_));
  ++dumps_completed_;
  expect_statistics_ = statistics_seen_;
  Reset();
}

void RocksDbLogReader::EndOfData() {
  if (collecting_ && (statistics_seen_ || cfstats_complete_)) Complete();
}

void RocksDbLogReader::Reset() {
  collecting_ = false;
  in_dump_record_ = false;
  cfstats_seen_ = false;
  cfstats_complete_ = false;
  statistics_seen_ = false;
  dump_thread_.clear();
  dump_text_.clear();
}

std::vector<RocksDbStats> RocksDbLogReader::TakeDumps() {
  std::vector<RocksDbStats> dumps = std::move(completed_);
  completed_.clear();
  return dumps;
}

}  // namespace tikv_exporter
