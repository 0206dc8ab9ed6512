#include "exporter/reloader.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace tikv_exporter
