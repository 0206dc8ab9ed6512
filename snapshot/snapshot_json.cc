#include "snapshot/snapshot_json.h"

#include "snapshot/proto_json.h"
#include "snapshot/snapshot_proto.h"
#include "tikv_exporter.pb.h"  // generated from proto/tikv_exporter.proto

namespace tikv_exporter {

// The JSON is the gRPC message written as JSON: proto/tikv_exporter.proto is the one list of the
// snapshot's fields, and the two forms cannot drift apart.
std::string SnapshotToJson(const Snapshot& snapshot) {
  v1::Snapshot message;
  SnapshotToProto(snapshot, &message);
  return ProtoToJson(message);
}

std::string HealthToJson(const Snapshot& snapshot) {
  v1::Health message;
  HealthToProto(snapshot, &message);
  // The endpoint stands alone, so it says when the verdict was made; inside a snapshot that is
  // the snapshot's own timestamp_ms.
  std::string json = ProtoToJson(message);
  return "{\"timestamp_ms\":" + std::to_string(snapshot.timestamp_ms) + "," + json.substr(1);
}

std::string SnapshotPageToJson(const SnapshotPage& page) {
  size_t bytes = 64;
  for (const auto& json : page.json) bytes += json->size() + 1;
  std::string out;
  out.reserve(bytes);
  out += "{\"snapshots\":[";
  for (size_t i = 0; i < page.json.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += *page.json[i];
  }
  out += "]";
  if (page.next_since) out += ",\"next_since\":" + std::to_string(*page.next_since);
  return out + "}";
}

}  // namespace tikv_exporter
