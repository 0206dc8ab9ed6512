#include "tools/tikv-sim/sim_rocksdb_dumps.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "collectors/rocksdb/rocksdb_log_reader.h"

namespace tikv_exporter::sim {
namespace {

// Replaces the number that starts at `at` in `text` (digits and dots) with `value`.
void ReplaceNumberAt(std::string* text, size_t at, const std::string& value) {
  size_t end = at;
  while (end < text->size() && (std::isdigit(static_cast<unsigned char>((*text)[end])) || (*text)[end] == '.')) ++end;
  text->replace(at, end - at, value);
}

// "Cumulative stall: 00:00:0.025 H:M:S, 2.5 percent": the H:M:S time plus `micros`.
void AddToCumulativeStall(std::string* dump, double micros) {
  constexpr std::string_view kKey = "Cumulative stall: ";
  const size_t at = dump->find(kKey);
  if (at == std::string::npos) return;
  const size_t start = at + kKey.size();
  const size_t end = dump->find(" H:M:S", start);
  if (end == std::string::npos) return;
  int hours = 0, minutes = 0;
  double seconds = 0;
  if (std::sscanf(dump->substr(start, end - start).c_str(), "%d:%d:%lf", &hours, &minutes, &seconds) != 3) return;
  const double total = hours * 3600.0 + minutes * 60.0 + seconds + micros / 1e6;
  char text[64];
  std::snprintf(text, sizeof text, "%02d:%02d:%.3f", static_cast<int>(total / 3600),
                static_cast<int>(std::fmod(total, 3600) / 60), std::fmod(total, 60));
  dump->replace(start, end - start, text);
}

// Adds `delta` to the integer right after the first `key`.
void AddToCount(std::string* dump, std::string_view key, double delta) {
  const size_t at = dump->find(key);
  if (at == std::string::npos) return;
  const size_t number = at + key.size();
  const double value = std::atof(dump->c_str() + number);
  ReplaceNumberAt(dump, number, std::to_string(static_cast<uint64_t>(value + delta)));
}

}  // namespace

std::vector<std::string> RocksDbDumpTexts(const std::string& log_text) {
  std::vector<std::string> dumps;
  RocksDbLogReader reader;
  reader.OnDumpText([&dumps](std::string_view text) {
    std::string dump(text);
    constexpr std::string_view kStatistics = "STATISTICS:\n";
    if (size_t at = dump.find(kStatistics); at != std::string::npos) dump.erase(at, kStatistics.size());
    dumps.push_back(std::move(dump));
  });
  std::string_view rest = log_text;
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    reader.AddLine(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  reader.EndOfData();
  return dumps;
}

std::string WithWriteStall(std::string dump, double stall_micros) {
  if (stall_micros <= 0) return dump;
  AddToCumulativeStall(&dump, stall_micros);
  AddToCount(&dump, "rocksdb.stall.micros COUNT : ", stall_micros);
  // "Stalls(count): N level0_slowdown, ...": the first cause, one stall per 20 ms stalled.
  AddToCount(&dump, "Stalls(count): ", std::floor(stall_micros / 20000));
  return dump;
}

}  // namespace tikv_exporter::sim
