#include "web/discovery.h"

#include <gtest/gtest.h>

#include "collectors/pd/pd_json.h"
#include "tests/unit/test_files.h"

namespace tikv_exporter {
namespace {

PdData FromFixture(const std::string& name) {
  PdData pd;
  pd.cluster_id = 7452180154224557728u;
  pd.stores = *ParsePdStores(testing::ReadFile(testing::Fixture(name)));
  return pd;
}

TEST(Discovery, ListsTheSidecarOfEveryUpTikvStore) {
  const std::string json = DiscoveryTargetsJson(FromFixture("pd-v8.1.0-api-stores.json"), 10);
  EXPECT_NE(json.find("\"targets\":[\"basic-tikv-5gzwgj.basic-tikv-peer.default:20190\"]"), std::string::npos) << json;
  EXPECT_NE(json.find("\"__meta_tikv_store_id\":\"4\""), std::string::npos);
  EXPECT_NE(json.find("\"__meta_tikv_cluster_id\":\"7452180154224557728\""), std::string::npos);
  EXPECT_EQ(json.find("tiflash"), std::string::npos) << json;  // TiFlash has no TiKV sidecar
  size_t groups = 0;
  for (size_t at = json.find("\"targets\""); at != std::string::npos; at = json.find("\"targets\"", at + 1)) ++groups;
  EXPECT_EQ(groups, 3u);
}

TEST(Discovery, LeavesOutStoresThatAreNotUp) {
  const std::string json = DiscoveryTargetsJson(FromFixture("pd-v6.1.6-api-stores-offline-tiflash.json"), 10);
  EXPECT_EQ(json.find("192.168.93.128:20190"), std::string::npos) << json;  // Offline
  EXPECT_NE(json.find("192.168.93.130:20190"), std::string::npos) << json;
}

TEST(Discovery, AppliesThePortOffsetAndBracketsIpv6) {
  PdData pd;
  PdStore store;
  store.id = 9;
  store.state = StoreState::kUp;
  store.engine = "tikv";
  store.status_address = "[fd00::1]:20180";
  pd.stores.push_back(store);
  EXPECT_NE(DiscoveryTargetsJson(pd, 100).find("\"[fd00::1]:20280\""), std::string::npos);
  EXPECT_EQ(DiscoveryTargetsJson(PdData{}, 10), "[]");
}

}  // namespace
}  // namespace tikv_exporter
