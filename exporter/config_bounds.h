#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tikv_exporter {

// What a config file may hold (docs/operations.md). LoadConfig() checks the text against these
// before the TOML library sees it: toml11 parses nested arrays and inline tables recursively (a
// few thousand `[` overflow the stack) and spends time per value proportional to the length of
// its line, so unbounded input could crash the process or stall a reload for minutes.
struct ConfigBounds {
  static constexpr size_t kMaxFileBytes = 256 * 1024;
  static constexpr size_t kMaxLineBytes = 8 * 1024;
  static constexpr size_t kMaxStringBytes = 4096;   // one string (or quoted key)
  static constexpr int kMaxNesting = 16;            // arrays and inline tables open at once
  static constexpr int kMaxKeyParts = 8;            // parts of one dotted key or [table.header]
  static constexpr size_t kMaxArrayElements = 1000; // elements of one array
  static constexpr size_t kMaxValues = 10000;       // key parts, table headers and array elements
  // The length of the line each key, array element and escape sequence is on, summed over the
  // file: toml11 reads a value's whole line for its location, so many values on long lines are
  // quadratic (a 7 KB line of 1,000 strings takes a second under the sanitizers).
  static constexpr size_t kMaxLineWork = 1 << 20;
};

// Checks a config file's text against ConfigBounds, before the TOML library parses it: a small
// lexer that follows strings, comments, keys, table headers, arrays and inline tables closely
// enough to count them (brackets in strings and comments do not count), and leaves every syntax
// error to the parser. The first bound crossed is the error, as "path:line:column: ...".
Status CheckConfigBounds(std::string_view text, const std::string& path);

}  // namespace tikv_exporter
