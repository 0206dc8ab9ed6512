#include "snapshot/config_drift.h"

#include <cmath>

#include "common/units.h"

namespace tikv_exporter {
namespace {

std::string Kebab(std::string key) {
  for (char& c : key) {
    if (c == '_') c = '-';
  }
  return key;
}

// The value as a number when it is one: a plain number, a TiKV size (bytes) or duration (s).
std::optional<double> Numeric(const std::string& text) {
  if (text.empty() || !((text[0] >= '0' && text[0] <= '9') || text[0] == '-' || text[0] == '.')) {
    return std::nullopt;
  }
  if (StatusOr<uint64_t> bytes = ParseSizeBytes(text); bytes.ok()) return static_cast<double>(*bytes);
  if (StatusOr<double> seconds = ParseDurationSeconds(text); seconds.ok()) return *seconds;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (end != nullptr && *end == '\0') return value;
  return std::nullopt;
}

bool SameValue(const ExpectedSetting& declared, const std::string& live) {
  std::optional<double> declared_number = declared.number ? declared.number : Numeric(declared.text);
  std::optional<double> live_number = Numeric(live);
  if (declared_number && live_number) {
    return std::abs(*declared_number - *live_number) <= 1e-9 * std::max(1.0, std::abs(*live_number));
  }
  return declared.text == live;
}

}  // namespace

std::vector<SettingDrift> CompareSettings(
    const std::map<std::string, std::map<std::string, ExpectedSetting>>& expected, const TikvConfig& live) {
  std::vector<SettingDrift> results;
  for (const auto& [section, settings] : expected) {
    for (const auto& [key, setting] : settings) {
      SettingDrift drift{section, key, setting.text, std::nullopt, std::nullopt, false};
      const std::string exact = section + "." + Kebab(key);
      if (auto it = live.find(exact); it != live.end()) {
        drift.live_path = it->first;
      } else {
        const std::string suffix = "." + Kebab(key);
        int matches = 0;
        for (auto candidate = live.lower_bound(section + "."); candidate != live.end() &&
                                                                candidate->first.starts_with(section + ".");
             ++candidate) {
          if (candidate->first.ends_with(suffix)) {
            if (++matches == 1) drift.live_path = candidate->first;
          }
        }
        if (matches > 1) {
          // One per column family: the default CF is the one a bare key means.
          const std::string default_cf = section + ".defaultcf" + suffix;
          drift.live_path.reset();
          if (live.contains(default_cf)) drift.live_path = default_cf;
        }
      }
      if (drift.live_path) {
        drift.live = live.at(*drift.live_path);
        drift.drifted = !SameValue(setting, *drift.live);
      }
      results.push_back(std::move(drift));
    }
  }
  return results;
}

}  // namespace tikv_exporter
