#include "exporter/config_bounds.h"

#include <vector>

namespace tikv_exporter {
namespace {

// Walks the text once (CheckConfigBounds() in the header). Not thread-safe; one per check.
class ConfigScanner {
 public:
  ConfigScanner(std::string_view text, const std::string& path) : text_(text), path_(path) {}

  Status Scan() {
    while (pos_ < text_.size() && error_.empty()) Step();
    if (error_.empty()) EndLine();
    return error_.empty() ? Status::Ok() : Status::InvalidArgument(error_);
  }

 private:
  enum class String { kNone, kBasic, kLiteral, kMultiBasic, kMultiLiteral };
  struct Open {
    char bracket;             // '[' (array) or '{' (inline table)
    size_t elements = 0;      // arrays: elements so far
    bool expect_element = true;
  };

  void Fail(const std::string& what) {
    if (!error_.empty()) return;
    error_ = path_ + ":" + std::to_string(line_) + ":" + std::to_string(pos_ - line_start_ + 1) + ": " + what;
  }

  bool Starts(std::string_view token) const { return text_.substr(pos_, token.size()) == token; }

  // toml11 reads a value's whole line (for its source location) once or more per value and per
  // escape sequence: many values on long lines are quadratic.
  void EndLine() {
    line_work_ += items_on_line_ * (pos_ - line_start_);
    items_on_line_ = 0;
    if (line_work_ > ConfigBounds::kMaxLineWork) {
      pos_ = line_start_;
      Fail("too many values on long lines (more than " + std::to_string(ConfigBounds::kMaxLineWork / 1024) +
           " KiB of line length summed over keys, array elements and escapes); put long arrays one element per line");
    }
  }

  // Called at a '\n' (pos_ on it).
  void NewLine() {
    EndLine();
    if (!error_.empty()) return;
    ++line_;
    line_start_ = pos_ + 1;
    // Outside arrays and inline tables each line starts with a key or a table header.
    if (open_.empty()) {
      expect_key_ = true;
      key_started_ = false;
      in_header_ = false;
    }
  }

  void CountValue() {
    ++items_on_line_;
    if (++values_ > ConfigBounds::kMaxValues) {
      Fail("more than " + std::to_string(ConfigBounds::kMaxValues) +
           " keys (each part of a dotted key counts), tables and array elements in the file");
    }
  }

  // A value begins: inside an array, that is one more element.
  void ValueStarts() {
    if (open_.empty() || open_.back().bracket != '[' || !open_.back().expect_element) return;
    open_.back().expect_element = false;
    if (++open_.back().elements > ConfigBounds::kMaxArrayElements) {
      Fail("array with more than " + std::to_string(ConfigBounds::kMaxArrayElements) + " elements");
    }
    CountValue();
  }

  // A key, a table header or one more dotted part of either (toml11's cost grows with each).
  void KeyPart() {
    CountValue();
    if (++key_parts_ > ConfigBounds::kMaxKeyParts) {
      Fail("key or table name with more than " + std::to_string(ConfigBounds::kMaxKeyParts) + " dotted parts");
    }
  }

  void StartString() {
    string_bytes_ = 0;
    if (Starts("\"\"\"") || Starts("'''")) {
      string_ = text_[pos_] == '"' ? String::kMultiBasic : String::kMultiLiteral;
      pos_ += 3;
    } else {
      string_ = text_[pos_] == '"' ? String::kBasic : String::kLiteral;
      pos_ += 1;
    }
  }

  void StepInString() {
    const char c = text_[pos_];
    const bool basic = string_ == String::kBasic || string_ == String::kMultiBasic;
    const bool multi = string_ == String::kMultiBasic || string_ == String::kMultiLiteral;
    const char quote = basic ? '"' : '\'';
    if (c == '\n') {
      if (!multi) string_ = String::kNone;  // not valid TOML: toml11 reports it
      NewLine();
      ++pos_;
      return;
    }
    if (basic && c == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] != '\n') {
      pos_ += 2;  // an escaped character; a line-ending backslash is handled as a newline next
      ++items_on_line_;
      string_bytes_ += 2;
    } else if (c == quote && (!multi || Starts(std::string(3, quote)))) {
      // The end. A multi-line string may end with up to two quotes right before its delimiter.
      size_t run = 0;
      while (multi && pos_ < text_.size() && text_[pos_] == quote && run < 5) {
        ++pos_;
        ++run;
      }
      if (!multi) ++pos_;
      string_ = String::kNone;
      return;
    } else {
      ++pos_;
      ++string_bytes_;
    }
    if (string_bytes_ > ConfigBounds::kMaxStringBytes) {
      Fail("string longer than " + std::to_string(ConfigBounds::kMaxStringBytes) + " bytes");
    }
  }

  void Step() {
    if (pos_ - line_start_ >= ConfigBounds::kMaxLineBytes && text_[pos_] != '\n') {
      Fail("line longer than " + std::to_string(ConfigBounds::kMaxLineBytes) + " bytes");
      return;
    }
    if (string_ != String::kNone) {
      StepInString();
      return;
    }
    const char c = text_[pos_];
    if (c == '\n') {
      NewLine();
      ++pos_;
      return;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++pos_;
      return;
    }
    if (c == '#') {  // a comment runs to the end of the line
      while (pos_ < text_.size() && text_[pos_] != '\n' && pos_ - line_start_ < ConfigBounds::kMaxLineBytes) ++pos_;
      return;
    }
    if (in_header_) {
      if (c == ']') {  // the end of [table] or [[array.of.tables]]
        in_header_ = false;
        expect_key_ = false;
        while (pos_ < text_.size() && text_[pos_] == ']') ++pos_;
        return;
      }
      if (c == '.') KeyPart();
      if (c == '"' || c == '\'') {
        StartString();
        return;
      }
      ++pos_;
      return;
    }
    if (expect_key_) {
      if (open_.empty() && !key_started_ && c == '[') {
        in_header_ = true;
        key_parts_ = 0;
        KeyPart();
        while (pos_ < text_.size() && text_[pos_] == '[') ++pos_;
        return;
      }
      if (c == '}' && !key_started_ && !open_.empty() && open_.back().bracket == '{') {  // "{}", or "{a = 1,}"
        open_.pop_back();
        expect_key_ = false;
        ++pos_;
        return;
      }
      if (!key_started_) {
        key_started_ = true;
        key_parts_ = 0;
        KeyPart();
      }
      if (c == '=') {
        expect_key_ = false;
        key_started_ = false;
      } else if (c == '.') {
        KeyPart();
      } else if (c == '"' || c == '\'') {
        StartString();
        return;
      }
      ++pos_;
      return;
    }
    // A value, or the punctuation between values.
    if (c == ',') {
      if (!open_.empty() && open_.back().bracket == '[') open_.back().expect_element = true;
      if (!open_.empty() && open_.back().bracket == '{') expect_key_ = true;
      ++pos_;
      return;
    }
    if (c == ']' || c == '}') {
      if (!open_.empty() && open_.back().bracket == (c == ']' ? '[' : '{')) open_.pop_back();
      ++pos_;
      return;
    }
    ValueStarts();
    if (c == '[' || c == '{') {
      if (open_.size() >= static_cast<size_t>(ConfigBounds::kMaxNesting)) {
        Fail("arrays and inline tables nested more than " + std::to_string(ConfigBounds::kMaxNesting) + " deep");
        return;
      }
      open_.push_back(Open{c});
      if (c == '{') expect_key_ = true;
      ++pos_;
      return;
    }
    if (c == '"' || c == '\'') {
      StartString();
      return;
    }
    ++pos_;  // a number, a boolean or a date
  }

  const std::string_view text_;
  const std::string& path_;
  std::string error_;
  size_t pos_ = 0;
  size_t line_ = 1;
  size_t line_start_ = 0;
  String string_ = String::kNone;
  size_t string_bytes_ = 0;
  bool expect_key_ = true;     // at a key: line start, or after "{" or "," in an inline table
  bool key_started_ = false;   // the key (or header) at hand has begun
  bool in_header_ = false;
  int key_parts_ = 0;
  size_t values_ = 0;
  size_t items_on_line_ = 0;  // keys, array elements and escapes on the current line
  size_t line_work_ = 0;      // their lines' lengths, summed
  std::vector<Open> open_;
};

}  // namespace

Status CheckConfigBounds(std::string_view text, const std::string& path) { return ConfigScanner(text, path).Scan(); }

}  // namespace tikv_exporter
