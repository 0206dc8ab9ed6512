#include "common/utf8.h"

#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tikv_exporter {
namespace {

// What a lead byte announces: the sequence length and the range of its second byte (the later
// ones are always 80..BF). The narrowed second-byte ranges are what exclude overlong forms (E0,
// F0), surrogates (ED) and code points above U+10FFFF (F4).
struct Lead {
  uint8_t length;  // 0: never a lead byte (80..C1, F5..FF)
  uint8_t second_min;
  uint8_t second_max;
};

Lead LeadOf(uint8_t byte) {
  if (byte < 0x80) return {1, 0, 0};
  if (byte >= 0xC2 && byte <= 0xDF) return {2, 0x80, 0xBF};
  if (byte == 0xE0) return {3, 0xA0, 0xBF};
  if (byte == 0xED) return {3, 0x80, 0x9F};
  if (byte >= 0xE1 && byte <= 0xEF) return {3, 0x80, 0xBF};
  if (byte == 0xF0) return {4, 0x90, 0xBF};
  if (byte >= 0xF1 && byte <= 0xF3) return {4, 0x80, 0xBF};
  if (byte == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

// The offset of the first byte that is not plain ASCII; label values and names almost always
// are, so this runs 64 bytes per step where SSE2 is (every x86-64; a whole scrape's body is
// checked once per parse, eight bytes at a time it was a thirtieth of the parse), then eight
// before any decoding.
size_t AsciiPrefix(std::string_view text) {
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  size_t i = 0;
#if defined(__SSE2__)
  for (; i + 64 <= text.size(); i += 64) {
    const auto* at = reinterpret_cast<const __m128i*>(text.data() + i);
    const __m128i any = _mm_or_si128(_mm_or_si128(_mm_loadu_si128(at), _mm_loadu_si128(at + 1)),
                                     _mm_or_si128(_mm_loadu_si128(at + 2), _mm_loadu_si128(at + 3)));
    if (_mm_movemask_epi8(any) != 0) break;  // the byte is found by the steps below
  }
#endif
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + i, sizeof(word));
    if ((word & kHighBits) != 0) break;
  }
  while (i < text.size() && static_cast<uint8_t>(text[i]) < 0x80) ++i;
  return i;
}

// The offset of the first ill-formed subpart, or npos.
size_t FirstInvalid(std::string_view text) {
  size_t i = AsciiPrefix(text);
  while (i < text.size()) {
    const Utf8Sequence sequence = NextUtf8Sequence(text.substr(i));
    if (!sequence.valid) return i;
    i += sequence.length;
  }
  return std::string_view::npos;
}

}  // namespace

Utf8Sequence NextUtf8Sequence(std::string_view text) {
  if (text.empty()) return {0, false};
  const Lead lead = LeadOf(static_cast<uint8_t>(text[0]));
  if (lead.length == 0) return {1, false};
  for (size_t n = 1; n < lead.length; ++n) {
    // A missing or out-of-range byte ends the subpart before it: that byte starts the next one.
    if (n >= text.size()) return {n, false};
    const uint8_t byte = static_cast<uint8_t>(text[n]);
    const uint8_t min = n == 1 ? lead.second_min : 0x80;
    const uint8_t max = n == 1 ? lead.second_max : 0xBF;
    if (byte < min || byte > max) return {n, false};
  }
  return {lead.length, true};
}

bool IsValidUtf8(std::string_view text) { return FirstInvalid(text) == std::string_view::npos; }

size_t AsciiPrefixLength(std::string_view text) { return AsciiPrefix(text); }

void AppendValidUtf8(std::string_view text, std::string* out) {
  size_t valid_from = 0;  // the start of the well-formed run not yet appended
  size_t i = AsciiPrefix(text);
  while (i < text.size()) {
    const Utf8Sequence sequence = NextUtf8Sequence(text.substr(i));
    if (!sequence.valid) {
      out->append(text.data() + valid_from, i - valid_from);
      out->append(kReplacementCharacter);
      valid_from = i + sequence.length;
    }
    i += sequence.length;
  }
  out->append(text.data() + valid_from, text.size() - valid_from);
}

bool SanitizeUtf8(std::string* text) {
  if (IsValidUtf8(*text)) return false;
  std::string repaired;
  repaired.reserve(text->size() + 8);
  AppendValidUtf8(*text, &repaired);
  text->swap(repaired);
  return true;
}

std::string ToValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendValidUtf8(text, &out);
  return out;
}

std::string_view ValidUtf8View(std::string_view text, std::string* storage) {
  if (IsValidUtf8(text)) return text;
  *storage = ToValidUtf8(text);
  return *storage;
}

}  // namespace tikv_exporter
