#pragma once

#include <string>

namespace google::protobuf {
class Descriptor;
class Message;
}

namespace tikv_exporter {

// The JSON form of a protobuf message, walked by reflection, so a message's fields are declared
// once (in its .proto) for gRPC and JSON alike. Field names as declared (snake_case); 64-bit
// integers as JSON numbers (unlike protobuf's own JSON mapping, which quotes them: the public
// JSON has always had numbers); fields with explicit presence (`optional`, messages) only when
// set; maps only when not empty; other scalars always. A message whose one field is a map (the
// wrapper protobuf needs for a map of maps) is written as that map, so JSON nests maps directly.
// Strings are made valid UTF-8 (by JsonWriter).
std::string ProtoToJson(const google::protobuf::Message& message);

// True for such a wrapper message type.
bool IsMapWrapper(const google::protobuf::Descriptor* descriptor);

}  // namespace tikv_exporter
