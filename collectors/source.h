#pragma once

#include "common/enum_names.h"

namespace tikv_exporter {

// The upstream sources, one per collector: the `source` label of tikv_exporter_up, the
// `collector` label of the collector series and the keys of the snapshot's `sources`.
enum class Source { kTikv, kPd, kRocksDb };
inline constexpr EnumName<Source> kSourceNames[] = {
    {Source::kTikv, "tikv"}, {Source::kPd, "pd"}, {Source::kRocksDb, "rocksdb"}};

inline constexpr std::string_view SourceName(Source source) { return NameOf(kSourceNames, source); }

}  // namespace tikv_exporter
