// Invalid UTF-8 from upstreams (issue 14, item 4): the simulator's badutf8 fault puts bytes that
// are never UTF-8 (and, in PD's JSON, an unpaired \ud800 escape) into TiKV's version label and
// PD's version strings. Prometheus rejects a whole target for one such label value and a gRPC
// client fails to decode the whole snapshot, so every output must carry U+FFFD instead, and the
// repair must show as a parse warning.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/utf8.h"
#include "tests/integration/sim_and_exporter.h"
#include "tikv_exporter.grpc.pb.h"

namespace tikv_exporter::testing {
namespace {

std::string Replacements(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += kReplacementCharacter;
  return out;
}

// "\xFF\xC0\x80\xED\xA0\x80" is six maximal ill-formed subparts; PD's JSON adds \ud800.
const std::string kTikvVersion = Replacements(6) + "v8.5.0-sim";
const std::string kPdVersion = Replacements(7) + "v8.1.0";
const std::string kStoreVersion = Replacements(7) + "8.1.0";

// Python's json module on a body read as strict UTF-8; the check compares one field too.
void ExpectStrictJson(const TempDir& dir, const std::string& name, const std::string& body, const std::string& check) {
  EXPECT_TRUE(IsValidUtf8(body)) << name;
  std::string output;
  const std::string file = dir.Write(name, body);
  EXPECT_EQ(RunCommand("python3 -c 'import json,sys; d = json.load(open(sys.argv[1], encoding=\"utf-8\", "
                       "errors=\"strict\")); sys.exit(0 if " + check + " else 1)' " + file, &output),
            0)
      << name << ": " << output << body;
}

TEST(BadUtf8, UpstreamVersionsBecomeReplacementCharactersInEveryOutput) {
  SimAndExporter env;
  const int pd_port = FreePort();
  const int grpc_port = FreePort();
  env.StartSim({"--pd-address", "127.0.0.1:" + std::to_string(pd_port)});
  env.StartExporterWithConfig(env.ConfigText(
      300, 250, {pd_port}, "grpc_listen_address = \"127.0.0.1:" + std::to_string(grpc_port) + "\"\n"));
  ASSERT_TRUE(WaitFor([&] {
    const std::string metrics = env.Metrics();
    return CollectorUp(metrics, "tikv") == 1 && SampleValue(metrics, "tikv_exporter_up", {{"source", "pd"}}) == 1;
  }, std::chrono::seconds(10))) << env.exporter().Log();
  EXPECT_EQ(SampleValue(env.Metrics(), "tikv_exporter_tikv_parse_warnings"), 0);

  env.Control("/control/fault?mode=badutf8");
  env.Control("/control/pd/fault?mode=badutf8");
  std::string metrics;
  ASSERT_TRUE(WaitFor([&] {
    metrics = env.Metrics();
    return SampleValue(metrics, "tikv_exporter_tikv_info", {{"version", kTikvVersion}}) == 1 &&
           SampleValue(metrics, "tikv_exporter_pd_info", {{"version", kPdVersion}}) == 1 &&
           SampleValue(metrics, "tikv_exporter_pd_store_info", {{"store_id", "1"}, {"version", kStoreVersion}}) == 1;
  }, std::chrono::seconds(15))) << metrics << env.exporter().Log();

  // /metrics: Prometheus' own checker accepts it, and the repair counts as a parse warning.
  EXPECT_TRUE(IsValidUtf8(metrics));
  std::string output;
  EXPECT_EQ(RunCommand("promtool check metrics < " + env.dir().Write("m.prom", metrics), &output), 0) << output;
  EXPECT_EQ(output, "");
  EXPECT_GE(SampleValue(metrics, "tikv_exporter_tikv_parse_warnings").value_or(0), 1) << metrics;
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_up", {{"source", "tikv"}}), 1);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_up", {{"source", "pd"}}), 1) << "PD bodies must be repaired, not rejected";
  EXPECT_NE(env.exporter().Log().find("invalid UTF-8 in the value of label version (replaced with U+FFFD)"),
            std::string::npos);

  // The JSON APIs: valid UTF-8 a strict parser reads back, with the repaired versions in them.
  ExpectStrictJson(env.dir(), "snapshot.json", HttpGet(env.exporter_port(), "/api/v1/snapshot").body,
                   "d[\"tikv_version\"] == \"\\ufffd\" * 6 + \"v8.5.0-sim\"");
  ExpectStrictJson(env.dir(), "snapshots.json", HttpGet(env.exporter_port(), "/api/v1/snapshots").body,
                   "len(d[\"snapshots\"]) > 0");
  ExpectStrictJson(env.dir(), "targets.json", HttpGet(env.exporter_port(), "/api/v1/targets").body,
                   "\"\\ufffd\" * 7 + \"8.1.0\" in json.dumps(d, ensure_ascii=False)");
  ExpectStrictJson(env.dir(), "cluster.json", HttpGet(env.exporter_port(), "/api/v1/cluster").body,
                   "\"\\ufffd\" * 7 + \"8.1.0\" in json.dumps(d, ensure_ascii=False)");

  // gRPC: a client decodes the snapshot (protobuf rejects a message with a non-UTF-8 string).
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(grpc_port), grpc::InsecureChannelCredentials());
  auto stub = v1::SnapshotService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::Snapshot snapshot;
  const grpc::Status status = stub->GetSnapshot(&context, v1::GetSnapshotRequest(), &snapshot);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(snapshot.tikv_version(), kTikvVersion);

  EXPECT_TRUE(IsValidUtf8(env.exporter().Log())) << "a log line carried invalid UTF-8";
  EXPECT_TRUE(env.exporter().Running());
}

}  // namespace
}  // namespace tikv_exporter::testing
