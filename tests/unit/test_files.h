#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace tikv_exporter::testing {

// Reads a whole file; throws (failing the test) when it is missing.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string Fixture(const std::string& name) { return std::string(FIXTURES_DIR) + "/" + name; }

}  // namespace tikv_exporter::testing
