// The snapshot's JSON (GET /api/v1/snapshot) and protobuf (gRPC) forms must agree on every
// field: protobuf's own JSON parser reads our JSON back into the message, and the two messages
// must be equal; a fully filled snapshot must set every field the schema declares.

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <functional>

#include "snapshot/health_checks.h"
#include "snapshot/proto_json.h"
#include "snapshot/snapshot_json.h"
#include "snapshot/snapshot_proto.h"
#include "tests/unit/snapshot_inputs.h"
#include "tikv_exporter.pb.h"

namespace tikv_exporter {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

Snapshot FullSnapshot() {
  Snapshot s;
  s.timestamp_ms = 1764500000123;
  s.sequence = 42;
  s.window_seconds = 15.0;
  s.qps = 1234.5;
  s.by_type["kv_get"] = RequestTypeStats{1000.25, 0.002, {0.001, 0.004, 0.008}};
  s.by_type["kv_prewrite"] = RequestTypeStats{234.25, std::nullopt, {}};
  s.latency_average_seconds = 0.0031;
  s.latency_seconds = {0.0015, 0.02, 0.041};
  s.storage = {512e9, 300e9, 200e9, "tikv"};
  s.engine_size_bytes = {{"kv", 1e9}, {"raft", 2e8}};
  s.compaction_pending_bytes = {{"kv", 9437184}, {"raft", 1024}};
  s.block_cache_hit_ratio["kv"] = {{"data", 0.95}, {"all", 0.9}};
  s.bloom_filter_useful_ratio = {{"kv", 0.5}};
  s.write_stall_seconds = {{"kv", 0.25}};
  s.signal_sources = {{"block_cache", "tikv"}, {"write_stall", "rocksdb_log"}};
  s.tikv_version = "8.5.0";
  s.sources[Source::kTikv] = SourceHealth{true, true, 1764500000000, ""};
  s.sources[Source::kPd] = SourceHealth{true, false, 0, "GET http://pd:2379/pd/api/v1/members: refused"};
  s.pressure.raft_write_p99_seconds = {{"append_log", 0.002}, {"apply_wait", 0.25}};
  s.pressure.scheduler_latch_wait_p99_seconds = 0.0005;
  s.pressure.busy_rejections_per_second = {{"scheduler_too_busy", 1.5}, {"channel_full", 0}};
  s.pressure.flow_control_discard_ratio = 0.125;
  s.pressure.grpc_failure_ratio = 0.01;
  s.pressure.critical_errors = 3;
  s.pressure.tikv_start_time_seconds = 1764400000.5;
  s.pressure.tikv_restarts = 2;
  s.pressure.cpu_cores_quota = 8;
  s.pressure.thread_pools["raftstore"] = ThreadPoolCpu{0.75, 2};
  testing::SetAllNodeSignals(&s);
  s.health = EvaluateHealth(s, HealthThresholds{});  // graded checks carry values and thresholds
  return s;
}

// Our JSON writes a map-wrapper message as its map (IsMapWrapper); protobuf's JSON expects the
// wrapper's field name. Put it back, by the schema, in the generic JSON tree.
void Rewrap(google::protobuf::Value* value, const Descriptor* type) {
  if (!value->has_struct_value()) return;
  auto* fields = value->mutable_struct_value()->mutable_fields();
  if (IsMapWrapper(type)) {
    google::protobuf::Value wrapped;
    (*wrapped.mutable_struct_value()->mutable_fields())[type->field(0)->name()] = *value;
    *value = wrapped;
    return;
  }
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    auto it = fields->find(field->name());
    if (it == fields->end() || field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (!field->is_map()) {
      Rewrap(&it->second, field->message_type());
      continue;
    }
    const FieldDescriptor* map_value = field->message_type()->map_value();
    if (map_value->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    for (auto& [key, entry] : *it->second.mutable_struct_value()->mutable_fields()) {
      Rewrap(&entry, map_value->message_type());
    }
  }
}

v1::Snapshot FromOurJson(const std::string& json) {
  google::protobuf::Value tree;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &tree).ok()) << json;
  Rewrap(&tree, v1::Snapshot::descriptor());
  std::string rewrapped;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(tree, &rewrapped).ok());
  v1::Snapshot parsed;
  google::protobuf::util::JsonParseOptions options;  // unknown fields are an error
  const auto status = google::protobuf::util::JsonStringToMessage(rewrapped, &parsed, options);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return parsed;
}

void ExpectSameMessage(const v1::Snapshot& from_json, const v1::Snapshot& proto) {
  google::protobuf::util::MessageDifferencer differencer;
  std::string differences;
  differencer.ReportDifferencesToString(&differences);
  EXPECT_TRUE(differencer.Compare(from_json, proto)) << differences;
}

// Names of the schema's fields (nested messages and map values included) that `message` leaves
// unset anywhere.
void CollectUnset(const Message& message, const std::string& prefix, std::set<std::string>* unset) {
  const Descriptor* descriptor = message.GetDescriptor();
  const auto* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const std::string name = prefix + field->name();
    if (field->is_repeated()) {
      if (reflection->FieldSize(message, field) == 0) unset->insert(name);
      if (field->is_map() && field->message_type()->map_value()->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        for (int e = 0; e < reflection->FieldSize(message, field); ++e) {
          const Message& entry = reflection->GetRepeatedMessage(message, field, e);
          const Message& value = entry.GetReflection()->GetMessage(entry, field->message_type()->map_value());
          CollectUnset(value, name + ".", unset);
        }
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (!reflection->HasField(message, field)) unset->insert(name);
      else CollectUnset(reflection->GetMessage(message, field), name + ".", unset);
    } else if (field->has_presence() && !reflection->HasField(message, field)) {
      unset->insert(name);
    }
  }
}

TEST(SnapshotForms, JsonAndProtobufAgreeOnEveryFieldOfAFullSnapshot) {
  v1::Snapshot proto;
  SnapshotToProto(FullSnapshot(), &proto);
  std::set<std::string> unset;
  CollectUnset(proto, "", &unset);
  // A type without an average in the window has no latency entry, by design; nothing else is unset.
  EXPECT_TRUE(unset.empty()) << "schema fields the snapshot never fills: " << ::testing::PrintToString(unset);
  ExpectSameMessage(FromOurJson(SnapshotToJson(FullSnapshot())), proto);
}

TEST(SnapshotForms, JsonAndProtobufAgreeOnAFirstPollWithoutRatesOrStorage) {
  Snapshot first;
  first.timestamp_ms = 1764500000000;
  first.sequence = 1;
  first.sources[Source::kTikv] = SourceHealth{true, false, 0, "connection refused"};
  v1::Snapshot proto;
  SnapshotToProto(first, &proto);
  const std::string json = SnapshotToJson(first);
  ExpectSameMessage(FromOurJson(json), proto);
  EXPECT_FALSE(proto.has_storage_size());
  EXPECT_EQ(json.find("storage_size"), std::string::npos) << "absent, not zeros: " << json;
  EXPECT_EQ(json.find("qps"), std::string::npos) << json;
  EXPECT_NE(json.find("\"timestamp_ms\":1764500000000"), std::string::npos) << "a number, not a quoted int64";
}

TEST(SnapshotForms, JsonNestsTheBlockCacheRatiosAsTheContractSays) {
  const std::string json = SnapshotToJson(FullSnapshot());
  EXPECT_NE(json.find("\"block_cache_hit_ratio\":{\"kv\":{\"all\":0.9,\"data\":0.95}}"), std::string::npos) << json;
}

// GET /api/v1/snapshots pages: the oldest `limit` after `since`, next_since while more follow;
// each snapshot's JSON is written once, at Push, and shared by every page that holds it.
TEST(SnapshotForms, HistoryPagesJoinTheJsonWrittenAtPush) {
  SnapshotHistory history(4);
  for (int64_t t = 1; t <= 6; ++t) {
    Snapshot s = FullSnapshot();
    s.timestamp_ms = t * 1000;
    s.sequence = static_cast<uint64_t>(t);
    history.Push(std::make_shared<const Snapshot>(s));
  }
  SnapshotPage first = history.Page(0, 3);  // 3000..6000 are kept
  ASSERT_EQ(first.json.size(), 3u);
  EXPECT_EQ(first.next_since, 5000);
  Snapshot third = FullSnapshot();
  third.timestamp_ms = 5000;
  third.sequence = 5;
  EXPECT_EQ(*first.json[2], SnapshotToJson(third));
  SnapshotPage last = history.Page(*first.next_since, 3);
  ASSERT_EQ(last.json.size(), 1u);
  EXPECT_FALSE(last.next_since);
  EXPECT_EQ(last.json[0], history.Page(5000, 1).json[0]) << "the same string, not a copy";
  EXPECT_TRUE(history.Page(6000, 3).json.empty());

  const std::string json = SnapshotPageToJson(first);
  EXPECT_TRUE(json.starts_with("{\"snapshots\":[{"));
  EXPECT_TRUE(json.ends_with("}],\"next_since\":5000}")) << json.substr(json.size() - 40);
  google::protobuf::Struct parsed;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok());
  EXPECT_EQ(SnapshotPageToJson(SnapshotPage{}), "{\"snapshots\":[]}");
}

}  // namespace
}  // namespace tikv_exporter
