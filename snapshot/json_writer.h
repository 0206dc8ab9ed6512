#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tikv_exporter {

// A minimal streaming JSON writer: objects, arrays, strings, numbers, booleans. It places commas itself;
// the caller keeps Begin/End balanced. Non-finite numbers become null; keys and strings come out
// as valid UTF-8 (ill-formed sequences become U+FFFD) with control characters escaped, whatever
// they hold. Not thread-safe.
class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Number(double value);
  JsonWriter& Integer(int64_t value);
  JsonWriter& Bool(bool value);

  // Writes "key": value only when `value` is present (absent fields are left out, not 0).
  JsonWriter& OptionalNumber(std::string_view key, const std::optional<double>& value);

  const std::string& str() const { return out_; }

 private:
  void Separate();
  void Escaped(std::string_view text);

  std::string out_;
  bool need_comma_ = false;
};

}  // namespace tikv_exporter
