#include "tools/tikv-sim/hostile_bodies.h"

namespace tikv_exporter::sim {

std::string HostilePdStores(const std::string& shape, size_t count, size_t bytes) {
  if (shape == "empty") return R"({"stores":[{}]})";
  if (shape == "long-address") {
    return R"({"count":1,"stores":[{"store":{"id":1,"state_name":"Up","address":")" +
           std::string(bytes, 'a') +
           R"(","status_address":"tikv-long:20180","version":"8.1.0"},"status":{"region_count":1}}]})";
  }
  if (shape != "many" && shape != "minimal") return "";
  std::string out = R"({"count":)" + std::to_string(count) + R"(,"stores":[)";
  out.reserve(out.size() + count * (shape == "many" ? 340 : 3));
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) out += ',';
    if (shape == "minimal") {
      out += "{}";
      continue;
    }
    const std::string id = std::to_string(i + 1);
    out +=
        R"({"store":{"id":)" + id + R"(,"address":"tikv-)" + id +
        R"(:20160","state_name":"Up","version":"8.1.0",)"
        R"("status_address":"tikv-)" +
        id +
        R"(:20180","last_heartbeat":1735095903000000000},)"
        R"("status":{"capacity":"500GiB","available":"300GiB","used_size":"150GiB","leader_count":100,)"
        R"("leader_score":100,"region_count":300,"region_score":375}})";
  }
  return out + "]}";
}

std::string DeepArraysJson(size_t bytes) {
  return "{\"deep\":" + std::string(bytes / 2, '[') + std::string(bytes / 2, ']') + "}";
}

}  // namespace tikv_exporter::sim
