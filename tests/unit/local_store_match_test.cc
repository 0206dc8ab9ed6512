// Finding this node's store among PD's when PD and status_address name the node differently.

#include "collectors/pd/local_store_match.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace tikv_exporter {
namespace {

const HostIdentity kHost{"tikv-0", {"127.0.0.1", "::1", "10.0.1.5"}};

std::vector<PdStore> Stores(const std::vector<std::string>& status_addresses) {
  std::vector<PdStore> stores;
  for (size_t i = 0; i < status_addresses.size(); ++i) {
    PdStore store;
    store.id = 1 + 3 * i;
    store.status_address = status_addresses[i];
    stores.push_back(store);
  }
  return stores;
}

TEST(LocalStoreMatch, PdListsAnIpOfThisHostAndStatusAddressIsLoopback) {
  LocalStoreMatch match = MatchLocalStore(
      Stores({"10.0.1.4:20180", "10.0.1.5:20180", "10.0.1.6:20180"}), "127.0.0.1:20180", {}, kHost);
  EXPECT_EQ(match.store_id, 4u);
  EXPECT_EQ(match.method, "this_host");
  EXPECT_NE(match.detail.find("10.0.1.5:20180"), std::string::npos) << match.detail;
}

TEST(LocalStoreMatch, PdListsLoopbackAndStatusAddressIsAnIpOfThisHost) {
  LocalStoreMatch match =
      MatchLocalStore(Stores({"127.0.0.1:20181", "127.0.0.1:20180"}), "10.0.1.5:20180", {}, kHost);
  EXPECT_EQ(match.store_id, 4u);
  EXPECT_EQ(match.method, "this_host");
}

TEST(LocalStoreMatch, PdListsThePodNameAndStatusAddressIsTheWildcard) {
  LocalStoreMatch match =
      MatchLocalStore(Stores({"tikv-1.tikv-peer.ns.svc:20180", "TiKV-0.tikv-peer.ns.svc:20180"}),
                      "0.0.0.0:20180", {}, kHost);
  EXPECT_EQ(match.store_id, 4u);
}

TEST(LocalStoreMatch, TheSameAddressWinsOverThisHostsOthers) {
  LocalStoreMatch match = MatchLocalStore(Stores({"127.0.0.1:20180", "10.0.1.5:20180"}),
                                          "http://10.0.1.5:20180", {}, kHost);
  EXPECT_EQ(match.store_id, 4u);
  EXPECT_EQ(match.method, "address");
}

TEST(LocalStoreMatch, AnotherPortOrAnotherHostIsNotThisNode) {
  LocalStoreMatch match =
      MatchLocalStore(Stores({"10.0.1.5:20181", "10.0.1.9:20180"}), "127.0.0.1:20180", {}, kHost);
  EXPECT_FALSE(match.store_id);
  EXPECT_EQ(match.method, "none");
  EXPECT_NE(match.detail.find("PD lists 10.0.1.5:20181, 10.0.1.9:20180"), std::string::npos)
      << match.detail;
  EXPECT_NE(match.detail.find("local_store_id"), std::string::npos) << match.detail;
}

TEST(LocalStoreMatch, TwoStoresOnThisHostAtThePortAreAmbiguous) {
  LocalStoreMatch match =
      MatchLocalStore(Stores({"10.0.1.5:20180", "tikv-0:20180"}), "127.0.0.1:20180", {}, kHost);
  EXPECT_FALSE(match.store_id);
  EXPECT_NE(match.detail.find("stores 1 and 4"), std::string::npos) << match.detail;
}

TEST(LocalStoreMatch, AConfiguredIdWinsAndIsCheckedAgainstPd) {
  EXPECT_EQ(
      MatchLocalStore(Stores({"10.0.1.5:20180", "a:1"}), "127.0.0.1:20180", 4, kHost).store_id, 4u);
  EXPECT_EQ(MatchLocalStore(Stores({"a:1"}), "127.0.0.1:20180", 4, kHost).method, "none");
}

TEST(LocalStoreMatch, ThisHostKnowsItsLoopbackAddress) {
  HostIdentity self = ThisHost();
  EXPECT_FALSE(self.hostname.empty());
  EXPECT_NE(std::find(self.addresses.begin(), self.addresses.end(), "127.0.0.1"),
            self.addresses.end());
}

}  // namespace
}  // namespace tikv_exporter
