// Reload (SIGHUP, POST /-/reload), a clean and quick SIGTERM, the bounds on what clients of the
// exporter can open (concurrent HTTP requests and gRPC watches) and the process setup (fds 0-2,
// the proxy environment, running out of descriptors).

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/sim_and_exporter.h"
#include "tikv_exporter.grpc.pb.h"

namespace tikv_exporter::testing {
namespace {

using std::chrono::steady_clock;

// Reloads run at most once per 3 s (exporter/reloader.h): a test that reloads twice in a row waits
// this long between them so the second one runs at once instead of being scheduled.
constexpr auto kReloadCoolDown = std::chrono::milliseconds(3200);

int Occurrences(const std::string& text, const std::string& what) {
  int count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

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
  env.StartExporterWithConfig(env.ConfigText(200, 150, {}, "enable_lifecycle = true\n"));
  ASSERT_TRUE(env.WaitForPolls(2));
  EXPECT_FALSE(SampleValue(env.Metrics(), "tikv_engine_size_bytes").has_value());
  EXPECT_EQ(SampleValue(env.Metrics(), "tikv_exporter_config_last_reload_successful"), 1);

  // A valid change: relay one raw family. SIGHUP applies it without a restart.
  env.dir().Write("exporter.toml", env.ConfigText(200, 150, {}, "enable_lifecycle = true\n",
                                                  "[collectors.tikv]\nrelay = [\"tikv_engine_size_bytes\"]\n"));
  const double loaded_at = *SampleValue(env.Metrics(), "tikv_exporter_config_last_reload_success_timestamp_seconds");
  kill(env.exporter().pid(), SIGHUP);
  EXPECT_TRUE(WaitFor([&] { return SampleValue(env.Metrics(), "tikv_engine_size_bytes").has_value(); },
                      std::chrono::seconds(10)))
      << "the reloaded relay rule should show";
  EXPECT_GT(*SampleValue(env.Metrics(), "tikv_exporter_config_last_reload_success_timestamp_seconds"), loaded_at);
  EXPECT_NE(env.exporter().Log().find("config reloaded (SIGHUP)"), std::string::npos);

  // An invalid file: rejected with its line and key, the running config stays.
  std::this_thread::sleep_for(kReloadCoolDown);
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
  env.dir().Write("exporter.toml",
                  env.ConfigText(200, 150, {}, "enable_lifecycle = true\n", "[collectors.tikv]\nenabled = false\n"));
  std::this_thread::sleep_for(kReloadCoolDown);
  EXPECT_EQ(HttpPost(env.exporter_port(), "/-/reload").status, 200);
  EXPECT_TRUE(WaitFor(
      [&] {
        return !SampleValue(env.Metrics(), "tikv_exporter_collector_success", {{"collector", "tikv"}}).has_value();
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(SampleValue(env.Metrics(), "tikv_exporter_config_last_reload_successful"), 1);
}

// Like Prometheus without --web.enable-lifecycle: with auth off, POST /-/reload is refused unless
// [exporter] enable_lifecycle is set (anyone who reaches the port could reload before). SIGHUP works.
TEST(Reload, PostIsForbiddenWithoutEnableLifecycleWhileSighupWorks) {
  SimAndExporter env;
  env.StartSim();
  env.StartExporter(200, 150);
  ASSERT_TRUE(env.WaitForPolls(1));
  HttpResult refused = HttpPost(env.exporter_port(), "/-/reload");
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("enable_lifecycle = true"), std::string::npos) << refused.body;
  EXPECT_EQ(env.exporter().Log().find("config reloaded"), std::string::npos);
  kill(env.exporter().pid(), SIGHUP);
  EXPECT_TRUE(WaitFor([&] { return env.exporter().Log().find("config reloaded (SIGHUP)") != std::string::npos; },
                      std::chrono::seconds(10)));
}

// Four POST /-/reload loops and 100 SIGHUP/s: every reload replaced spdlog's default logger under
// threads logging through the old one (SIGSEGV within seconds), and each forced a poll. Now the
// process lives, reloads run at most once per 3 s, and the polls keep their schedule.
TEST(Reload, AStormOfPostsAndSighupsIsCoalescedAndTheProcessLives) {
  SimAndExporter env;
  env.StartSim();
  env.StartExporterWithConfig(env.ConfigText(1000, 800, {}, "enable_lifecycle = true\n"));
  ASSERT_TRUE(env.WaitForPolls(1));
  const double polls_before = SampleValue(env.Metrics(), "tikv_exporter_polls_total").value_or(0);
  const auto storm_start = steady_clock::now();
  const auto end = storm_start + std::chrono::seconds(6);
  std::atomic<int> posts{0};
  std::atomic<int> unanswered{0};
  std::vector<std::thread> loops;
  for (int i = 0; i < 4; ++i) {
    loops.emplace_back([&] {
      while (steady_clock::now() < end) {
        ++posts;
        if (HttpPost(env.exporter_port(), "/-/reload").status == 0) ++unanswered;
      }
    });
  }
  loops.emplace_back([&] {
    while (steady_clock::now() < end && kill(env.exporter().pid(), SIGHUP) == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  for (std::thread& loop : loops) loop.join();
  ASSERT_TRUE(env.exporter().Running()) << "the storm killed the exporter; log:\n" << env.exporter().Log();
  // The last scheduled reload runs one cool-down after the one before.
  std::this_thread::sleep_for(kReloadCoolDown + std::chrono::seconds(1));
  ASSERT_TRUE(env.exporter().Running());
  const double seconds = std::chrono::duration<double>(steady_clock::now() - storm_start).count();
  const std::string log = env.exporter().Log();
  const int reloads = Occurrences(log, "config reloaded (");
  const double polls = SampleValue(env.Metrics(), "tikv_exporter_polls_total").value_or(0) - polls_before;
  std::printf("%d POSTs (%d unanswered) and SIGHUPs over %.1f s: %d reloads, %.0f polls\n", posts.load(),
              unanswered.load(), seconds, reloads, polls);
  EXPECT_EQ(unanswered, 0);
  EXPECT_GE(reloads, 2) << "one at once, one more for the requests that followed";
  EXPECT_LE(reloads, static_cast<int>(seconds / 3) + 2);
  EXPECT_LE(polls, seconds / 1.0 + 3) << "a reload must not add polls";
  EXPECT_EQ(HttpGet(env.exporter_port(), "/metrics").status, 200);
}

// Where the exporter's fd 2 points (readlink of /proc/<pid>/fd/2).
std::string Fd2Of(int pid) {
  char target[256] = "";
  const ssize_t n = readlink(("/proc/" + std::to_string(pid) + "/fd/2").c_str(), target, sizeof(target) - 1);
  return n > 0 ? std::string(target, static_cast<size_t>(n)) : "(closed)";
}

// Started with stderr closed, the first descriptor the exporter opened became fd 2 (its epoll
// instance, a socket), and every log line was written into it. Now fd 2 is /dev/null.
TEST(ProcessSetup, StartedWithStderrClosedFd2IsDevNullAndTheExporterServes) {
  SimAndExporter env;
  env.StartSim();
  const std::string config = env.dir().Write("closed.toml", env.ConfigText(300, 250, {}));
  Process exporter({"/bin/sh", "-c", "exec \"$0\" --config \"$1\" --log.level debug 2>&-", TIKV_EXPORTER_BIN, config},
                   env.dir().path() + "/closed.log");
  ASSERT_TRUE(WaitFor([&] { return HttpGet(env.exporter_port(), "/-/ready").status == 200; }, std::chrono::seconds(15)));
  const std::string fd2 = Fd2Of(exporter.pid());
  std::printf("fd 2 of an exporter started with stderr closed: %s\n", fd2.c_str());
  EXPECT_EQ(fd2, "/dev/null");
  for (int i = 0; i < 5; ++i) {
    HttpResult metrics = HttpGet(env.exporter_port(), "/metrics");
    ASSERT_EQ(metrics.status, 200);
    EXPECT_EQ(CollectorUp(metrics.body, "tikv"), 1);
  }
  EXPECT_TRUE(exporter.Running());
}

// libcurl obeyed http_proxy and all_proxy from the environment: every poll went to the proxy.
TEST(ProcessSetup, ProxyVariablesInTheEnvironmentAreIgnored) {
  setenv("http_proxy", "http://127.0.0.1:1", 1);
  setenv("all_proxy", "http://127.0.0.1:1", 1);
  SimAndExporter env;
  env.StartSim();
  env.StartExporter(300, 250);
  unsetenv("http_proxy");
  unsetenv("all_proxy");
  const bool up = WaitFor([&] { return CollectorUp(env.Metrics(), "tikv") == 1; }, std::chrono::seconds(10));
  std::printf("with http_proxy=http://127.0.0.1:1 the TiKV source is %s\n", up ? "up" : "down");
  EXPECT_TRUE(up) << env.exporter().Log();
}

// Sets the soft open-file limit of process `pid` (prlimit(1) on a running process). Below the
// process's lowest free descriptor number, every new descriptor fails with EMFILE at once, while
// those already open keep working: running out, without racing the process for the last ones.
void SetSoftFileLimit(int pid, int soft) {
  const std::string command =
      "prlimit --pid " + std::to_string(pid) + " --nofile=" + std::to_string(soft) + ":600 >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

// The exporter under a hard open-file limit of 600, with a gRPC listener, its log in `name`.log.
std::unique_ptr<Process> StartExporterWithFileLimit(SimAndExporter& env, int grpc_port, const std::string& name) {
  // Small enough caps that the exporter's start check (exporter/process_setup.h) fits them in 600.
  std::string text = env.ConfigText(300, 250, {}, "grpc_listen_address = \"127.0.0.1:" + std::to_string(grpc_port) +
                                                      "\"\nmax_grpc_watchers = 1\n");
  text.insert(text.find("[exporter]"), "max_connections = 4\n");
  const std::string config = env.dir().Write(name + ".toml", text);
  return std::make_unique<Process>(
      std::vector<std::string>{"/usr/bin/prlimit", "--nofile=600:600", TIKV_EXPORTER_BIN, "--config", config},
      env.dir().path() + "/" + name + ".log");
}

// Out of descriptors, a poll failed as "connection refused or unreachable", and the verdict then
// said TiKV's status server does not answer. (Exhausting the table with idle connections raced
// the poll for the last descriptors: a poll that held them when the table filled still passed.)
TEST(ProcessSetup, OutOfDescriptorsThePollSaysSoInsteadOfRefused) {
  RaiseFileLimit();
  SimAndExporter env;
  env.StartSim();
  std::unique_ptr<Process> exporter = StartExporterWithFileLimit(env, FreePort(), "fds");
  ASSERT_TRUE(WaitFor([&] { return CollectorUp(HttpGet(env.exporter_port(), "/metrics").body, "tikv") == 1; },
                      std::chrono::seconds(15)))
      << exporter->Log();
  SetSoftFileLimit(exporter->pid(), 3);
  const bool said = WaitFor([&] { return exporter->Log().find("out of file descriptors") != std::string::npos; },
                            std::chrono::seconds(15));
  const std::string log = exporter->Log();
  const size_t down = log.find("source tikv is down: ");
  std::printf("out of descriptors, the log says: %s\n",
              down == std::string::npos ? "(tikv never down)" : log.substr(down, log.find('\n', down) - down).c_str());
  EXPECT_TRUE(said) << log;
  EXPECT_EQ(log.find("connection refused"), std::string::npos);
  SetSoftFileLimit(exporter->pid(), 600);
  EXPECT_TRUE(WaitFor([&] { return CollectorUp(HttpGet(env.exporter_port(), "/metrics").body, "tikv") == 1; },
                      std::chrono::seconds(15)))
      << "polls recover once descriptors are free";
  EXPECT_TRUE(exporter->Running());
}

// gRPC 1.51 stops accepting for good after one failed accept (grpc/grpc#20418): one moment
// without a free descriptor left the gRPC listener dead until a restart, while its port still
// completed TCP handshakes. The exporter now restarts its listener once a descriptor is free.
TEST(ProcessSetup, TheGrpcListenerServesAgainAfterTheProcessRanOutOfDescriptors) {
  RaiseFileLimit();
  const int grpc_port = FreePort();
  SimAndExporter env;
  env.StartSim();
  std::unique_ptr<Process> exporter = StartExporterWithFileLimit(env, grpc_port, "grpc-fds");
  auto snapshot_answers = [&] {
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(grpc_port), grpc::InsecureChannelCredentials());
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    v1::Snapshot snapshot;
    return v1::SnapshotService::NewStub(channel)->GetSnapshot(&context, v1::GetSnapshotRequest(), &snapshot).ok();
  };
  ASSERT_TRUE(WaitFor(snapshot_answers, std::chrono::seconds(15))) << exporter->Log();
  SetSoftFileLimit(exporter->pid(), 3);
  IdleConnection waiting(grpc_port);  // the kernel completes it; gRPC's accept fails with EMFILE
  ASSERT_TRUE(waiting.connected());
  ASSERT_TRUE(WaitFor([&] { return exporter->Log().find("Failed accept4") != std::string::npos; },
                      std::chrono::seconds(10)))
      << exporter->Log();
  SetSoftFileLimit(exporter->pid(), 600);
  const auto freed = steady_clock::now();
  const bool answered = WaitFor(snapshot_answers, std::chrono::seconds(20));
  std::printf("gRPC answers again %.1f s after descriptors were free\n",
              std::chrono::duration<double>(steady_clock::now() - freed).count());
  EXPECT_TRUE(answered) << exporter->Log();
  EXPECT_GE(LimitHits(HttpGet(env.exporter_port(), "/metrics").body, "grpc_accept_descriptors"), 1);
  EXPECT_TRUE(exporter->Running());
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
