// Upstream faults over real sockets: the simulator misbehaves (refuses, hangs, is slow, closes
// mid-body, streams 2 GiB, sends garbage or HTML, answers 500/503, flaps, PD moves its leader)
// and the exporter must keep answering /metrics within its timeout, mark the source down and
// recover by itself. The soak repeats fault/recover 1,000 times and watches fds, threads and RSS.

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "tests/integration/sim_and_exporter.h"
#include "tools/tikv-sim/hostile_upstream.h"

namespace tikv_exporter::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr int kPollMs = 300;
constexpr int kTimeoutMs = 250;

// /metrics answers fast whatever the upstream does: a scrape never waits for a poll.
void ExpectScrapesStayFast(const SimAndExporter& env) {
  for (int i = 0; i < 5; ++i) {
    const auto start = steady_clock::now();
    HttpResult result = HttpGet(env.exporter_port(), "/metrics");
    const auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
    EXPECT_EQ(result.status, 200);
    EXPECT_LT(took.count(), kTimeoutMs) << "a scrape waited on the upstream";
  }
}

struct FaultCase {
  const char* name;
  const char* control;   // the simulator's control query
  const char* expected;  // part of the logged reason; "a|b": either
};

// ctest shows the case's name instead of its bytes.
void PrintTo(const FaultCase& fault, std::ostream* out) { *out << fault.name; }

bool LogSaysWhy(const std::string& log, const std::string& expected) {
  size_t start = 0;
  while (true) {
    const size_t bar = expected.find('|', start);
    if (log.find(expected.substr(start, bar - start)) != std::string::npos) return true;
    if (bar == std::string::npos) return false;
    start = bar + 1;
  }
}

class TikvFault : public ::testing::TestWithParam<FaultCase> {};

TEST_P(TikvFault, SourceGoesDownScrapesStayFastAndItRecovers) {
  const FaultCase& fault = GetParam();
  SimAndExporter env;
  env.StartSim();
  env.StartExporter(kPollMs, kTimeoutMs);
  ASSERT_TRUE(WaitFor([&] { return CollectorUp(env.Metrics(), "tikv") == 1; }, std::chrono::seconds(10)));

  env.Control(std::string("/control/fault?") + fault.control);
  ASSERT_TRUE(WaitFor([&] { return CollectorUp(env.Metrics(), "tikv") == 0; }, std::chrono::seconds(10)))
      << "still up under " << fault.name;
  ExpectScrapesStayFast(env);
  const std::string metrics = env.Metrics();
  EXPECT_FALSE(SampleValue(metrics, "tikv_exporter_qps", {{"type", "kv_get"}}).has_value())
      << "snapshot series of a down source must go";
  EXPECT_TRUE(LogSaysWhy(env.exporter().Log(), fault.expected)) << "the log should say why: " << fault.expected;

  env.Control("/control/fault?mode=none");
  EXPECT_TRUE(WaitFor([&] { return CollectorUp(env.Metrics(), "tikv") == 1; }, std::chrono::seconds(10)))
      << "did not recover from " << fault.name;
  EXPECT_TRUE(env.exporter().Running());
}

INSTANTIATE_TEST_SUITE_P(
    Faults, TikvFault,
    ::testing::Values(FaultCase{"refused", "mode=down", "connection refused"},
                      FaultCase{"hang", "mode=hang", "deadline"},
                      FaultCase{"slow", "mode=slow&delay_ms=600", "deadline"},
                      FaultCase{"midbody", "mode=midbody", "closed while reading"},
                      FaultCase{"huge", "mode=huge", "deadline|larger than"},
                      FaultCase{"garbage", "mode=garbage", "unparsable body"},
                      FaultCase{"wrongtype", "mode=wrongtype", "Content-Type \"text/html"},
                      FaultCase{"http500", "mode=error&code=500", "HTTP 500"},
                      FaultCase{"http503", "mode=error&code=503", "HTTP 503"}),
    [](const ::testing::TestParamInfo<FaultCase>& info) { return std::string(info.param.name); });

// A 2 GiB body against a small max_body_bytes: the bound, not the deadline, ends the poll; the
// hit is counted and logged once however many polls hit it.
TEST(Limits, BodyBoundIsCountedAndLoggedOncePerStreak) {
  SimAndExporter env;
  env.StartSim();
  env.StartExporterWithConfig(env.ConfigText(200, 180, {}, "max_body_bytes = 65536\n"));
  ASSERT_TRUE(WaitFor([&] { return CollectorUp(env.Metrics(), "tikv") == 1; }, std::chrono::seconds(10)));
  env.Control("/control/fault?mode=huge");
  ASSERT_TRUE(WaitFor(
      [&] {
        return SampleValue(env.Metrics(), "tikv_exporter_limit_hits_total", {{"limit", "upstream_body_bytes"}})
                   .value_or(0) >= 3;
      },
      std::chrono::seconds(10)));
  std::string metrics = env.Metrics();
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_limit_reached", {{"limit", "upstream_body_bytes"}}), 1);
  EXPECT_EQ(CollectorUp(metrics, "tikv"), 0);
  env.Control("/control/fault?mode=none");
  ASSERT_TRUE(WaitFor([&] { return CollectorUp(env.Metrics(), "tikv") == 1; }, std::chrono::seconds(10)));
  // The streak ends once the bound has not been hit for 10 s (the hold against flapping).
  EXPECT_TRUE(WaitFor(
      [&] { return SampleValue(env.Metrics(), "tikv_exporter_limit_reached", {{"limit", "upstream_body_bytes"}}) == 0; },
      std::chrono::seconds(15)));
  const std::string log = env.exporter().Log();
  size_t reached = 0;
  for (size_t at = log.find("limit upstream_body_bytes reached"); at != std::string::npos;
       at = log.find("limit upstream_body_bytes reached", at + 1)) {
    ++reached;
  }
  EXPECT_EQ(reached, 1u) << "one line per state change, not one per hit";
  EXPECT_NE(log.find("limit upstream_body_bytes no longer reached"), std::string::npos);
}

TEST(Limits, SeriesBoundMarksTikvDownWithTheLimitNamed) {
  SimAndExporter env;
  env.StartSim();
  env.StartExporterWithConfig(env.ConfigText(200, 180, {}, "max_series_per_poll = 50\n"));
  ASSERT_TRUE(WaitFor(
      [&] {
        return SampleValue(env.Metrics(), "tikv_exporter_limit_hits_total", {{"limit", "series_per_poll"}})
                   .value_or(0) >= 1;
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(CollectorUp(env.Metrics(), "tikv"), 0);
  EXPECT_NE(env.exporter().Log().find("more than 50 samples"), std::string::npos);
}

// 200 KB of nested arrays in TiKV's /config kept protobuf's JSON parser busy for minutes: the
// TiKV source looked down (a false TiKVUnreachable). The nesting is refused by a pre-scan, the
// source stays up and the bound is counted.
TEST(Limits, DeepArraysInTikvConfigKeepTikvUp) {
  SimAndExporter env;
  env.StartSim();
  env.Control("/control/hostile-config?bytes=204800");  // before the exporter's first /config
  env.StartExporter(1000, 900);
  ASSERT_TRUE(WaitFor(
      [&] {
        return SampleValue(env.Metrics(), "tikv_exporter_limit_hits_total", {{"limit", "upstream_json_depth"}})
                   .value_or(0) >= 3;
      },
      std::chrono::seconds(30)))
      << env.exporter().Log();
  EXPECT_EQ(CollectorUp(env.Metrics(), "tikv"), 1);
  const std::string log = env.exporter().Log();
  EXPECT_EQ(log.find("source tikv is down"), std::string::npos) << log;
  EXPECT_NE(log.find("TiKV /config: JSON nested deeper than 32 levels"), std::string::npos) << log;
}

TEST(PdFaults, GarbageHangAndErrorsMarkPdDownAndLeaderChangesDoNot) {
  const int pd_ports[2] = {FreePort(), FreePort()};
  SimAndExporter env;
  env.StartSim({"--pd-address", "127.0.0.1:" + std::to_string(pd_ports[0]), "--pd-address",
                "127.0.0.1:" + std::to_string(pd_ports[1])});
  env.StartExporter(kPollMs, kTimeoutMs, {pd_ports[0], pd_ports[1]});
  ASSERT_TRUE(WaitFor([&] { return CollectorUp(env.Metrics(), "pd") == 1; }, std::chrono::seconds(10)));
  for (const char* mode : {"mode=garbage", "mode=hang", "mode=error&code=503", "mode=wrongtype", "mode=midbody"}) {
    env.Control(std::string("/control/pd/fault?") + mode);
    EXPECT_TRUE(WaitFor([&] { return CollectorUp(env.Metrics(), "pd") == 0; }, std::chrono::seconds(10))) << mode;
    ExpectScrapesStayFast(env);
    EXPECT_EQ(CollectorUp(env.Metrics(), "tikv"), 1) << "a PD fault must not take TiKV down";
    env.Control("/control/pd/fault?mode=none");
    EXPECT_TRUE(WaitFor([&] { return CollectorUp(env.Metrics(), "pd") == 1; }, std::chrono::seconds(10))) << mode;
  }
  for (int leader : {1, 0, 1}) {
    env.Control("/control/pd/leader?index=" + std::to_string(leader));
    ASSERT_TRUE(env.WaitForPolls(2));
    EXPECT_EQ(CollectorUp(env.Metrics(), "pd"), 1) << "leader moved to " << leader;
  }
}

#if defined(__SANITIZE_ADDRESS__)
// Under AddressSanitizer RSS is mostly the sanitizer's (shadow memory, quarantine, the allocator
// caches of the server threads and of the threads each poll starts): it grew by ~21 MiB over this
// test while the optimized build held within 1 MiB and LeakSanitizer at exit found nothing. The
// bound then only catches gross growth (a leaked body per poll would be gigabytes); the exit
// status below carries the leak check.
constexpr long kRssGrowthKib = 48 * 1024;
#else
constexpr long kRssGrowthKib = 4 * 1024;
#endif

// The process's fds and threads between polls: the least over ten samples 50 ms apart, since a
// poll in flight holds its own (libcurl opens a socket and a wake-up socket pair per transfer),
// which is use, not a leak.
ProcessUsage SteadyUsage(int pid) {
  ProcessUsage least = UsageOf(pid);
  for (int i = 0; i < 9; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    const ProcessUsage now = UsageOf(pid);
    least.fds = std::min(least.fds, now.fds);
    least.threads = std::min(least.threads, now.threads);
    least.rss_kib = now.rss_kib;
  }
  return least;
}

// 1,000 fault/recover cycles (flap mode: every other poll fails, cycling through error 500/503,
// garbage, mid-body close, HTML and slow answers). Whatever an upstream does, the process must
// not grow: file descriptors and threads come back to where they were, RSS stays within 4 MiB.
TEST(Soak, ThousandFaultCyclesLeakNoFdsThreadsOrMemory) {
  SimAndExporter env;
  env.StartSim();
  // A short history: the default keeps an hour of snapshots, which at 20 ms is growth by design.
  env.StartExporterWithConfig(env.ConfigText(20, 15, {}, "history = 16\n"));
  env.Control("/control/fault?mode=flap&delay_ms=40");
  ASSERT_TRUE(env.WaitForPolls(200));  // warm-up: allocator pools, gRPC-free steady state
  const ProcessUsage before = SteadyUsage(env.exporter().pid());
  const double successes_before =
      SampleValue(env.Metrics(), "tikv_exporter_collector_last_success_timestamp_seconds", {{"collector", "tikv"}})
          .value_or(0);
  ASSERT_TRUE(env.WaitForPolls(2000, std::chrono::seconds(240)));  // 1,000 faulty and 1,000 healthy polls
  const ProcessUsage after = SteadyUsage(env.exporter().pid());
  const std::string metrics = env.Metrics();
  EXPECT_GT(SampleValue(metrics, "tikv_exporter_collector_last_success_timestamp_seconds", {{"collector", "tikv"}})
                .value_or(0),
            successes_before)
      << "healthy rounds must still succeed";
  std::printf("soak: fds %d -> %d, threads %d -> %d, rss %ld -> %ld KiB\n", before.fds, after.fds, before.threads,
              after.threads, before.rss_kib, after.rss_kib);
  EXPECT_LE(after.fds, before.fds + 2);
  EXPECT_LE(after.threads, before.threads + 2);
  EXPECT_LE(after.rss_kib, before.rss_kib + kRssGrowthKib);
  ASSERT_TRUE(env.exporter().Running());
  // Under the sanitizers LeakSanitizer checks the heap at exit and fails the exit status.
  const int status = env.exporter().Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "exit status " << status;
}

// A TiKV that drips its response head: the poll still ends at timeout_ms, TiKV is down, and
// PD (polled in parallel) stays fresh instead of freezing with it.
TEST(HostileUpstream, ADrippedTikvHeadEndsAtTheDeadlineAndDoesNotFreezePd) {
  sim::HostileUpstream tikv(sim::HostileMode::kSlowHeaders);
  const int tikv_port = tikv.Start();
  ASSERT_GT(tikv_port, 0);
  const int pd_port = FreePort();
  SimAndExporter env;
  env.StartSim({"--pd-address", "127.0.0.1:" + std::to_string(pd_port)});
  std::string config = env.ConfigText(1000, 800, {pd_port});
  config = env.WithTikvAt(config, tikv_port);
  env.StartExporterWithConfig(config);
  ASSERT_TRUE(env.WaitForPolls(4, std::chrono::seconds(20))) << "polls must end at the deadline";
  const std::string metrics = env.Metrics();
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_up", {{"source", "tikv"}}), 0);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_up", {{"source", "pd"}}), 1);
  EXPECT_NE(env.exporter().Log().find("deadline"), std::string::npos);
  EXPECT_GE(tikv.connections(), 4);
}

// Response heads no HTTP library would produce: the exporter stays up, TiKV is down with a reason.
TEST(HostileUpstream, MalformedHeadsMarkTikvDownAndNeverEndTheProcess) {
  const std::pair<sim::HostileMode, const char*> cases[] = {
      {sim::HostileMode::kLongReason, "header line longer"},
      {sim::HostileMode::kEndlessHeaders, "response head (status line and headers) larger than 65536 bytes"},
      {sim::HostileMode::kConflictingLength, "conflicting Content-Length"},
  };
  for (const auto& [mode, reason] : cases) {
    sim::HostileUpstream tikv(mode);
    const int tikv_port = tikv.Start();
    SimAndExporter env;
    std::string config = env.ConfigText(300, 250, {});
    config = env.WithTikvAt(config, tikv_port);
    env.StartExporterWithConfig(config);
    ASSERT_TRUE(WaitFor([&] { return env.exporter().Log().find(reason) != std::string::npos; }, std::chrono::seconds(10)))
        << reason << "\n" << env.exporter().Log();
    EXPECT_TRUE(env.exporter().Running());
    EXPECT_EQ(CollectorUp(env.Metrics(), "tikv"), 0) << reason;
  }
}

}  // namespace
}  // namespace tikv_exporter::testing
