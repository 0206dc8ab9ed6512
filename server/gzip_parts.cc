#include "server/gzip_parts.h"

#include <zlib.h>

namespace tikv_exporter {
namespace {

void AppendLittleEndian32(uint32_t value, std::string& out) {
  for (int shift = 0; shift < 32; shift += 8) out += static_cast<char>((value >> shift) & 0xff);
}

}  // namespace

std::optional<DeflatedPart> DeflatePart(std::string_view text, bool final) {
  z_stream stream{};
  // windowBits -15: raw deflate, without zlib's or gzip's wrapper (JoinGzip writes gzip's).
  if (deflateInit2(&stream, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return std::nullopt;
  DeflatedPart part;
  // The bound covers a finished stream; a sync flush adds an empty stored block (5 bytes).
  part.bytes.resize(deflateBound(&stream, text.size()) + 16);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(part.bytes.data());
  stream.avail_out = static_cast<uInt>(part.bytes.size());
  const int result = deflate(&stream, final ? Z_FINISH : Z_SYNC_FLUSH);
  const bool done = final ? result == Z_STREAM_END : result == Z_OK && stream.avail_in == 0 && stream.avail_out > 0;
  part.bytes.resize(stream.total_out);
  deflateEnd(&stream);
  if (!done) return std::nullopt;
  part.crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size())));
  part.size = text.size();
  return part;
}

std::string JoinGzip(std::initializer_list<const DeflatedPart*> parts) {
  // ID1 ID2, deflate, no flags, no time, no extra flags, unknown OS.
  static constexpr char kHeader[] = {'\x1f', '\x8b', '\x08', 0, 0, 0, 0, 0, 0, '\xff'};
  std::string out(kHeader, sizeof kHeader);
  uLong crc = crc32(0, nullptr, 0);
  size_t size = 0;
  for (const DeflatedPart* part : parts) {
    out += part->bytes;
    crc = crc32_combine(crc, part->crc, static_cast<z_off_t>(part->size));
    size += part->size;
  }
  AppendLittleEndian32(static_cast<uint32_t>(crc), out);
  AppendLittleEndian32(static_cast<uint32_t>(size), out);  // ISIZE: the size modulo 2^32
  return out;
}

std::string Gzip(std::string_view text) {
  const std::optional<DeflatedPart> whole = DeflatePart(text, /*final=*/true);
  return whole ? JoinGzip({&*whole}) : std::string();
}

}  // namespace tikv_exporter
