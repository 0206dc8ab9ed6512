#include "collectors/json_repair.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "common/utf8.h"

namespace tikv_exporter {
namespace {

constexpr size_t kEscapeLength = 6;  // \uXXXX

// The code unit of a \uXXXX escape at the front of `text`, if there is one.
std::optional<uint32_t> UnicodeEscapeAt(std::string_view text) {
  if (text.size() < kEscapeLength || text[0] != '\\' || text[1] != 'u') return std::nullopt;
  uint32_t unit = 0;
  for (size_t i = 2; i < kEscapeLength; ++i) {
    const char c = text[i];
    uint32_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
    unit = unit * 16 + digit;
  }
  return unit;
}

bool IsHighSurrogate(uint32_t unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
bool IsLowSurrogate(uint32_t unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

// Copies the body, replacing what protobuf would reject, and copies nothing until the first
// replacement.
class Repairer {
 public:
  Repairer(std::string_view json, std::string* storage) : json_(json), out_(storage) {}

  std::string_view Run() {
    size_t i = 0;
    while (i < json_.size()) {
      const unsigned char c = static_cast<unsigned char>(json_[i]);
      if (c == '\\') {
        i = AfterEscape(i);
      } else if (c < 0x80) {
        ++i;
      } else {
        const Utf8Sequence sequence = NextUtf8Sequence(json_.substr(i));
        if (!sequence.valid) Replace(i, sequence.length, kReplacementCharacter);
        i += sequence.length;
      }
    }
    if (!repaired_) return json_;
    out_->append(json_.substr(kept_until_));
    return *out_;
  }

 private:
  // A backslash outside a string is a syntax error the parser reports anyway; inside one it starts
  // an escape, which is skipped whole so that "\\" never looks like the start of another escape.
  size_t AfterEscape(size_t i) {
    const std::optional<uint32_t> unit = UnicodeEscapeAt(json_.substr(i));
    if (!unit) return std::min(i + 2, json_.size());
    if (IsHighSurrogate(*unit)) {
      const std::optional<uint32_t> next = UnicodeEscapeAt(json_.substr(i + kEscapeLength));
      if (next && IsLowSurrogate(*next)) return i + 2 * kEscapeLength;
    }
    if (IsHighSurrogate(*unit) || IsLowSurrogate(*unit)) Replace(i, kEscapeLength, "\\ufffd");
    return i + kEscapeLength;
  }

  void Replace(size_t at, size_t length, std::string_view with) {
    if (!repaired_) {
      out_->clear();
      out_->reserve(json_.size() + 16);
      repaired_ = true;
    }
    out_->append(json_.substr(kept_until_, at - kept_until_));
    out_->append(with);
    kept_until_ = at + length;
  }

  std::string_view json_;
  std::string* out_;
  bool repaired_ = false;
  size_t kept_until_ = 0;  // json_ before this offset is in *out_ already
};

}  // namespace

std::string_view RepairJsonUtf8(std::string_view json, std::string* storage) {
  return Repairer(json, storage).Run();
}

}  // namespace tikv_exporter
