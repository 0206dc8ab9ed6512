// libFuzzer target: the TOML config loader (through a real file, as the exporter reads it).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "exporter/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/tikv-exporter-config-fuzz-" + std::to_string(::getpid()) + ".toml";
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return 0;
  std::fwrite(data, 1, size, file);
  std::fclose(file);
  (void)tikv_exporter::LoadConfig(path);
  return 0;
}
