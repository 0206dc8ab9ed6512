#include "exporter/reloader.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <system_error>
#include <thread>

#include "exporter/logging.h"

namespace tikv_exporter {
namespace {

constexpr std::chrono::milliseconds kNoCoolDown{0};

std::string TempConfigPath(const char* name) {
  return (std::filesystem::temp_directory_path() /
          ("tikv-exporter-" + std::string(name) + "-" + std::to_string(::getpid()) + ".toml"))
      .string();
}

TEST(Reloader, AnInvalidConfigKeepsTheRunningOneAndIsReported) {
  ExporterConfig started;
  started.poll_interval_ms = 1000;
  int applied = 0;
  StatusOr<ExporterConfig> next = Status::InvalidArgument("cfg.toml:2:14: [tikv] timeout_ms: expected an integer");
  Reloader reloader(
      started, [&] { return next; },
      [&](const ExporterConfig&) {
        ++applied;
        return Status::Ok();
      },
      kNoCoolDown);
  EXPECT_TRUE(reloader.Status().last_successful);
  const int64_t started_at = reloader.Status().last_success_ms;

  Status failed = reloader.Request("test").status;
  EXPECT_FALSE(failed.ok());
  EXPECT_NE(failed.message().find("cfg.toml:2:14"), std::string::npos);
  EXPECT_FALSE(reloader.Status().last_successful);
  EXPECT_EQ(reloader.Status().last_success_ms, started_at);
  EXPECT_EQ(applied, 0);
  EXPECT_EQ(reloader.Current()->poll_interval_ms, 1000);

  ExporterConfig fixed = started;
  fixed.poll_interval_ms = 500;
  next = fixed;
  EXPECT_TRUE(reloader.Request("test").status.ok());
  EXPECT_EQ(applied, 1);
  EXPECT_TRUE(reloader.Status().last_successful);
  EXPECT_EQ(reloader.Current()->poll_interval_ms, 500);
}

TEST(Reloader, WithoutAFileEveryReloadFails) {
  Reloader reloader(ExporterConfig{}, ConfigLoader(), [](const ExporterConfig&) { return Status::Ok(); });
  EXPECT_FALSE(reloader.Request("test").status.ok());
}

TEST(Reloader, ListenersWebAndPoolsNeedARestart) {
  ExporterConfig started;
  ExporterConfig loaded = started;
  EXPECT_TRUE(KeysNeedingRestart(started, loaded).empty());
  loaded.poll_interval_ms = 1;  // applied by a reload
  loaded.relay = {"tikv_*"};
  EXPECT_TRUE(KeysNeedingRestart(started, loaded).empty());
  loaded.listen_address = "127.0.0.1:1";
  loaded.web_basic_auth_users["alice"] = "hash";
  loaded.max_grpc_watchers = 2;
  EXPECT_EQ(KeysNeedingRestart(started, loaded),
            (std::vector<std::string>{"[exporter] listen_address", "[exporter] max_grpc_watchers", "[web]"}));
}

// A reload reads and parses the file without the lock /metrics needs (Current(), Status()): a
// slow parse must not hold up scrapes.
TEST(Reloader, ReadersDoNotWaitForAReloadInProgress) {
  ExporterConfig started;
  std::atomic<bool> loading{false};
  Reloader reloader(
      started,
      [&]() -> StatusOr<ExporterConfig> {
        loading = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        ExporterConfig next;
        next.poll_interval_ms = 500;
        return next;
      },
      [](const ExporterConfig&) { return Status::Ok(); });
  std::future<Status> reload = std::async(std::launch::async, [&] { return reloader.Request("test").status; });
  while (!loading) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(reloader.Current()->poll_interval_ms, started.poll_interval_ms);
  EXPECT_TRUE(reloader.Status().last_successful);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  EXPECT_TRUE(reload.get().ok());
  EXPECT_EQ(reloader.Current()->poll_interval_ms, 500);
}

std::string Repeat(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

// Every input keeps the running config, also one that would have overflowed the TOML parser's
// stack (10,000 nested arrays killed the process).
TEST(Reloader, ADeeplyNestedFileIsRefusedAndTheRunningConfigKept) {
  const std::string path = TempConfigPath("reload");
  std::ofstream(path) << "[exporter]\npoll_interval_ms = 20000\n";
  ExporterConfig started = LoadConfig(path).value();
  int applied = 0;
  Reloader reloader(
      started, [&] { return LoadConfig(path); },
      [&](const ExporterConfig&) {
        ++applied;
        return Status::Ok();
      },
      kNoCoolDown);
  for (const std::string& text : {"x = " + std::string(10000, '['), "x = " + Repeat("{a = ", 5000)}) {
    std::ofstream(path, std::ios::trunc) << "[exporter]\npoll_interval_ms = 1000\n" << text << "\n";
    Status failed = reloader.Request("test").status;
    EXPECT_FALSE(failed.ok());
    EXPECT_NE(failed.message().find(path + ":3:"), std::string::npos) << failed.message();
    EXPECT_NE(failed.message().find("nested more than"), std::string::npos) << failed.message();
    EXPECT_EQ(reloader.Current()->poll_interval_ms, 20000);
    EXPECT_FALSE(reloader.Status().last_successful);
  }
  EXPECT_EQ(applied, 0);
  std::filesystem::remove(path);
}

// A storm of reload requests (a POST loop, SIGHUP at 100/s) reloads once at once and then once
// more, of the file as it is at the end, instead of once per request (101 reloads before).
TEST(Reloader, ABurstOfRequestsEndsInOneMoreReloadOfTheLatestFile) {
  constexpr auto kCoolDown = std::chrono::milliseconds(300);
  std::atomic<int> version{1};
  std::atomic<int> applied{0};
  Reloader reloader(
      ExporterConfig{},
      [&]() -> StatusOr<ExporterConfig> {
        ExporterConfig next;
        next.poll_interval_ms = version.load();
        return next;
      },
      [&](const ExporterConfig&) {
        ++applied;
        return Status::Ok();
      },
      kCoolDown);
  ReloadOutcome first = reloader.Request("test");
  EXPECT_FALSE(first.scheduled);
  EXPECT_TRUE(first.status.ok());
  EXPECT_EQ(applied, 1);
  int scheduled = 0;
  for (int i = 0; i < 100; ++i) {
    version = 2 + i;
    scheduled += reloader.Request("test").scheduled ? 1 : 0;
  }
  EXPECT_EQ(scheduled, 100) << "within the cool-down every request is folded into one scheduled reload";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (applied < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Several cool-downs later nothing more has run.
  std::this_thread::sleep_for(kCoolDown * 4);
  std::printf("reloads after 101 requests: %d\n", applied.load());
  EXPECT_EQ(applied, 2);
  EXPECT_EQ(reloader.Current()->poll_interval_ms, 101) << "the scheduled reload reads the latest file";
}

// Out of threads, building the new collectors throws std::system_error; that fails the reload
// (and is reported) while the process and the running config carry on. It escaped before.
TEST(Reloader, AThreadThatCannotStartFailsTheReloadNotTheProcess) {
  ExporterConfig started;
  started.poll_interval_ms = 1000;
  Reloader reloader(
      started, [] { return StatusOr<ExporterConfig>(ExporterConfig{}); },
      [](const ExporterConfig&) -> Status {
        throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again));
      },
      kNoCoolDown);
  Status failed = reloader.Request("test").status;
  EXPECT_FALSE(failed.ok());
  EXPECT_NE(failed.message().find("cannot start a thread"), std::string::npos) << failed.message();
  EXPECT_FALSE(reloader.Status().last_successful);
  EXPECT_EQ(reloader.Current()->poll_interval_ms, 1000);
}

// An empty or comments-only file (a truncated or half-written one) is the defaults at start but
// never replaces a running config; it reloaded "successfully" to the defaults before.
TEST(Reloader, AnEmptyFileIsRefusedByAReload) {
  const std::string path = TempConfigPath("empty");
  std::ofstream(path) << "[exporter]\npoll_interval_ms = 20000\n";
  ExporterConfig started = LoadConfig(path).value();
  EXPECT_FALSE(started.empty_file);
  int applied = 0;
  Reloader reloader(
      started, [&] { return LoadConfig(path); },
      [&](const ExporterConfig&) {
        ++applied;
        return Status::Ok();
      },
      kNoCoolDown);
  for (const char* text : {"", "\n  \n", "# only a comment\n"}) {
    std::ofstream(path, std::ios::trunc) << text;
    ASSERT_TRUE(LoadConfig(path).ok()) << "at start such a file is the defaults";
    EXPECT_TRUE(LoadConfig(path)->empty_file);
    Status refused = reloader.Request("test").status;
    EXPECT_FALSE(refused.ok());
    EXPECT_NE(refused.message().find(path + " holds no settings"), std::string::npos) << refused.message();
    EXPECT_EQ(reloader.Current()->poll_interval_ms, 20000);
  }
  EXPECT_EQ(applied, 0);
  std::ofstream(path, std::ios::trunc) << "[exporter]\nenable_lifecycle = true\n";
  EXPECT_TRUE(reloader.Request("test").status.ok());
  EXPECT_TRUE(reloader.Current()->enable_lifecycle);
  std::filesystem::remove(path);
}

// Every reload replaced spdlog's default logger; threads logging through the old one then used a
// freed logger (SIGSEGV in a reload storm). Now a reload reconfigures the one logger in place.
TEST(Logging, AReconfigureKeepsTheLoggerOtherThreadsLogThrough) {
  ASSERT_TRUE(ConfigureLogging("info", LogFormat::kText).ok());
  spdlog::logger* const first = spdlog::default_logger_raw();
  std::atomic<bool> done{false};
  std::thread logger([&] {
    while (!done) spdlog::debug("a line at debug, below the level");
  });
  int replaced = 0;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(ConfigureLogging(i % 2 == 0 ? "warn" : "info", i % 2 == 0 ? LogFormat::kJson : LogFormat::kText).ok());
    replaced += spdlog::default_logger_raw() != first ? 1 : 0;
  }
  done = true;
  logger.join();
  std::printf("default logger replaced by %d of 1000 reconfigurations\n", replaced);
  EXPECT_EQ(replaced, 0);
  EXPECT_EQ(spdlog::default_logger_raw()->level(), spdlog::level::info);
}

}  // namespace
}  // namespace tikv_exporter
