// libFuzzer target: every decoder of PD's HTTP JSON bodies.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/pd/pd_json.h"
#include "common/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  (void)tikv_exporter::ParsePdStores(json);
  (void)tikv_exporter::ParsePdMembers(json);
  (void)tikv_exporter::ParsePdHealth(json);
  (void)tikv_exporter::ParsePdHotspot(json);
  (void)tikv_exporter::ParsePdLeader(json);
  (void)tikv_exporter::ParsePdClusterId(json);
  // Decoded strings and errors quoting the body alike must be UTF-8.
  auto version = tikv_exporter::ParsePdVersion(json);
  const std::string text = version.ok() ? *version : version.status().message();
  if (!tikv_exporter::IsValidUtf8(text)) __builtin_trap();
  (void)tikv_exporter::ParsePdSize(json);
  tikv_exporter::PdRegionData config;
  (void)tikv_exporter::ParsePdConfig(json, &config);
  return 0;
}
