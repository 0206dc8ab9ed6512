#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace tikv_exporter {

// A gzip body joined from parts compressed apart, so that a part that stays the same between
// answers (a poll's series in /metrics) is compressed once. Each part is raw deflate that ends on
// a byte boundary (a sync flush; the final part ends the stream), so the joined parts are one
// deflate stream in one gzip member, which every client reads (not all read a second member).
struct DeflatedPart {
  std::string bytes;  // raw deflate (RFC 1951)
  uint32_t crc = 0;   // CRC-32 of the text
  size_t size = 0;    // bytes of text
};

// `text` deflated as a middle part (`final` false) or the last one; nullopt when zlib fails.
// Level 1: /metrics is mostly repeated names, which even the fastest level shrinks tenfold.
std::optional<DeflatedPart> DeflatePart(std::string_view text, bool final);

// The gzip member (RFC 1952) of `parts` in order; the last must have been deflated as final.
std::string JoinGzip(std::initializer_list<const DeflatedPart*> parts);

// gzip of `text` in one part; empty when zlib fails.
std::string Gzip(std::string_view text);

}  // namespace tikv_exporter
