#include "common/units.h"

#include <charconv>
#include <cstdio>
#include <iterator>
#include <optional>
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

// Splits "12.5GB" or "1.2e3 KiB" into the number and the unit; false without a leading number.
bool SplitNumber(std::string_view text, double* number, std::string_view* unit) {
  size_t end = 0;
  auto numeric = [&](char c) {
    return (c >= '0' && c <= '9') || c == '.' || ((c == 'e' || c == 'E') && end > 0) ||
           ((c == '+' || c == '-') && end > 0 && (text[end - 1] == 'e' || text[end - 1] == 'E'));
  };
  while (end < text.size() && numeric(text[end])) ++end;
  if (end == 0) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, *number);
  if (ec != std::errc() || ptr != text.data() + end) return false;
  *unit = Trim(text.substr(end));
  return true;
}

}  // namespace

std::optional<double> ParseBinarySize(std::string_view text) {
  // 1024-based whatever the spelling: TiKV's config ("512GB"), PD ("311.7GiB", old PD "43 GiB")
  // and RocksDB's LOG ("222.67 KB") all mean powers of 1024.
  constexpr std::pair<std::string_view, int> kUnits[] = {
      {"", 0},   {"B", 0},   {"K", 1},   {"KB", 1},  {"KiB", 1}, {"M", 2},   {"MB", 2},
      {"MiB", 2}, {"G", 3},  {"GB", 3},  {"GiB", 3}, {"T", 4},   {"TB", 4},  {"TiB", 4},
      {"P", 5},   {"PB", 5}, {"PiB", 5}, {"E", 6},   {"EB", 6},  {"EiB", 6}, {"ZiB", 7},
      {"YiB", 8}};
  double number = 0;
  std::string_view unit;
  if (!SplitNumber(Trim(text), &number, &unit)) return std::nullopt;
  for (const auto& [name, power] : kUnits) {
    if (unit == name) return number * std::pow(1024.0, power);
  }
  return std::nullopt;
}

StatusOr<uint64_t> ParseSizeBytes(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  std::optional<double> bytes = ParseBinarySize(text);
  if (!bytes) {
    double number = 0;
    std::string_view unit;
    if (!SplitNumber(Trim(text), &number, &unit)) {
      return Status::InvalidArgument(quoted + " is not a size (expected e.g. \"512GB\", \"128MB\")");
    }
    return Status::InvalidArgument(quoted + " has an unknown size unit \"" + std::string(unit) +
                         "\" (use B, KB, MB, GB, TB or PB)");
  }
  if (*bytes < 0 || *bytes >= 18446744073709551615.0) return Status::InvalidArgument(quoted + " is too large");
  return static_cast<uint64_t>(std::llround(*bytes));
}

StatusOr<double> ParseDurationSeconds(std::string_view text) {
  constexpr std::pair<std::string_view, double> kUnits[] = {
      {"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}};
  const std::string quoted = "\"" + std::string(text) + "\"";
  std::string_view rest = Trim(text);
  if (rest.empty()) return Status::InvalidArgument("empty duration");
  double seconds = 0;
  while (!rest.empty()) {
    double number = 0;
    std::string_view unit;
    if (!SplitNumber(rest, &number, &unit)) {
      return Status::InvalidArgument(quoted + " is not a duration (expected e.g. \"10s\", \"5m\", \"1h30m\")");
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
    if (!known) return Status::InvalidArgument(quoted + " has an unknown duration unit \"" + std::string(name) + "\"");
    rest = unit.substr(unit_length);
  }
  return seconds;
}

namespace {

// Three significant digits (never an exponent), without trailing zeros: 41.2, 512, 1.8, 0.25.
std::string ThreeDigits(double value) {
  const int decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  std::string out = text;
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  return out;
}

}  // namespace

std::string FormatBytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  size_t unit = 0;
  double value = bytes < 0 ? 0 : bytes;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return ThreeDigits(value) + " " + kUnits[unit];
}

std::string FormatSeconds(double seconds) {
  if (seconds < 1) return ThreeDigits(seconds * 1000) + " ms";
  if (seconds < 120) return ThreeDigits(seconds) + " s";
  if (seconds < 7200) return ThreeDigits(seconds / 60) + " min";
  return ThreeDigits(seconds / 3600) + " h";
}

}  // namespace tikv_exporter
