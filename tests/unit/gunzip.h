#pragma once

#include <zlib.h>

#include <optional>
#include <string>
#include <string_view>

namespace tikv_exporter::testing {

// The text of a gzip body with exactly one member, checked by zlib (CRC-32 and size in the
// trailer); nullopt when it is not that (a second member or trailing bytes included).
inline std::optional<std::string> GunzipOneMember(std::string_view gzipped) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return std::nullopt;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzipped.data()));
  stream.avail_in = static_cast<uInt>(gzipped.size());
  std::string text;
  char buffer[16384];
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    result = inflate(&stream, Z_NO_FLUSH);
    text.append(buffer, sizeof buffer - stream.avail_out);
  }
  const bool whole = result == Z_STREAM_END && stream.avail_in == 0;
  inflateEnd(&stream);
  if (!whole) return std::nullopt;
  return text;
}

}  // namespace tikv_exporter::testing
