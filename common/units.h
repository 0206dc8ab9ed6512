#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tikv_exporter {

// Parses a size the way TiKV's ReadableSize does: a number (decimals allowed) and a binary unit,
// B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB or P/PB/PiB, case as written ("10GB" = 10 GiB).
// A size with a 1024-based unit, written any way TiKV, PD or RocksDB write one ("512GB", "128M",
// "311.7GiB", "43 GiB", "222.67 KB", a bare number of bytes); nullopt when it is none of these.
// The one size parser: the config, PD's JSON and the RocksDB LOG all use it.
std::optional<double> ParseBinarySize(std::string_view text);

StatusOr<uint64_t> ParseSizeBytes(std::string_view text);

// Parses a duration the way TiKV's ReadableDuration does ("10m", "1h30m", "500ms", "2d").
StatusOr<double> ParseDurationSeconds(std::string_view text);

// For reasons written to people: bytes with a binary unit and three significant digits
// ("41.2 GiB", "512 MiB", "0 B"), and a duration in the unit that reads best ("250 ms",
// "1.8 s", "20 min", "48 h").
std::string FormatBytes(double bytes);
std::string FormatSeconds(double seconds);

}  // namespace tikv_exporter
