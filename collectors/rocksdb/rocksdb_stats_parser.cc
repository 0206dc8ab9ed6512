#include "collectors/rocksdb/rocksdb_stats_parser.h"

#include <charconv>
#include <cmath>
#include <optional>
#include <string>

#include "common/units.h"

namespace tikv_exporter {
namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) tokens.push_back(s.substr(start, i - start));
  }
  return tokens;
}

std::optional<double> Number(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "0.00 KB", "222.67 KB", "1.2 GB" (BytesToHumanString, 1024-based).
std::optional<double> HumanBytes(std::string_view number, std::string_view unit) {
  if (!Number(number)) return std::nullopt;
  return ParseBinarySize(std::string(number) + std::string(unit));
}

// The number right before `marker` in `line`: ("40K writes, 40K keys", " keys") -> 40000.
std::optional<double> CountBefore(std::string_view line, std::string_view marker) {
  size_t at = line.find(marker);
  if (at == std::string_view::npos) return std::nullopt;
  size_t start = line.rfind(' ', at == 0 ? 0 : at - 1);
  start = start == std::string_view::npos ? 0 : start + 1;
  std::string_view token = line.substr(start, at - start);
  if (token.empty()) return std::nullopt;
  return ParseRocksDbCount(token);
}

// The float after `marker`: ("written: 0.01 GB", "written: ") -> 0.01.
std::optional<double> FloatAfter(std::string_view line, std::string_view marker) {
  size_t at = line.find(marker);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = line.substr(at + marker.size());
  size_t end = 0;
  while (end < rest.size() && rest[end] != ' ' && rest[end] != ',') ++end;
  return Number(rest.substr(0, end));
}

// "00:00:0.025 H:M:S" -> 0.025 s.
std::optional<double> HoursMinutesSeconds(std::string_view text) {
  size_t first = text.find(':');
  size_t second = first == std::string_view::npos ? first : text.find(':', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  auto h = Number(text.substr(0, first));
  auto m = Number(text.substr(first + 1, second - first - 1));
  size_t end = text.find(' ', second);
  auto s = Number(text.substr(second + 1, end == std::string_view::npos ? std::string_view::npos : end - second - 1));
  if (!h || !m || !s) return std::nullopt;
  return *h * 3600 + *m * 60 + *s;
}

std::string Underscored(std::string_view text) {
  std::string out(Trim(text));
  for (char& c : out) {
    if (c == ' ' || c == '-') c = '_';
  }
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// "a,b,c" -> {"a", "b", "c"}, each trimmed.
std::vector<std::string_view> SplitOn(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const size_t at = s.find(separator);
    parts.push_back(Trim(s.substr(0, at)));
    if (at == std::string_view::npos) return parts;
    s = s.substr(at + 1);
  }
}

constexpr size_t kMaxBlockCaches = 8;
constexpr size_t kMaxCacheRoles = 32;

class StatsParser {
 public:
  RocksDbStats Run(const std::vector<std::string_view>& lines) {
    for (std::string_view raw : lines) Line(Trim(raw));
    return std::move(stats_);
  }

 private:
  enum class Section { kNone, kDb, kLevelTable, kPriorityTable, kCf, kReadHistograms, kStatistics };

  void Line(std::string_view line) {
    if (line.empty()) {
      if (section_ == Section::kLevelTable || section_ == Section::kPriorityTable) section_ = Section::kCf;
      return;
    }
    if (line == "** DB Stats **") {
      section_ = Section::kDb;
      return;
    }
    if (StartsWith(line, "** Compaction Stats [")) {
      size_t end = line.find("] **");
      cf_ = std::string(line.substr(21, end == std::string_view::npos ? 0 : end - 21));
      section_ = Section::kCf;
      expect_header_ = true;
      return;
    }
    if (StartsWith(line, "** File Read Latency Histogram By Level")) {
      section_ = Section::kReadHistograms;
      return;
    }
    if (line == "STATISTICS:") {
      section_ = Section::kStatistics;
      return;
    }
    // A LOG dump heads the tickers with "STATISTICS:"; TiKV's GetMetrics prints them right after
    // the DB stats. Their grammar alone tells them apart, in either text.
    if (StartsWith(line, "rocksdb.") && Statistic(line)) {
      section_ = Section::kStatistics;
      return;
    }
    if (expect_header_) {
      expect_header_ = false;
      if (StartsWith(line, "Level")) {
        header_ = Split(line);
        section_ = Section::kLevelTable;
        // RocksDB 6.x may print a column family's table twice in one dump: the later one stands,
        // so that no series is exported twice.
        stats_.levels[cf_].clear();
        return;
      }
      if (StartsWith(line, "Priority")) {
        header_ = Split(line);
        section_ = Section::kPriorityTable;
        return;
      }
    }
    if (line.find_first_not_of('-') == std::string_view::npos) return;  // the table rule
    if (section_ == Section::kPriorityTable && !IsTableRow(line)) {
      // RocksDB 6.x prints no blank line after the priority table (empty or not): the CF's lines
      // follow its rows directly.
      section_ = Section::kCf;
    }
    if (section_ == Section::kLevelTable) {
      if (LevelRow(line)) return;
    } else if (section_ == Section::kPriorityTable) {
      return;  // per-priority rows repeat the level totals
    } else if (section_ == Section::kReadHistograms) {
      return;  // per-level read latency: not exported
    }
    if (Known(line)) return;
    ++stats_.unknown_lines;
  }

  bool Known(std::string_view line) {
    if (StartsWith(line, "Uptime(secs):")) {
      if (section_ == Section::kDb) stats_.db.uptime_seconds = FloatAfter(line, "Uptime(secs): ");
      return true;
    }
    if (StartsWith(line, "Cumulative writes:")) {
      stats_.db.writes = CountBefore(line, " writes,");
      stats_.db.keys_written = CountBefore(line, " keys,");
      return true;
    }
    if (StartsWith(line, "Cumulative WAL:")) {
      stats_.db.wal_writes = CountBefore(line, " writes,");
      stats_.db.wal_syncs = CountBefore(line, " syncs,");
      if (auto gb = FloatAfter(line, "written: ")) stats_.db.wal_bytes = *gb * kGiB;
      return true;
    }
    if (StartsWith(line, "Cumulative stall:")) {
      stats_.db.stall_seconds = HoursMinutesSeconds(Trim(line.substr(17)));
      size_t comma = line.rfind(", ");
      if (comma != std::string_view::npos) stats_.db.stall_percent = FloatAfter(line.substr(comma), ", ");
      return true;
    }
    if (StartsWith(line, "Stalls(count):")) {
      // "0 level0_slowdown, ..., 0 stop for pending_compaction_bytes, ..., interval 0 total count"
      for (std::string_view item : SplitOn(line.substr(14), ',')) {
        size_t space = item.find(' ');
        if (space == std::string_view::npos) continue;
        std::optional<double> count = Number(item.substr(0, space));
        if (count) stats_.write_stalls[cf_][Underscored(item.substr(space + 1))] = *count;
      }
      return true;
    }
    if (StartsWith(line, "Write Stall (count):")) {
      // "name: N, name: N" — DB-wide in the DB section (cf ""), per CF otherwise.
      const std::string cf = section_ == Section::kDb ? "" : cf_;
      for (std::string_view item : SplitOn(line.substr(20), ',')) {
        size_t colon = item.rfind(':');
        if (colon == std::string_view::npos) continue;
        if (auto count = Number(Trim(item.substr(colon + 1)))) {
          stats_.write_stalls[cf][Underscored(item.substr(0, colon))] = *count;
        }
      }
      return true;
    }
    if (StartsWith(line, "Block cache entry stats(count,size,portion):")) {
      if (cache_ != nullptr) CacheEntries(line.substr(44), cache_);
      return true;
    }
    if (StartsWith(line, "Block cache ")) {
      CacheLine(line.substr(12));
      return true;
    }
    if (StartsWith(line, "Estimated pending compaction bytes:")) {
      if (auto bytes = Number(Trim(line.substr(35)))) stats_.pending_compaction_bytes[cf_] = *bytes;
      return true;
    }
    constexpr std::string_view kSkipped[] = {"Interval writes:", "Interval WAL:", "Interval stall:",
                                             "Flush(GB):", "AddFile(", "Cumulative compaction:",
                                             "Interval compaction:", "Blob file count:",
                                             "** Level ", "Count:", "Min:", "Percentiles:", "[", "("};
    for (std::string_view prefix : kSkipped) {
      if (StartsWith(line, prefix)) return true;
    }
    return false;
  }

  // "LRUCache@0x55a3c46639d0#11841 capacity: 4.00 MB usage: 0.09 KB table_size: 128 ...": the
  // cache the next "entry stats" line describes. Beyond kMaxBlockCaches distinct caches (TiKV has
  // one or two) the rest are not kept, so a hostile dump cannot grow the series.
  void CacheLine(std::string_view rest) {
    const std::string_view name = rest.substr(0, rest.find(' '));
    cache_ = nullptr;
    auto found = stats_.block_caches.find(std::string(name));
    if (found == stats_.block_caches.end()) {
      if (name.empty() || stats_.block_caches.size() >= kMaxBlockCaches) return;
      found = stats_.block_caches.emplace(std::string(name), RocksDbBlockCache{}).first;
    }
    cache_ = &found->second;
    const std::vector<std::string_view> tokens = Split(rest);
    for (size_t i = 0; i + 2 < tokens.size(); ++i) {
      if (tokens[i] == "capacity:") cache_->capacity_bytes = HumanBytes(tokens[i + 1], tokens[i + 2]);
      if (tokens[i] == "usage:") cache_->usage_bytes = HumanBytes(tokens[i + 1], tokens[i + 2]);
    }
  }

  // " DataBlock(12,1.20 MB,30%) Misc(1,0.00 KB,0%)": count and bytes by role. Roles are RocksDB's
  // CacheEntryRole names (about a dozen); at most kMaxCacheRoles are kept.
  static void CacheEntries(std::string_view rest, RocksDbBlockCache* cache) {
    while (true) {
      const size_t open = rest.find('(');
      const size_t close = rest.find(')', open);
      if (open == std::string_view::npos || close == std::string_view::npos) return;
      const std::string_view role = Trim(rest.substr(0, open));
      const std::vector<std::string_view> fields = SplitOn(rest.substr(open + 1, close - open - 1), ',');
      rest = rest.substr(close + 1);
      const bool named = !role.empty() && role.find_first_not_of(
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == std::string_view::npos;
      if (!named || fields.size() != 3) continue;
      const size_t space = fields[1].find(' ');
      const std::optional<double> count = Number(fields[0]);
      const std::optional<double> bytes =
          space == std::string_view::npos ? std::nullopt : HumanBytes(fields[1].substr(0, space), fields[1].substr(space + 1));
      if (!count || !bytes) continue;
      if (!cache->entries.contains(std::string(role)) && cache->entries.size() >= kMaxCacheRoles) continue;
      cache->entries[std::string(role)] = {*count, *bytes};
    }
  }

  // A row of the current table: one token per column, two for the size ("1.69 KB"), and the
  // files as "total/compacting".
  bool IsTableRow(std::string_view line) const {
    std::vector<std::string_view> tokens = Split(line);
    return tokens.size() == header_.size() + 1 && tokens[1].find('/') != std::string_view::npos;
  }

  bool LevelRow(std::string_view line) {
    std::vector<std::string_view> tokens = Split(line);
    size_t size_column = header_.size();
    for (size_t i = 0; i < header_.size(); ++i) {
      if (header_[i] == "Size") size_column = i;
    }
    if (size_column == header_.size() || tokens.size() != header_.size() + 1) return false;
    RocksDbLevelStats row;
    for (size_t i = 0; i < header_.size(); ++i) {
      const std::string_view column = header_[i];
      const std::string_view value = tokens[i > size_column ? i + 1 : i];
      if (column == "Level") {
        row.level = std::string(value);
      } else if (column == "Files") {
        size_t slash = value.find('/');
        row.files = Number(value.substr(0, slash)).value_or(0);
        if (slash != std::string_view::npos) row.files_compacting = Number(value.substr(slash + 1)).value_or(0);
      } else if (column == "Size") {
        std::optional<double> bytes = HumanBytes(value, tokens[i + 1]);
        if (!bytes) return false;
        row.size_bytes = *bytes;
      } else if (column == "Score") {
        row.score = Number(value);
      } else if (column == "Read(GB)") {
        if (auto gb = Number(value)) row.read_bytes = *gb * kGiB;
      } else if (column == "Write(GB)") {
        if (auto gb = Number(value)) row.write_bytes = *gb * kGiB;
      } else if (column == "W-Amp") {
        row.write_amplification = Number(value);
      } else if (column == "Comp(sec)") {
        row.compaction_seconds = Number(value);
      } else if (column == "Comp(cnt)") {
        row.compactions = Number(value);
      } else if (column == "KeyIn") {
        row.keys_in = ParseRocksDbCount(value);
      } else if (column == "KeyDrop") {
        row.keys_dropped = ParseRocksDbCount(value);
      }
    }
    stats_.levels[cf_].push_back(std::move(row));
    return true;
  }

  // "rocksdb.x COUNT : N" or "rocksdb.y P50 : a P95 : b P99 : c P100 : d COUNT : n SUM : s".
  bool Statistic(std::string_view line) {
    std::vector<std::string_view> tokens = Split(line);
    if (tokens.size() == 4 && tokens[1] == "COUNT" && tokens[2] == ":") {
      std::optional<double> count = Number(tokens[3]);
      if (!count) return false;
      stats_.tickers[std::string(tokens[0])] = *count;
      return true;
    }
    RocksDbHistogram histogram;
    int seen = 0;
    for (size_t i = 1; i + 2 < tokens.size(); i += 3) {
      if (tokens[i + 1] != ":") return false;
      std::optional<double> value = Number(tokens[i + 2]);
      if (!value) return false;
      const std::string_view key = tokens[i];
      double* target = key == "P50"     ? &histogram.p50
                       : key == "P95"   ? &histogram.p95
                       : key == "P99"   ? &histogram.p99
                       : key == "P100"  ? &histogram.p100
                       : key == "COUNT" ? &histogram.count
                       : key == "SUM"   ? &histogram.sum
                                        : nullptr;
      if (target != nullptr) {
        *target = *value;
        ++seen;
      }
    }
    if (seen < 6) return false;
    stats_.histograms[std::string(tokens[0])] = histogram;
    return true;
  }

  RocksDbStats stats_;
  Section section_ = Section::kNone;
  std::string cf_;
  RocksDbBlockCache* cache_ = nullptr;  // the cache the last "Block cache" line named (map nodes stay put)
  bool expect_header_ = false;
  std::vector<std::string_view> header_;
};

}  // namespace

double ParseRocksDbCount(std::string_view text) {
  double multiplier = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'K':
        multiplier = 1e3;
        break;
      case 'M':
        multiplier = 1e6;
        break;
      case 'G':
        multiplier = 1e9;
        break;
      default:
        break;
    }
    if (multiplier != 1) text.remove_suffix(1);
  }
  return Number(text).value_or(0) * multiplier;
}

RocksDbStats ParseRocksDbStats(const std::vector<std::string_view>& lines) {
  return StatsParser().Run(lines);
}

bool HasRocksDbStatsSections(std::string_view text) {
  return text.find("** DB Stats **") != std::string_view::npos ||
         text.find("** Compaction Stats [") != std::string_view::npos;
}

RocksDbStats ParseRocksDbStatsText(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return ParseRocksDbStats(lines);
}

}  // namespace tikv_exporter
