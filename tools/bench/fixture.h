#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace tikv_exporter::bench {

// A real captured dump from the shared fixtures ("" when missing).
inline std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(FIXTURES_DIR) + "/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace tikv_exporter::bench
