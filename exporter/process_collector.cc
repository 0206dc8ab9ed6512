#include "exporter/process_collector.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

#include "common/regular_file.h"

namespace tikv_exporter {
namespace {

// /proc/self/stat is one line of ~300 bytes; /proc/self/limits ~1.5 KiB; /proc/stat grows with the
// number of CPUs (a line each) and interrupts, so it gets more room.
constexpr size_t kMaxStatBytes = 4 << 10;
constexpr size_t kMaxLimitsBytes = 16 << 10;
constexpr size_t kMaxSystemStatBytes = 1 << 20;

std::optional<double> ParseNumber(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The whitespace-separated fields of /proc/<pid>/stat after the command name, which is in
// parentheses and may itself hold spaces and ')': fields[0] is field 3 (state) of proc(5).
std::vector<std::string_view> StatFields(std::string_view stat) {
  std::vector<std::string_view> fields;
  const size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return fields;
  stat.remove_prefix(close + 1);
  while (!stat.empty()) {
    const size_t start = stat.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    stat.remove_prefix(start);
    const size_t end = stat.find_first_of(" \n");
    fields.push_back(stat.substr(0, end));
    stat.remove_prefix(end == std::string_view::npos ? stat.size() : end);
  }
  return fields;
}

// Field `number` of proc(5)'s numbering (utime is 14).
std::optional<double> StatField(const std::vector<std::string_view>& fields, size_t number) {
  if (number < 3 || number - 3 >= fields.size()) return std::nullopt;
  return ParseNumber(fields[number - 3]);
}

// "btime 1700000000" of /proc/stat: the boot time in Unix seconds.
std::optional<double> BootTime(std::string_view stat) {
  size_t at = 0;
  while (at < stat.size()) {
    const size_t end = stat.find('\n', at);
    const std::string_view line = stat.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    if (line.starts_with("btime ")) return ParseNumber(line.substr(6));
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return std::nullopt;
}

// The soft limit of "Max open files  1024  524288  files"; "unlimited" has no number to serve.
std::optional<double> MaxOpenFiles(std::string_view limits) {
  constexpr std::string_view kRow = "Max open files";
  const size_t row = limits.find(kRow);
  if (row == std::string_view::npos) return std::nullopt;
  std::string_view rest = limits.substr(row + kRow.size());
  rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
  return ParseNumber(rest.substr(0, rest.find(' ')));
}

// Entries of a directory but "." and ".."; nullopt when it cannot be listed.
std::optional<double> CountEntries(const std::string& path) {
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return std::nullopt;
  double count = 0;
  while (const dirent* entry = readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") ++count;
  }
  closedir(dir);
  return count;
}

void AddSingle(const char* name, const char* help, prometheus::MetricType type, std::optional<double> value,
              std::vector<prometheus::MetricFamily>* families) {
  if (!value) return;
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = *value;
  } else {
    metric.gauge.value = *value;
  }
  family.metric.push_back(metric);
  families->push_back(std::move(family));
}

}  // namespace

ProcessCollector::ProcessCollector(std::string proc_root, long clock_ticks, long page_size)
    : root_(std::move(proc_root)),
      clock_ticks_(clock_ticks > 0 ? clock_ticks : sysconf(_SC_CLK_TCK)),
      page_size_(page_size > 0 ? page_size : sysconf(_SC_PAGESIZE)) {}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> families;
  std::optional<double> cpu, rss, vsize, start;
  if (auto stat = ReadRegularFile(root_ + "/self/stat", kMaxStatBytes); stat.ok() && clock_ticks_ > 0) {
    const std::vector<std::string_view> fields = StatFields(*stat);
    const std::optional<double> utime = StatField(fields, 14), stime = StatField(fields, 15);
    if (utime && stime) cpu = (*utime + *stime) / static_cast<double>(clock_ticks_);
    if (const std::optional<double> pages = StatField(fields, 24)) rss = *pages * static_cast<double>(page_size_);
    vsize = StatField(fields, 23);
    if (const std::optional<double> ticks = StatField(fields, 22)) {
      if (auto system = ReadRegularFile(root_ + "/stat", kMaxSystemStatBytes); system.ok()) {
        if (const std::optional<double> boot = BootTime(*system)) {
          start = *boot + *ticks / static_cast<double>(clock_ticks_);
        }
      }
    }
  }
  AddSingle("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", MetricType::Counter,
           cpu, &families);
  AddSingle("process_open_fds", "Number of open file descriptors.", MetricType::Gauge,
           CountEntries(root_ + "/self/fd"), &families);
  std::optional<double> max_fds;
  if (auto limits = ReadRegularFile(root_ + "/self/limits", kMaxLimitsBytes); limits.ok()) {
    max_fds = MaxOpenFiles(*limits);
  }
  AddSingle("process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge, max_fds, &families);
  AddSingle("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge, vsize, &families);
  AddSingle("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge, rss, &families);
  AddSingle("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
           MetricType::Gauge, start, &families);
  return families;
}

}  // namespace tikv_exporter
