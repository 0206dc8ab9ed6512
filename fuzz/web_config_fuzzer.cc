// libFuzzer target: the exporter-toolkit web config loader (--web.config.file), through a real
// file as the exporter reads it: yaml-cpp and our mapping onto [web] must refuse, never crash or
// hang, whatever the bytes.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "exporter/web_config_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/tikv-exporter-web-config-fuzz-" + std::to_string(::getpid()) + ".yml";
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return 0;
  std::fwrite(data, 1, size, file);
  std::fclose(file);
  tikv_exporter::ExporterConfig config;
  (void)tikv_exporter::LoadWebConfigFile(path, &config);
  return 0;
}
