#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tikv_exporter {

// UTF-8 as Unicode defines it (Table 3-7 "Well-Formed UTF-8 Byte Sequences"): no overlong forms
// (C0 80), no surrogates (ED A0 80 = U+D800), nothing above U+10FFFF (F4 90 80 80), no
// truncated sequence. Prometheus, JSON and protobuf `string` fields all reject anything else, so
// every upstream string that reaches an output passes through here. All functions are pure and
// thread-safe.

// U+FFFD REPLACEMENT CHARACTER, encoded.
inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// The sequence at the front of a non-empty text: a well-formed character of `length` bytes, or
// (valid = false) the maximal ill-formed subpart that one U+FFFD replaces. Replacing per maximal
// subpart is Unicode's recommended practice, as WHATWG decoders and Python's "replace" do:
// "\xE2\x82" (a truncated euro sign) is one U+FFFD, "\xC0\x80" two.
struct Utf8Sequence {
  size_t length = 0;
  bool valid = false;
};
Utf8Sequence NextUtf8Sequence(std::string_view text);

// True when `text` is well-formed UTF-8.
bool IsValidUtf8(std::string_view text);

// The length of `text`'s leading run of ASCII bytes (all of it when it is all ASCII).
size_t AsciiPrefixLength(std::string_view text);

// Appends `text` to `out` with each ill-formed subpart replaced by U+FFFD.
void AppendValidUtf8(std::string_view text, std::string* out);

// Replaces each ill-formed subpart of `*text` with U+FFFD; true when anything was replaced.
bool SanitizeUtf8(std::string* text);

// A well-formed copy of `text`.
std::string ToValidUtf8(std::string_view text);

// `text` itself when well-formed (no copy: the common case), otherwise a repaired copy stored
// in `*storage`. The result is valid while `text` and `*storage` are.
std::string_view ValidUtf8View(std::string_view text, std::string* storage);

}  // namespace tikv_exporter
