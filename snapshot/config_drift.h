#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collectors/flat_json.h"

namespace tikv_exporter {

// A setting the node is expected to run with, from [tikv.storage] / [tikv.raftstore] /
// [tikv.rocksdb]: kept as written, plus its numeric value (sizes in bytes, durations in seconds).
struct ExpectedSetting {
  std::string text;
  std::optional<double> number;
  std::string location;  // "file:line" for messages
};

// One declared setting of [tikv.storage] / [tikv.raftstore] / [tikv.rocksdb] against TiKV's
// live /config.
struct SettingDrift {
  std::string section;  // storage, raftstore, rocksdb
  std::string key;      // as declared (snake_case)
  std::string declared;
  std::optional<std::string> live_path;  // where it was found in /config, e.g. storage.reserve-space
  std::optional<std::string> live;
  bool drifted = false;  // meaningful only when `live` is set
};

// Finds each declared key in `live`: `<section>.<kebab-key>`, else the one key of that name
// under the section, else — when every column family has it — the default CF's
// (rocksdb.block_cache_size -> rocksdb.defaultcf.block-cache-size).
// Sizes compare in bytes with TiKV's units ("10GB" = "10GiB"), durations in seconds, numbers as
// numbers, anything else as text.
std::vector<SettingDrift> CompareSettings(
    const std::map<std::string, std::map<std::string, ExpectedSetting>>& expected, const TikvConfig& live);

}  // namespace tikv_exporter
