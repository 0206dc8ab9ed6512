#pragma once

#include "common/enum_names.h"

namespace tikv_exporter {

// Where the RocksDB statistics come from ([collectors.rocksdb] source): TiKV's debug service
// (debugpb.Debug/GetMetrics, fresh at each call) or the info LOG's periodic dumps. `auto` is a
// choice of the config only: the debug service when it answers, else the LOG when a path is set.
// The data and the `source` label of tikv_exporter_rocksdb_source_info name the one in use.
enum class RocksDbSource { kAuto, kDebugService, kLog };
inline constexpr EnumName<RocksDbSource> kRocksDbSourceNames[] = {
    {RocksDbSource::kAuto, "auto"}, {RocksDbSource::kDebugService, "debug_service"}, {RocksDbSource::kLog, "log"}};

inline constexpr std::string_view RocksDbSourceName(RocksDbSource source) { return NameOf(kRocksDbSourceNames, source); }

}  // namespace tikv_exporter
