#include "snapshot/config_drift.h"

#include <gtest/gtest.h>

namespace tikv_exporter {
namespace {

const char* kLiveConfig = R"({
  "storage": {"reserve-space": "5GiB", "capacity": "512GiB", "block-cache": {"capacity": "10GiB"},
              "enable-ttl": false},
  "raftstore": {"notify-capacity": 40960, "raft-base-tick-interval": "1s"},
  "rocksdb": {"max-background-jobs": 8,
              "defaultcf": {"block-cache-size": "10GiB", "write-buffer-size": "128MiB"},
              "writecf": {"block-cache-size": "4GiB", "write-buffer-size": "128MiB"}},
  "readpool": {"unified": {"max-thread-count": 4}},
  "labels": [1, 2], "nothing": null
})";

ExpectedSetting Declared(const std::string& text, std::optional<double> number) {
  return {text, number, "test"};
}

TEST(TikvConfig, FlattensTheJson) {
  StatusOr<TikvConfig> live = FlattenJson(kLiveConfig, "TiKV /config");
  ASSERT_TRUE(live.ok()) << live.status().message();
  EXPECT_EQ(live->at("storage.reserve-space"), "5GiB");
  EXPECT_EQ(live->at("storage.block-cache.capacity"), "10GiB");
  EXPECT_EQ(live->at("storage.enable-ttl"), "false");
  EXPECT_EQ(live->at("raftstore.notify-capacity"), "40960");
  EXPECT_EQ(live->at("readpool.unified.max-thread-count"), "4");
  EXPECT_FALSE(live->contains("labels"));
  EXPECT_FALSE(FlattenJson("{not json", "TiKV /config").ok());
}

TEST(ConfigDrift, ComparesSizesInBytesAndFindsKeysUnderTheirSection) {
  std::map<std::string, std::map<std::string, ExpectedSetting>> expected;
  expected["storage"]["reserve_space"] = Declared("50GB", 50.0 * (1ULL << 30));
  expected["storage"]["capacity"] = Declared("512GB", 512.0 * (1ULL << 30));
  expected["raftstore"]["notify_capacity"] = Declared("40960", 40960);
  expected["raftstore"]["raft_base_tick_interval"] = Declared("1000ms", 1);
  expected["rocksdb"]["block_cache_size"] = Declared("10GB", 10.0 * (1ULL << 30));
  expected["rocksdb"]["write_buffer_size"] = Declared("128MB", 128.0 * (1ULL << 20));
  expected["rocksdb"]["no_such_key"] = Declared("1", 1);
  std::vector<SettingDrift> drift = CompareSettings(expected, *FlattenJson(kLiveConfig, "TiKV /config"));
  std::map<std::string, SettingDrift> by_key;
  for (const SettingDrift& d : drift) by_key[d.section + "." + d.key] = d;
  ASSERT_EQ(by_key.size(), 7u);
  EXPECT_TRUE(by_key["storage.reserve_space"].drifted);  // 50 GiB declared, 5 GiB live
  EXPECT_EQ(by_key["storage.reserve_space"].live, "5GiB");
  EXPECT_FALSE(by_key["storage.capacity"].drifted);      // "512GB" = "512GiB"
  EXPECT_FALSE(by_key["raftstore.notify_capacity"].drifted);
  EXPECT_FALSE(by_key["raftstore.raft_base_tick_interval"].drifted);  // 1000ms = 1s
  EXPECT_EQ(by_key["rocksdb.block_cache_size"].live_path, "rocksdb.defaultcf.block-cache-size");
  EXPECT_FALSE(by_key["rocksdb.block_cache_size"].drifted);
  EXPECT_FALSE(by_key["rocksdb.write_buffer_size"].drifted);
  EXPECT_FALSE(by_key["rocksdb.no_such_key"].live.has_value());
  int drifted = 0;
  for (const SettingDrift& d : drift) drifted += d.live && d.drifted;
  EXPECT_EQ(drifted, 1);
}

}  // namespace
}  // namespace tikv_exporter
