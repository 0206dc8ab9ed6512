// The gRPC snapshot API, the JSON history and the client library against a running exporter.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "client/snapshot_client.h"
#include "protos/health.grpc.pb.h"  // generated from tests/integration/protos
#include "protos/reflection.grpc.pb.h"
#include "tests/integration/harness.h"
#include "tikv_exporter.grpc.pb.h"

namespace tikv_exporter::testing {
namespace {

class GrpcApi : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_port_ = FreePort();
    http_port_ = FreePort();
    grpc_port_ = FreePort();
    sim_ = std::make_unique<Process>(
        std::vector<std::string>{TIKV_SIM_BIN, "--status-address", "127.0.0.1:" + std::to_string(sim_port_),
                                 "--control-address", "127.0.0.1:" + std::to_string(FreePort())},
        dir_.path() + "/sim.log");
    const std::string config = dir_.Write(
        "c.toml", "[tikv]\nstatus_address = \"127.0.0.1:" + std::to_string(sim_port_) +
                      "\"\ntimeout_ms = 400\n[exporter]\nlisten_address = \"127.0.0.1:" + std::to_string(http_port_) +
                      "\"\ngrpc_listen_address = \"127.0.0.1:" + std::to_string(grpc_port_) +
                      "\"\npoll_interval_ms = 500\nhistory = 5\n[collectors.pd]\nenabled = false\n"
                      "[collectors.rocksdb]\nenabled = false\n");
    exporter_ = std::make_unique<Process>(std::vector<std::string>{TIKV_EXPORTER_BIN, "--config", config},
                                          dir_.path() + "/exporter.log");
    // Dial only once the exporter listens: a channel that failed to connect backs off for seconds.
    ASSERT_TRUE(WaitFor([&] { return HttpGet(http_port_, "/-/healthy").status == 200; }, std::chrono::seconds(10)));
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(grpc_port_), grpc::InsecureChannelCredentials());
    stub_ = v1::SnapshotService::NewStub(channel_);
    ASSERT_TRUE(WaitFor([&] {
      v1::Snapshot s;
      return Get(&s).ok() && s.has_qps();
    }, std::chrono::seconds(15))) << exporter_->Log();
  }

  grpc::Status Get(v1::Snapshot* out) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    return stub_->GetSnapshot(&context, v1::GetSnapshotRequest(), out);
  }
  double Polls() { return SampleValue(HttpGet(http_port_, "/metrics").body, "tikv_exporter_polls_total").value_or(0); }

  TempDir dir_;
  int sim_port_ = 0, http_port_ = 0, grpc_port_ = 0;
  std::unique_ptr<Process> sim_, exporter_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SnapshotService::Stub> stub_;
};

TEST_F(GrpcApi, GetReturnsWhatMetricsShowsForTheSamePoll) {
  bool compared = false;
  for (int attempt = 0; attempt < 20 && !compared; ++attempt) {
    const std::string before = HttpGet(http_port_, "/metrics").body;
    v1::Snapshot snapshot;
    ASSERT_TRUE(Get(&snapshot).ok());
    const std::string after = HttpGet(http_port_, "/metrics").body;
    // Only when no poll finished in between do /metrics and the snapshot describe one poll.
    if (before != after && SampleValue(before, "tikv_exporter_polls_total") != SampleValue(after, "tikv_exporter_polls_total")) {
      continue;
    }
    ASSERT_EQ(static_cast<double>(snapshot.sequence()), *SampleValue(before, "tikv_exporter_polls_total"));
    EXPECT_DOUBLE_EQ(static_cast<double>(snapshot.timestamp_ms()) / 1000,
                     *SampleValue(before, "tikv_exporter_snapshot_timestamp_seconds"));
    for (const auto& [type, qps] : snapshot.qps_by_type()) {
      EXPECT_DOUBLE_EQ(qps, *SampleValue(before, "tikv_exporter_qps", {{"type", type}})) << type;
    }
    EXPECT_DOUBLE_EQ(snapshot.latency_ms().avg() / 1000, *SampleValue(before, "tikv_exporter_latency_average_seconds"));
    EXPECT_DOUBLE_EQ(snapshot.latency_ms().p99() / 1000,
                     *SampleValue(before, "tikv_exporter_latency_seconds", {{"quantile", "0.99"}}));
    EXPECT_DOUBLE_EQ(snapshot.storage_size().used_bytes(),
                     *SampleValue(before, "tikv_exporter_storage_size_bytes", {{"type", "used"}}));
    EXPECT_TRUE(snapshot.sources().at("tikv").up());
    EXPECT_EQ(snapshot.qps_by_type().size(), 7u);
    compared = true;
  }
  EXPECT_TRUE(compared);
}

TEST_F(GrpcApi, WatchDeliversEachNewSnapshotInOrder) {
  grpc::ClientContext context;
  auto reader = stub_->WatchSnapshots(&context, v1::WatchSnapshotsRequest());
  std::vector<uint64_t> sequences;
  v1::Snapshot snapshot;
  while (sequences.size() < 5 && reader->Read(&snapshot)) sequences.push_back(snapshot.sequence());
  ASSERT_EQ(sequences.size(), 5u);
  for (size_t i = 1; i < sequences.size(); ++i) EXPECT_EQ(sequences[i], sequences[i - 1] + 1);
  context.TryCancel();
}

// An HTTP/2 frame: 9-byte header (24-bit length, type, flags, 31-bit stream id) and `payload`.
std::string Frame(uint8_t type, uint8_t flags, uint32_t stream, const std::string& payload) {
  const size_t n = payload.size();
  std::string frame = {static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n),
                       static_cast<char>(type), static_cast<char>(flags), static_cast<char>(stream >> 24),
                       static_cast<char>(stream >> 16), static_cast<char>(stream >> 8), static_cast<char>(stream)};
  return frame + payload;
}

// An HPACK string literal, not Huffman-coded (all strings here are shorter than 127 bytes).
std::string Literal(const std::string& text) { return static_cast<char>(text.size()) + text; }

// One connection opens 5,000 GetSnapshot calls and never reads an answer: it announces a flow
// control window of 0, so no answer can be sent. The synchronous server held a thread per call
// (5,009 threads, 281 MB); its threads and streams are bounded now.
TEST_F(GrpcApi, UnreadCallsOnOneConnectionDoNotMultiplyThreads) {
  const int baseline = UsageOf(exporter_->pid()).threads;
  RawConnection connection(grpc_port_);
  ASSERT_TRUE(connection.connected());
  // The client preface; SETTINGS_INITIAL_WINDOW_SIZE (0x4) = 0; an ACK of the server's SETTINGS.
  std::string bytes = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  bytes += Frame(0x4, 0, 0, std::string("\x00\x04\x00\x00\x00\x00", 6));
  bytes += Frame(0x4, 0x1, 0, "");
  // :method POST (static 3), :scheme http (static 6), :path and :authority (literal values of
  // static names 4 and 1), content-type (static name 31), te: trailers (a literal name).
  const std::string headers = std::string("\x83\x86") + '\x04' + Literal("/tikv_exporter.v1.SnapshotService/GetSnapshot") +
                              '\x01' + Literal("127.0.0.1") + "\x0f\x10" + Literal("application/grpc") + '\x00' +
                              Literal("te") + Literal("trailers");
  const std::string empty_message(5, '\0');  // not compressed, 0 bytes: an empty GetSnapshotRequest
  bool open = connection.Send(bytes);
  int calls = 0;
  for (uint32_t stream = 1; open && calls < 5000; stream += 2) {
    open = connection.Send(Frame(0x1, 0x4, stream, headers) + Frame(0x0, 0x1, stream, empty_message));
    calls += open ? 1 : 0;
  }
  // The server may end the connection once the client exceeds its stream limit; either way no
  // more than a bounded number of calls may hold threads.
  int peak = 0;
  for (int i = 0; i < 30; ++i) {
    peak = std::max(peak, UsageOf(exporter_->pid()).threads);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::printf("exporter threads: %d before, at most %d with %d unread calls sent\n", baseline, peak, calls);
  EXPECT_GT(calls, 100) << "more calls than the bound must have reached the listener";
  EXPECT_LT(peak - baseline, 100);
  v1::Snapshot snapshot;
  EXPECT_TRUE(Get(&snapshot).ok()) << "another client is still served";
  EXPECT_EQ(HttpGet(http_port_, "/-/healthy").status, 200);
}

TEST_F(GrpcApi, AStalledWatcherDoesNotDelayPolls) {
  grpc::ClientContext context;
  auto reader = stub_->WatchSnapshots(&context, v1::WatchSnapshotsRequest());
  v1::Snapshot first;
  ASSERT_TRUE(reader->Read(&first));
  const double polls = Polls();
  std::this_thread::sleep_for(std::chrono::seconds(3));  // the watcher reads nothing meanwhile
  EXPECT_GE(Polls() - polls, 5);                          // 500 ms polls went on
  v1::Snapshot next;
  ASSERT_TRUE(reader->Read(&next));
  EXPECT_GT(next.sequence(), first.sequence());
  context.TryCancel();
}

TEST_F(GrpcApi, HealthAndReflectionAnswer) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext health_context;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(health->Check(&health_context, grpc::health::v1::HealthCheckRequest(), &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(channel_);
  grpc::ClientContext reflection_context;
  auto stream = reflection->ServerReflectionInfo(&reflection_context);
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_list_services("");
  ASSERT_TRUE(stream->Write(request));
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse services;
  ASSERT_TRUE(stream->Read(&services));
  std::vector<std::string> names;
  for (const auto& service : services.list_services_response().service()) names.push_back(service.name());
  EXPECT_NE(std::find(names.begin(), names.end(), "tikv_exporter.v1.SnapshotService"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "grpc.health.v1.Health"), names.end());
}

TEST_F(GrpcApi, JsonHistoryIsBoundedAndFiltersBySince) {
  ASSERT_TRUE(WaitFor([&] { return Polls() >= 7; }, std::chrono::seconds(10)));
  const std::string all = HttpGet(http_port_, "/api/v1/snapshots").body;
  size_t count = 0;
  std::vector<int64_t> timestamps;
  for (size_t at = all.find("\"timestamp_ms\":"); at != std::string::npos; at = all.find("\"timestamp_ms\":", at + 1)) {
    timestamps.push_back(std::stoll(all.substr(at + 15)));
    ++count;
  }
  EXPECT_EQ(count, 5u);  // history = 5
  for (size_t i = 1; i < timestamps.size(); ++i) EXPECT_GT(timestamps[i], timestamps[i - 1]);
  const std::string since = HttpGet(http_port_, "/api/v1/snapshots?since=" + std::to_string(timestamps[2])).body;
  size_t newer = 0;
  for (size_t at = since.find("\"timestamp_ms\":"); at != std::string::npos; at = since.find("\"timestamp_ms\":", at + 1)) {
    EXPECT_GT(std::stoll(since.substr(at + 15)), timestamps[2]);
    ++newer;
  }
  EXPECT_GE(newer, 2u);
  EXPECT_EQ(HttpGet(http_port_, "/api/v1/snapshots?since=soon").status, 400);
}

// 3,600 snapshots were one 20 MB answer: pages of `limit` (default 100, at most 1000) say where
// the next page starts (next_since) until the newest; HEAD builds no page.
TEST_F(GrpcApi, JsonHistoryIsPaged) {
  ASSERT_TRUE(WaitFor([&] { return Polls() >= 7; }, std::chrono::seconds(10)));
  std::vector<int64_t> timestamps;
  int64_t since = 0;
  int pages = 0;
  while (pages < 10) {
    const HttpResult page = HttpGet(http_port_, "/api/v1/snapshots?limit=2&since=" + std::to_string(since));
    ASSERT_EQ(page.status, 200) << page.body;
    ++pages;
    size_t in_page = 0;
    for (size_t at = page.body.find("\"timestamp_ms\":"); at != std::string::npos;
         at = page.body.find("\"timestamp_ms\":", at + 1)) {
      timestamps.push_back(std::stoll(page.body.substr(at + 15)));
      ++in_page;
    }
    const size_t next = page.body.find("\"next_since\":");
    if (next == std::string::npos) break;
    EXPECT_EQ(in_page, 2u) << page.body;
    since = std::stoll(page.body.substr(next + 13));
    EXPECT_EQ(since, timestamps.back());
  }
  // history = 5, and 500 ms polls may add one or two between the pages.
  EXPECT_GE(timestamps.size(), 5u);
  EXPECT_GE(pages, 3);
  for (size_t i = 1; i < timestamps.size(); ++i) EXPECT_GT(timestamps[i], timestamps[i - 1]);
  for (const char* bad : {"limit=0", "limit=-3", "limit=many", "limit="}) {
    EXPECT_EQ(HttpGet(http_port_, std::string("/api/v1/snapshots?") + bad).status, 400) << bad;
  }
  const std::string capped = HttpGet(http_port_, "/api/v1/snapshots?limit=1000000").body;
  EXPECT_EQ(capped.find("\"next_since\":"), std::string::npos) << "a limit above 1000 is capped, not refused";

  RawConnection head(http_port_);
  ASSERT_TRUE(head.Send("HEAD /api/v1/snapshots HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string answer = head.ReceiveUntilClosed(std::chrono::seconds(10));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  EXPECT_EQ(answer.find("snapshots\":"), std::string::npos) << answer;
}

TEST_F(GrpcApi, TheClientLibraryMirrorsTheSeedsMetricsSnapshot) {
  auto client = client::SnapshotClient::Connect("127.0.0.1:" + std::to_string(grpc_port_));
  StatusOr<client::MetricsSnapshot> snapshot = client->Get();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().message();
  EXPECT_GT(*snapshot->qps, 0);
  EXPECT_GT(*snapshot->latency_ms, 0);
  EXPECT_DOUBLE_EQ(*snapshot->storage_size, 126.0 * (1ULL << 30));  // the simulator's used size
  EXPECT_TRUE(snapshot->compaction_pending.has_value());
  int seen = 0;
  uint64_t last = 0;
  Status watched = client->Watch([&](const client::MetricsSnapshot& s) {
    EXPECT_GT(s.sequence, last);
    last = s.sequence;
    return ++seen < 3;
  });
  EXPECT_TRUE(watched.ok()) << watched.message();
  EXPECT_EQ(seen, 3);
}

TEST_F(GrpcApi, TheExampleProgramPrintsALinePerSnapshot) {
  std::string output;
  RunCommand("timeout 2 " + std::string(WATCH_SNAPSHOTS_BIN) + " 127.0.0.1:" + std::to_string(grpc_port_), &output);
  size_t lines = 0;
  for (size_t at = output.find("qps="); at != std::string::npos; at = output.find("qps=", at + 1)) ++lines;
  EXPECT_GE(lines, 2u) << output;
  EXPECT_NE(output.find("compaction_pending="), std::string::npos);
}

}  // namespace
}  // namespace tikv_exporter::testing
