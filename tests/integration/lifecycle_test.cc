// Reload (SIGHUP, POST /-/reload), a clean and quick SIGTERM, and the bounds on what clients of
// the exporter can open: concurrent HTTP requests and gRPC watches.

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "tests/integration/sim_and_exporter.h"
#include "tikv_exporter.grpc.pb.h"

namespace tikv_exporter::testing {
namespace {

using std::chrono::steady_clock;

// A TCP connection to the exporter that sends nothing, until closed.
class IdleConnection {
 public:
  explicit IdleConnection(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~IdleConnection() { close(fd_); }
  bool connected() const { return connected_; }

 private:
  int fd_;
  bool connected_ = false;
};

TEST(Reload, SighupAppliesAValidConfigAndPostRejectsAnInvalidOneKeepingTheOld) {
  SimAndExporter env;
  env.StartSim();
  env.StartExporter(200, 150);
  ASSERT_TRUE(env.WaitForPolls(2));
  EXPECT_FALSE(SampleValue(env.Metrics(), "tikv_engine_size_bytes").has_value());
  EXPECT_EQ(SampleValue(env.Metrics(), "tikv_exporter_config_last_reload_successful"), 1);

  // A valid change: relay one raw family. SIGHUP applies it without a restart.
  env.dir().Write("exporter.toml", env.ConfigText(200, 150, {}, "", "[collectors.tikv]\nrelay = [\"tikv_engine_size_bytes\"]\n"));
  const double loaded_at = *SampleValue(env.Metrics(), "tikv_exporter_config_last_reload_success_timestamp_seconds");
  kill(env.exporter().pid(), SIGHUP);
  EXPECT_TRUE(WaitFor([&] { return SampleValue(env.Metrics(), "tikv_engine_size_bytes").has_value(); },
                      std::chrono::seconds(10)))
      << "the reloaded relay rule should show";
  EXPECT_GT(*SampleValue(env.Metrics(), "tikv_exporter_config_last_reload_success_timestamp_seconds"), loaded_at);
  EXPECT_NE(env.exporter().Log().find("config reloaded (SIGHUP)"), std::string::npos);

  // An invalid file: rejected with its line and key, the running config stays.
  env.dir().Write("exporter.toml", "[tikv]\ntimeout_ms = \"soon\"\n");
  HttpResult reload = HttpPost(env.exporter_port(), "/-/reload");
  EXPECT_EQ(reload.status, 500);
  EXPECT_NE(reload.body.find("exporter.toml:2:"), std::string::npos) << reload.body;
  EXPECT_NE(reload.body.find("timeout_ms"), std::string::npos) << reload.body;
  EXPECT_EQ(SampleValue(env.Metrics(), "tikv_exporter_config_last_reload_successful"), 0);
  EXPECT_NE(env.exporter().Log().find("config reload (POST /-/reload) failed, keeping the running config"),
            std::string::npos);
  ASSERT_TRUE(env.WaitForPolls(3)) << "polling must go on with the old config";
  const std::string metrics = env.Metrics();
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_collector_success", {{"collector", "tikv"}}), 1);
  EXPECT_TRUE(SampleValue(metrics, "tikv_engine_size_bytes").has_value());
  EXPECT_TRUE(env.exporter().Running());

  // Fixed again: POST succeeds, and turning a collector off removes its series.
  env.dir().Write("exporter.toml", env.ConfigText(200, 150, {}, "", "[collectors.tikv]\nenabled = false\n"));
  EXPECT_EQ(HttpPost(env.exporter_port(), "/-/reload").status, 200);
  EXPECT_TRUE(WaitFor(
      [&] {
        return !SampleValue(env.Metrics(), "tikv_exporter_collector_success", {{"collector", "tikv"}}).has_value();
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(SampleValue(env.Metrics(), "tikv_exporter_config_last_reload_successful"), 1);
}

// The worst case: a watch stream open, a client connected but silent, and a poll waiting on a
// hung TiKV with a 4.5 s timeout.
TEST(Shutdown, SigtermStopsWithinFiveSecondsWithOpenStreamsConnectionsAndAHungPoll) {
  const int grpc_port = FreePort();
  SimAndExporter env;
  env.StartSim();
  env.StartExporterWithConfig(
      env.ConfigText(5000, 4500, {}, "grpc_listen_address = \"127.0.0.1:" + std::to_string(grpc_port) + "\"\n"));
  ASSERT_TRUE(WaitFor([&] { return HttpGet(env.exporter_port(), "/-/ready").status == 200; }, std::chrono::seconds(10)));
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(grpc_port), grpc::InsecureChannelCredentials());
  auto stub = v1::SnapshotService::NewStub(channel);
  grpc::ClientContext context;
  auto watch = stub->WatchSnapshots(&context, v1::WatchSnapshotsRequest());
  v1::Snapshot first;
  ASSERT_TRUE(watch->Read(&first));
  IdleConnection idle(env.exporter_port());  // a client that connected and never sent a request
  ASSERT_TRUE(idle.connected());
  env.Control("/control/fault?mode=hang");
  ASSERT_TRUE(env.WaitForPolls(1, std::chrono::seconds(10)));  // the next poll is the one that hangs
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  const auto start = steady_clock::now();
  const int status = env.exporter().Stop();  // SIGTERM; SIGKILL after 5 s (returns -1 then)
  const double seconds = std::chrono::duration<double>(steady_clock::now() - start).count();
  std::printf("shutdown took %.3f s\n", seconds);
  ASSERT_NE(status, -1) << "still running 5 s after SIGTERM";
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_LT(seconds, 5.0);
  v1::Snapshot rest;
  while (watch->Read(&rest)) {
  }
  EXPECT_TRUE(watch->Finish().ok()) << "the stream should be closed cleanly, not cut";
}

TEST(GrpcBounds, WatchesBeyondTheBoundAreRefusedWithResourceExhausted) {
  const int grpc_port = FreePort();
  SimAndExporter env;
  env.StartSim();
  env.StartExporterWithConfig(env.ConfigText(
      200, 150, {}, "grpc_listen_address = \"127.0.0.1:" + std::to_string(grpc_port) + "\"\nmax_grpc_watchers = 1\n"));
  ASSERT_TRUE(env.WaitForPolls(2));
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(grpc_port), grpc::InsecureChannelCredentials());
  auto stub = v1::SnapshotService::NewStub(channel);
  grpc::ClientContext first_context;
  auto first = stub->WatchSnapshots(&first_context, v1::WatchSnapshotsRequest());
  v1::Snapshot snapshot;
  ASSERT_TRUE(first->Read(&snapshot));
  grpc::ClientContext second_context;
  auto second = stub->WatchSnapshots(&second_context, v1::WatchSnapshotsRequest());
  EXPECT_FALSE(second->Read(&snapshot));
  grpc::Status refused = second->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(refused.error_message().find("max_grpc_watchers"), std::string::npos);
  EXPECT_GE(SampleValue(env.Metrics(), "tikv_exporter_limit_hits_total", {{"limit", "grpc_watchers"}}).value_or(0), 1);
  first_context.TryCancel();
}

}  // namespace
}  // namespace tikv_exporter::testing
