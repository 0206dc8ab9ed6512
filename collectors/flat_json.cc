#include "collectors/flat_json.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <charconv>

#include "collectors/json_repair.h"
#include "collectors/json_shape.h"
#include "common/utf8.h"

namespace tikv_exporter {
namespace {

// TiKV's and PD's configs are a few hundred keys a few levels deep; deeper nesting is not config.
constexpr int kMaxDepth = 8;
constexpr size_t kMaxKeys = 10000;

void Flatten(const google::protobuf::Struct& object, const std::string& prefix, int depth, FlatJson* out) {
  if (depth > kMaxDepth) return;
  for (const auto& [key, value] : object.fields()) {
    if (out->size() >= kMaxKeys) return;
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    switch (value.kind_case()) {
      case google::protobuf::Value::kStructValue:
        Flatten(value.struct_value(), path, depth + 1, out);
        break;
      case google::protobuf::Value::kStringValue:
        (*out)[path] = value.string_value();
        break;
      case google::protobuf::Value::kBoolValue:
        (*out)[path] = value.bool_value() ? "true" : "false";
        break;
      case google::protobuf::Value::kNumberValue: {
        char buffer[32];
        auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value.number_value());
        (*out)[path] = std::string(buffer, end);
        break;
      }
      default:
        break;  // null and arrays are not comparable settings
    }
  }
}

}  // namespace

StatusOr<FlatJson> FlattenJson(std::string_view body, std::string_view what) {
  // protobuf's Struct parsing bounds the depth of objects, not of arrays: 200 KB of "[[[..." kept
  // it busy for minutes.
  if (Status shape = CheckJsonShape(body, JsonShapeLimits{}, what); !shape.ok()) return shape;
  google::protobuf::Struct root;
  std::string repaired;
  const std::string_view json = RepairJsonUtf8(body, &repaired);
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &root);
  if (!status.ok()) {
    return Status::Malformed(std::string(what) + ": malformed JSON: " +
                         ToValidUtf8(std::string_view(status.message().data(), status.message().size())));
  }
  FlatJson config;
  Flatten(root, "", 0, &config);
  return config;
}

}  // namespace tikv_exporter
