#pragma once

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace tikv_exporter::sim {

// The whole file at `path` (fixtures, certificates), or nullopt when it cannot be read.
inline std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace tikv_exporter::sim
