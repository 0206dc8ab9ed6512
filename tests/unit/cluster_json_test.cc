#include "web/cluster_json.h"

#include <gtest/gtest.h>

#include "collectors/pd/pd_json.h"
#include "tests/unit/test_files.h"

namespace tikv_exporter {
namespace {

PdData Stores(int count, uint64_t local) {
  PdData pd;
  pd.cluster_id = 7452180154224557728u;
  for (int i = count; i >= 1; --i) {
    PdStore store;
    store.id = static_cast<uint64_t>(i);
    store.address = "tikv-" + std::to_string(i) + ":20160";
    store.state = StoreState::kUp;
    pd.stores.push_back(store);
  }
  pd.local_store_id = local;
  return pd;
}

TEST(ClusterJson, ListsTheLocalStoreFirstThenByIdAndCountsWhatTheCapLeftOut) {
  const std::string json = ClusterJson(Stores(5, 4), 3);
  EXPECT_NE(json.find("\"stores_total\":5,\"stores_left_out\":2"), std::string::npos) << json;
  const size_t local = json.find("\"id\":4,");
  const size_t first = json.find("\"id\":1,");
  const size_t second = json.find("\"id\":2,");
  ASSERT_NE(local, std::string::npos);
  EXPECT_LT(local, first);
  EXPECT_LT(first, second);
  EXPECT_EQ(json.find("\"id\":3,"), std::string::npos) << json;  // beyond the cap
  EXPECT_NE(json.find("\"cluster_id\":\"7452180154224557728\""), std::string::npos);  // a string: 64 bits
}

TEST(ClusterJson, CarriesTheRealStoresFieldsAndTheUsedShareOfTheDisk) {
  PdData pd;
  pd.stores = *ParsePdStores(testing::ReadFile(testing::Fixture("pd-v8.1.0-api-stores.json")));
  const PdStore& first = pd.stores.front();
  ASSERT_TRUE(first.capacity_bytes && first.available_bytes);
  const std::string json = ClusterJson(pd);
  EXPECT_NE(json.find("\"stores_left_out\":0"), std::string::npos) << json;
  EXPECT_NE(json.find("\"state\":\"Up\""), std::string::npos);
  EXPECT_NE(json.find("\"leader_count\":"), std::string::npos);
  EXPECT_NE(json.find("\"used_ratio\":"), std::string::npos);
  EXPECT_EQ(json.find("\"local\":true"), std::string::npos);  // no store matched this node
}

TEST(ClusterJson, RocksDbLevelsComeFromTheLatestDumpWithoutTheIntervalRow) {
  RocksDbLogData log;
  EXPECT_EQ(RocksDbLevelsJson(log), "");  // nothing read yet: the endpoint answers 503
  RocksDbStats stats;
  auto row = [](const char* name, double files, double size) {
    RocksDbLevelStats level;
    level.level = name;
    level.files = files;
    level.size_bytes = size;
    return level;
  };
  stats.levels["default"] = {row("L0", 3, 1024), row("Sum", 3, 1024), row("Int", 1, 0)};
  stats.levels["write"] = {row("L6", 7, 2048)};
  log.latest = stats;
  const std::string json = RocksDbLevelsJson(log, 1);
  EXPECT_NE(json.find("\"cfs_left_out\":1"), std::string::npos) << json;
  EXPECT_NE(json.find("{\"level\":\"L0\",\"files\":3,\"files_compacting\":0,\"size_bytes\":1024}"), std::string::npos)
      << json;
  EXPECT_NE(json.find("\"Sum\""), std::string::npos);
  EXPECT_EQ(json.find("\"Int\""), std::string::npos);
  EXPECT_EQ(json.find("\"write\""), std::string::npos);  // beyond the cap of one column family
}

}  // namespace
}  // namespace tikv_exporter
