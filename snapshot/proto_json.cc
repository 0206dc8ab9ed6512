#include "snapshot/proto_json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "snapshot/json_writer.h"

namespace tikv_exporter {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

void WriteMessage(JsonWriter& json, const Message& message);
void WriteMap(JsonWriter& json, const Message& message, const FieldDescriptor* field);

// One value of a singular field, or element `index` of a repeated one (a map entry's key/value
// are singular fields of the entry message).
void WriteValue(JsonWriter& json, const Message& message, const FieldDescriptor* field, int index) {
  const Reflection* r = message.GetReflection();
  const bool repeated = index >= 0;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_DOUBLE:
      json.Number(repeated ? r->GetRepeatedDouble(message, field, index) : r->GetDouble(message, field));
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      json.Number(repeated ? r->GetRepeatedFloat(message, field, index) : r->GetFloat(message, field));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      json.Integer(repeated ? r->GetRepeatedInt64(message, field, index) : r->GetInt64(message, field));
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      json.Integer(static_cast<int64_t>(repeated ? r->GetRepeatedUInt64(message, field, index)
                                                 : r->GetUInt64(message, field)));
      break;
    case FieldDescriptor::CPPTYPE_INT32:
      json.Integer(repeated ? r->GetRepeatedInt32(message, field, index) : r->GetInt32(message, field));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      json.Integer(repeated ? r->GetRepeatedUInt32(message, field, index) : r->GetUInt32(message, field));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      json.Bool(repeated ? r->GetRepeatedBool(message, field, index) : r->GetBool(message, field));
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      json.String(repeated ? r->GetRepeatedEnum(message, field, index)->name() : r->GetEnum(message, field)->name());
      break;
    case FieldDescriptor::CPPTYPE_STRING:
      json.String(repeated ? r->GetRepeatedString(message, field, index) : r->GetString(message, field));
      break;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      WriteMessage(json, repeated ? r->GetRepeatedMessage(message, field, index) : r->GetMessage(message, field));
      break;
  }
}

// A map entry's key as a JSON object key.
std::string MapKey(const Message& entry) {
  const FieldDescriptor* key = entry.GetDescriptor()->map_key();
  const Reflection* r = entry.GetReflection();
  switch (key->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: return r->GetString(entry, key);
    case FieldDescriptor::CPPTYPE_INT64: return std::to_string(r->GetInt64(entry, key));
    case FieldDescriptor::CPPTYPE_UINT64: return std::to_string(r->GetUInt64(entry, key));
    case FieldDescriptor::CPPTYPE_INT32: return std::to_string(r->GetInt32(entry, key));
    case FieldDescriptor::CPPTYPE_UINT32: return std::to_string(r->GetUInt32(entry, key));
    case FieldDescriptor::CPPTYPE_BOOL: return r->GetBool(entry, key) ? "true" : "false";
    default: return "";
  }
}

void WriteMap(JsonWriter& json, const Message& message, const FieldDescriptor* field) {
  const Reflection* r = message.GetReflection();
  const int size = r->FieldSize(message, field);
  json.BeginObject();
  // protobuf keeps map entries unordered: sort by key, so the output is stable.
  std::vector<std::pair<std::string, const Message*>> entries;
  for (int e = 0; e < size; ++e) {
    const Message& entry = r->GetRepeatedMessage(message, field, e);
    entries.emplace_back(MapKey(entry), &entry);
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [key, entry] : entries) {
    json.Key(key);
    WriteValue(json, *entry, entry->GetDescriptor()->map_value(), -1);
  }
  json.EndObject();
}

void WriteMessage(JsonWriter& json, const Message& message) {
  const Reflection* r = message.GetReflection();
  const google::protobuf::Descriptor* descriptor = message.GetDescriptor();
  if (IsMapWrapper(descriptor)) {
    WriteMap(json, message, descriptor->field(0));
    return;
  }
  json.BeginObject();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->is_map()) {
      if (r->FieldSize(message, field) == 0) continue;
      json.Key(field->name());
      WriteMap(json, message, field);
    } else if (field->is_repeated()) {
      json.Key(field->name()).BeginArray();
      for (int e = 0; e < r->FieldSize(message, field); ++e) WriteValue(json, message, field, e);
      json.EndArray();
    } else if (!field->has_presence() || r->HasField(message, field)) {
      json.Key(field->name());
      WriteValue(json, message, field, -1);
    }
  }
  json.EndObject();
}

}  // namespace

bool IsMapWrapper(const google::protobuf::Descriptor* descriptor) {
  return descriptor->field_count() == 1 && descriptor->field(0)->is_map();
}

std::string ProtoToJson(const Message& message) {
  JsonWriter json;
  WriteMessage(json, message);
  return json.str();
}

}  // namespace tikv_exporter
