// Each output encoder on its own turns invalid UTF-8 from any source into U+FFFD: the Prometheus
// text writer, the JSON writer (and the snapshot JSON), the gRPC snapshot message and JSON logs.

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <string>

#include "prom/exposition_writer.h"
#include "common/utf8.h"
#include "snapshot/json_writer.h"
#include "exporter/logging.h"
#include "snapshot/snapshot_json.h"
#include "snapshot/snapshot_proto.h"
#include "tikv_exporter.pb.h"  // generated from proto/tikv_exporter.proto

namespace tikv_exporter {
namespace {

// A byte that is never UTF-8, an overlong NUL, an encoded surrogate and a truncated sequence.
const std::string kBad = "\xFF|\xC0\x80|\xED\xA0\x80|\xE2\x82";
const std::string kR(kReplacementCharacter);
const std::string kBadRepaired = kR + "|" + kR + kR + "|" + kR + kR + kR + "|" + kR;

// protobuf's JSON parser is strict: it rejects invalid UTF-8 and unpaired surrogate escapes.
::testing::AssertionResult IsStrictJson(const std::string& json) {
  if (!IsValidUtf8(json)) return ::testing::AssertionFailure() << "not UTF-8: " << json;
  google::protobuf::Value value;
  auto status = google::protobuf::util::JsonStringToMessage(json, &value);
  if (!status.ok()) return ::testing::AssertionFailure() << status.message() << " in " << json;
  return ::testing::AssertionSuccess();
}

TEST(ExpositionWriterUtf8, RepairsLabelValuesHelpAndNames) {
  Exposition exposition;
  MetricFamily& family = exposition.FindOrAdd("tikv_server_info");
  family.type = MetricType::kGauge;
  family.help = "Help " + kBad;
  family.samples.push_back({"tikv_server_info", {{"version", kBad}, {"zone", "\xE6\x97\xA5"}}, 1, std::nullopt});
  MetricFamily& odd = exposition.FindOrAdd("odd\xFF");
  odd.samples.push_back({"odd\xFF", {{"l\xC0", "v"}}, 2, std::nullopt});

  const std::string text = WriteExposition(exposition);
  EXPECT_TRUE(IsValidUtf8(text)) << text;
  EXPECT_NE(text.find("# HELP tikv_server_info Help " + kBadRepaired + "\n"), std::string::npos) << text;
  EXPECT_NE(text.find("tikv_server_info{version=\"" + kBadRepaired + "\",zone=\"\xE6\x97\xA5\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("odd" + kR + "{l" + kR + "=\"v\"} 2\n"), std::string::npos) << text;
}

TEST(JsonWriterUtf8, RepairsKeysAndStringsAndEscapesControls) {
  JsonWriter json;
  json.BeginObject().Key("k" + kBad).String("v" + kBad);
  json.Key("controls").String(std::string("\x01\x1f\b\f\t\n\r\"\\\x7f", 10));
  json.Key("nul").String(std::string("a\0b", 3));
  json.Key("ok").String("\xE6\x97\xA5\xF0\x9F\x98\x80");
  json.EndObject();
  EXPECT_EQ(json.str(), "{\"k" + kBadRepaired + "\":\"v" + kBadRepaired +
                            "\",\"controls\":\"\\u0001\\u001f\\u0008\\u000c\\t\\n\\r\\\"\\\\\x7f\","
                            "\"nul\":\"a\\u0000b\",\"ok\":\"\xE6\x97\xA5\xF0\x9F\x98\x80\"}");
  EXPECT_TRUE(IsStrictJson(json.str()));
}

Snapshot BadSnapshot() {
  Snapshot s;
  s.timestamp_ms = 1;
  s.qps = 10;
  s.by_type["kv_get" + kBad].qps = 10;
  s.by_type["kv_get" + kBad].average_seconds = 0.001;
  s.storage.used_bytes = 1;
  s.storage.used_source = "tikv" + kBad;
  s.engine_size_bytes["kv" + kBad] = 1;
  s.compaction_pending_bytes["kv" + kBad] = 1;
  s.block_cache_hit_ratio["kv" + kBad]["data" + kBad] = 0.5;
  s.bloom_filter_useful_ratio["kv" + kBad] = 0.5;
  s.write_stall_seconds["kv" + kBad] = 0;
  s.signal_sources["block_cache" + kBad] = "tikv" + kBad;
  s.tikv_version = "v8.5.0" + kBad;
  s.sources[Source::kTikv] = {true, false, 0, "line 3: invalid metric name: \"" + kBad + "\""};
  return s;
}

TEST(SnapshotJsonUtf8, IsStrictJson) {
  const std::string json = SnapshotToJson(BadSnapshot());
  EXPECT_TRUE(IsStrictJson(json));
  EXPECT_NE(json.find("\"tikv_version\":\"v8.5.0" + kBadRepaired + "\""), std::string::npos) << json;
  SnapshotHistory history(1);
  history.Push(std::make_shared<const Snapshot>(BadSnapshot()));
  EXPECT_TRUE(IsStrictJson(SnapshotPageToJson(history.Page(-1, 10))));
}

TEST(SnapshotProtoUtf8, ParsesBackInAClient) {
  v1::Snapshot message;
  SnapshotToProto(BadSnapshot(), &message);
  std::string wire;
  ASSERT_TRUE(message.SerializeToString(&wire));
  // A client's parse fails on any string field (map keys included) that is not UTF-8.
  v1::Snapshot parsed;
  ASSERT_TRUE(parsed.ParseFromString(wire));
  EXPECT_EQ(parsed.tikv_version(), "v8.5.0" + kBadRepaired);
  EXPECT_EQ(parsed.storage_size().used_source(), "tikv" + kBadRepaired);
  EXPECT_EQ(parsed.qps_by_type().at("kv_get" + kBadRepaired), 10);
  EXPECT_TRUE(parsed.latency_ms_by_type().contains("kv_get" + kBadRepaired));
  EXPECT_EQ(parsed.block_cache_hit_ratio().at("kv" + kBadRepaired).by_block().at("data" + kBadRepaired), 0.5);
  EXPECT_EQ(parsed.signal_sources().at("block_cache" + kBadRepaired), "tikv" + kBadRepaired);
  ASSERT_TRUE(parsed.sources().contains("tikv"));  // a source's name is typed: only its message can carry bad bytes
  EXPECT_TRUE(IsValidUtf8(parsed.sources().at("tikv").last_error()));
}

TEST(JsonLogUtf8, LinesStayStrictJson) {
  ASSERT_TRUE(ConfigureLogging("info", LogFormat::kJson).ok());
  ::testing::internal::CaptureStderr();
  spdlog::warn("answered Content-Type \"{}\"", "text/html" + kBad);
  std::string line = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(ConfigureLogging("info", LogFormat::kText).ok());
  ASSERT_FALSE(line.empty());
  if (line.back() == '\n') line.pop_back();
  EXPECT_TRUE(IsStrictJson(line));
  EXPECT_NE(line.find("text/html" + kBadRepaired + "\\\""), std::string::npos) << line;
}

}  // namespace
}  // namespace tikv_exporter
