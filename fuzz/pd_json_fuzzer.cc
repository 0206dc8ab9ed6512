// libFuzzer target: every decoder of PD's HTTP JSON bodies.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/pd_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  (void)tikv_exporter::ParsePdStores(json);
  (void)tikv_exporter::ParsePdMembers(json);
  (void)tikv_exporter::ParsePdHealth(json);
  (void)tikv_exporter::ParsePdHotspot(json);
  (void)tikv_exporter::ParsePdLeader(json);
  (void)tikv_exporter::ParsePdClusterId(json);
  (void)tikv_exporter::ParsePdVersion(json);
  (void)tikv_exporter::ParsePdSize(json);
  tikv_exporter::PdRegionData config;
  (void)tikv_exporter::ParsePdConfig(json, &config);
  return 0;
}
