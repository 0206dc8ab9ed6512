#include "web/discovery.h"

#include "common/address.h"
#include "snapshot/json_writer.h"

namespace tikv_exporter {

std::string DiscoveryTargetsJson(const PdData& pd, int port_offset) {
  std::string out = "[";
  bool first = true;
  for (const PdStore& store : pd.stores) {
    if (store.state != StoreState::kUp || store.engine != "tikv") continue;
    StatusOr<HostPort> status = ParseHostPort(store.status_address);
    if (!status.ok()) continue;
    const int port = status->port + port_offset;
    if (port < 1 || port > 65535) continue;
    const bool v6 = status->host.find(':') != std::string::npos;
    const std::string target = (v6 ? "[" + status->host + "]" : status->host) + ":" + std::to_string(port);
    JsonWriter group;
    group.BeginObject();
    group.Key("targets").BeginArray().String(target).EndArray();
    group.Key("labels").BeginObject();
    group.Key("__meta_tikv_cluster_id").String(std::to_string(pd.cluster_id));
    group.Key("__meta_tikv_store_id").String(std::to_string(store.id));
    group.Key("__meta_tikv_store_address").String(store.address);
    group.Key("__meta_tikv_status_address").String(store.status_address);
    group.Key("__meta_tikv_version").String(store.version);
    group.EndObject();
    group.EndObject();
    out += (first ? "" : ",") + group.str();
    first = false;
  }
  return out + "]";
}

}  // namespace tikv_exporter
