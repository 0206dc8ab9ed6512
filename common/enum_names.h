#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tikv_exporter {

// One row of an enum's name table: the one place a closed set's spellings are written, so a
// config value, a label or a log line cannot invent a member by a typo.
template <typename E>
struct EnumName {
  E value;
  std::string_view name;
};

template <typename E, size_t N>
constexpr std::string_view NameOf(const EnumName<E> (&table)[N], E value) {
  for (const EnumName<E>& row : table) {
    if (row.value == value) return row.name;
  }
  return "unknown";
}

template <typename E, size_t N>
std::optional<E> ParseEnum(const EnumName<E> (&table)[N], std::string_view name) {
  for (const EnumName<E>& row : table) {
    if (row.name == name) return row.value;
  }
  return std::nullopt;
}

// "a|b|c", for error messages.
template <typename E, size_t N>
std::string EnumNames(const EnumName<E> (&table)[N]) {
  std::string names;
  for (const EnumName<E>& row : table) names += (names.empty() ? "" : "|") + std::string(row.name);
  return names;
}

}  // namespace tikv_exporter
