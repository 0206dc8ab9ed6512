#include "common/units.h"

#include <charconv>
#include <cmath>
#include <string>
#include <utility>

namespace tikv_exporter {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Splits "12.5GB" into 12.5 and "GB"; false when there is no leading number.
bool SplitNumber(std::string_view text, double* number, std::string_view* unit) {
  size_t end = 0;
  while (end < text.size() && ((text[end] >= '0' && text[end] <= '9') || text[end] == '.')) ++end;
  if (end == 0) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, *number);
  if (ec != std::errc() || ptr != text.data() + end) return false;
  *unit = Trim(text.substr(end));
  return true;
}

}  // namespace

StatusOr<uint64_t> ParseSizeBytes(std::string_view text) {
  constexpr std::pair<std::string_view, uint64_t> kUnits[] = {
      {"B", 1},          {"", 1},
      {"K", 1ULL << 10}, {"KB", 1ULL << 10}, {"KiB", 1ULL << 10},
      {"M", 1ULL << 20}, {"MB", 1ULL << 20}, {"MiB", 1ULL << 20},
      {"G", 1ULL << 30}, {"GB", 1ULL << 30}, {"GiB", 1ULL << 30},
      {"T", 1ULL << 40}, {"TB", 1ULL << 40}, {"TiB", 1ULL << 40},
      {"P", 1ULL << 50}, {"PB", 1ULL << 50}, {"PiB", 1ULL << 50},
  };
  const std::string quoted = "\"" + std::string(text) + "\"";
  double number = 0;
  std::string_view unit;
  if (!SplitNumber(Trim(text), &number, &unit)) {
    return Status::Error(quoted + " is not a size (expected e.g. \"512GB\", \"128MB\")");
  }
  for (const auto& [name, multiplier] : kUnits) {
    if (unit == name) {
      double bytes = number * static_cast<double>(multiplier);
      if (bytes >= 18446744073709551615.0) return Status::Error(quoted + " is too large");
      return static_cast<uint64_t>(std::llround(bytes));
    }
  }
  return Status::Error(quoted + " has an unknown size unit \"" + std::string(unit) +
                       "\" (use B, KB, MB, GB, TB or PB)");
}

StatusOr<double> ParseDurationSeconds(std::string_view text) {
  constexpr std::pair<std::string_view, double> kUnits[] = {
      {"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}};
  const std::string quoted = "\"" + std::string(text) + "\"";
  std::string_view rest = Trim(text);
  if (rest.empty()) return Status::Error("empty duration");
  double seconds = 0;
  while (!rest.empty()) {
    double number = 0;
    std::string_view unit;
    if (!SplitNumber(rest, &number, &unit)) {
      return Status::Error(quoted + " is not a duration (expected e.g. \"10s\", \"5m\", \"1h30m\")");
    }
    size_t unit_length = 0;
    while (unit_length < unit.size() && unit[unit_length] >= 'a' && unit[unit_length] <= 'z') {
      ++unit_length;
    }
    std::string_view name = unit.substr(0, unit_length);
    bool known = false;
    for (const auto& [unit_name, multiplier] : kUnits) {
      if (name == unit_name) {
        seconds += number * multiplier;
        known = true;
      }
    }
    if (!known) return Status::Error(quoted + " has an unknown duration unit \"" + std::string(name) + "\"");
    rest = unit.substr(unit_length);
  }
  return seconds;
}

}  // namespace tikv_exporter
