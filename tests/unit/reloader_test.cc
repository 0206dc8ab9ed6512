#include "exporter/reloader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

namespace tikv_exporter {
namespace {

TEST(Reloader, AnInvalidConfigKeepsTheRunningOneAndIsReported) {
  ExporterConfig started;
  started.poll_interval_ms = 1000;
  int applied = 0;
  StatusOr<ExporterConfig> next = Status::Error("cfg.toml:2:14: [tikv] timeout_ms: expected an integer");
  Reloader reloader(started, [&] { return next; }, [&](const ExporterConfig&) { ++applied; });
  EXPECT_TRUE(reloader.Status().last_successful);
  const int64_t started_at = reloader.Status().last_success_ms;

  Status failed = reloader.Reload("test");
  EXPECT_FALSE(failed.ok());
  EXPECT_NE(failed.message().find("cfg.toml:2:14"), std::string::npos);
  EXPECT_FALSE(reloader.Status().last_successful);
  EXPECT_EQ(reloader.Status().last_success_ms, started_at);
  EXPECT_EQ(applied, 0);
  EXPECT_EQ(reloader.Current()->poll_interval_ms, 1000);

  ExporterConfig fixed = started;
  fixed.poll_interval_ms = 500;
  next = fixed;
  EXPECT_TRUE(reloader.Reload("test").ok());
  EXPECT_EQ(applied, 1);
  EXPECT_TRUE(reloader.Status().last_successful);
  EXPECT_EQ(reloader.Current()->poll_interval_ms, 500);
}

TEST(Reloader, WithoutAFileEveryReloadFails) {
  Reloader reloader(ExporterConfig{}, ConfigLoader(), [](const ExporterConfig&) {});
  EXPECT_FALSE(reloader.Reload("test").ok());
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
      [](const ExporterConfig&) {});
  std::future<Status> reload = std::async(std::launch::async, [&] { return reloader.Reload("test"); });
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
  const std::string path =
      (std::filesystem::temp_directory_path() / ("tikv-exporter-reload-" + std::to_string(::getpid()) + ".toml"))
          .string();
  std::ofstream(path) << "[exporter]\npoll_interval_ms = 20000\n";
  ExporterConfig started = LoadConfig(path).value();
  int applied = 0;
  Reloader reloader(started, [&] { return LoadConfig(path); }, [&](const ExporterConfig&) { ++applied; });
  for (const std::string& text : {"x = " + std::string(10000, '['), "x = " + Repeat("{a = ", 5000)}) {
    std::ofstream(path, std::ios::trunc) << "[exporter]\npoll_interval_ms = 1000\n" << text << "\n";
    Status failed = reloader.Reload("test");
    EXPECT_FALSE(failed.ok());
    EXPECT_NE(failed.message().find(path + ":3:"), std::string::npos) << failed.message();
    EXPECT_NE(failed.message().find("nested more than"), std::string::npos) << failed.message();
    EXPECT_EQ(reloader.Current()->poll_interval_ms, 20000);
    EXPECT_FALSE(reloader.Status().last_successful);
  }
  EXPECT_EQ(applied, 0);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace tikv_exporter
