#include "collectors/pd/pd_metrics.h"

#include <gtest/gtest.h>

#include "tests/unit/exposition_checks.h"

namespace tikv_exporter::testing {
namespace {

// The moment the series are built (wall clock).
constexpr int64_t kNowMs = 1764000012345;
constexpr int64_t kNowMinus12sNs = 1764000000345000000;  // 12 s before kNowMs

PdStore Store(uint64_t id, const std::string& state) {
  PdStore store;
  store.id = id;
  store.address = "tikv-" + std::to_string(id) + ":20160";
  store.status_address = "tikv-" + std::to_string(id) + ":20180";
  store.version = "8.5.0";
  store.state = ParseEnum(kStoreStateNames, state).value_or(StoreState::kUnknown);
  store.engine = "tikv";
  store.region_count = 10.0 * static_cast<double>(id);
  return store;
}

// Three PD members and three stores, store 2 this node's (matched by address); no region data.
PdData Cluster() {
  PdData pd;
  pd.cluster_id = 7300000000000000001;
  pd.endpoint = "http://pd-1:2379";
  pd.members.resize(3);
  for (size_t i = 0; i < pd.members.size(); ++i) pd.members[i].name = "pd-" + std::to_string(i + 1);
  pd.members[1].leader = true;
  pd.members[0].healthy = true;
  pd.members[1].healthy = false;  // pd-3's /health did not answer
  pd.stores = {Store(1, "Up"), Store(2, "Up"), Store(3, "Disconnected")};
  pd.stores[1].capacity_bytes = 1000;
  pd.stores[1].available_bytes = 600;
  pd.stores[1].used_bytes = 400;
  pd.stores[1].leader_count = 4;
  pd.stores[1].region_score = 1.5;
  pd.stores[1].leader_score = 2.5;
  pd.stores[1].last_heartbeat_ns = kNowMinus12sNs;
  pd.local_store_id = 2;
  pd.local_store_match = "address";
  return pd;
}

// The same cluster with no store recognised as this node's.
PdData Unmatched() {
  PdData pd = Cluster();
  pd.local_store_id.reset();
  pd.local_store_match = "none";
  return pd;
}

// Region data fetched 30 s before kNowMs, kept for 60 s.
PdRegionData Regions() {
  PdRegionData r;
  r.fetched_ms = kNowMs - 30000;
  r.ttl_ms = 60000;
  r.unhealthy_regions = {{"miss-peer", 3}, {"down-peer", 0}};
  r.hot["write"]["leader"][2] = {4, 1024, 16, 0};
  r.hot["write"]["leader"][1] = {9, 9, 9, 0};  // another store's: not this node's
  r.hot["read"]["peer"][1] = {9, 9, 9, 0};     // only another store has read peers: 0 for ours
  r.pd_version = "8.5.0";
  r.max_replicas = 3;
  r.max_store_down_time_seconds = 1800;
  return r;
}

Families Build(const PdData& pd, StoreSeries mode = StoreSeries::kAll) {
  Families families;
  AddPdSeries(pd, kNowMs, mode, families);
  return families;
}

TEST(PdMetrics, ExportsMembersAndTheLeader) {
  const std::vector<std::string_view> kMembers = {
      "tikv_exporter_pd_cluster_info", "tikv_exporter_pd_member_leader",
      "tikv_exporter_pd_member_healthy", "tikv_exporter_pd_leader_present"};
  // pd-3's /health did not answer: no healthy sample rather than a made-up 0 or 1.
  EXPECT_EQ(SeriesOf(Build(Cluster()), kMembers),
            (Series{{"tikv_exporter_pd_cluster_info{cluster_id=\"7300000000000000001\",endpoint="
                     "\"http://pd-1:2379\"}",
                     1},
                    {"tikv_exporter_pd_member_leader{member=\"pd-1\"}", 0},
                    {"tikv_exporter_pd_member_leader{member=\"pd-2\"}", 1},
                    {"tikv_exporter_pd_member_leader{member=\"pd-3\"}", 0},
                    {"tikv_exporter_pd_member_healthy{member=\"pd-1\"}", 1},
                    {"tikv_exporter_pd_member_healthy{member=\"pd-2\"}", 0},
                    {"tikv_exporter_pd_leader_present{}", 1}}));

  PdData leaderless = Cluster();
  leaderless.members[1].leader = false;
  EXPECT_EQ(ValueOf(Build(leaderless), "tikv_exporter_pd_leader_present",
                    "tikv_exporter_pd_leader_present{}"),
            0);
}

TEST(PdMetrics, CountsStoresInEachStateAndOnesInAStateItDoesNotKnow) {
  PdData pd = Cluster();
  pd.stores = {Store(1, "Up"),           Store(2, "Up"),   Store(3, "Up"),
               Store(4, "Disconnected"), Store(5, "Down"), Store(6, "Tombstone"),
               Store(7, "Tombstone"),    Store(8, "Removing")};
  EXPECT_EQ(SeriesOf(Build(pd), {"tikv_exporter_pd_stores"}),
            (Series{{"tikv_exporter_pd_stores{state=\"Disconnected\"}", 1},
                    {"tikv_exporter_pd_stores{state=\"Down\"}", 1},
                    {"tikv_exporter_pd_stores{state=\"Offline\"}", 0},
                    {"tikv_exporter_pd_stores{state=\"Tombstone\"}", 2},
                    {"tikv_exporter_pd_stores{state=\"Unknown\"}", 1},
                    {"tikv_exporter_pd_stores{state=\"Up\"}", 3}}));
  // Whatever the store_series mode: the cluster's state is not per store.
  EXPECT_EQ(SeriesOf(Build(pd, StoreSeries::kLocal), {"tikv_exporter_pd_stores"}),
            SeriesOf(Build(pd), {"tikv_exporter_pd_stores"}));
}

TEST(PdMetrics, ExportsEveryStoreWithTheLocalOneMarked) {
  Families families = Build(Cluster());
  EXPECT_EQ(
      SeriesOf(families, {"tikv_exporter_pd_store_info"}),
      (Series{
          {"tikv_exporter_pd_store_info{address=\"tikv-1:20160\",engine=\"tikv\",local=\"false\","
           "status_address=\"tikv-1:20180\",store_id=\"1\",version=\"8.5.0\"}",
           1},
          {"tikv_exporter_pd_store_info{address=\"tikv-2:20160\",engine=\"tikv\",local=\"true\","
           "status_address=\"tikv-2:20180\",store_id=\"2\",version=\"8.5.0\"}",
           1},
          {"tikv_exporter_pd_store_info{address=\"tikv-3:20160\",engine=\"tikv\",local=\"false\","
           "status_address=\"tikv-3:20180\",store_id=\"3\",version=\"8.5.0\"}",
           1}}));
  Series state = SeriesOf(families, {"tikv_exporter_pd_store_state"});
  EXPECT_EQ(state.size(), 18u);  // six states (Unknown included) for each of three stores
  EXPECT_EQ(state["tikv_exporter_pd_store_state{state=\"Up\",store_id=\"1\"}"], 1);
  EXPECT_EQ(state["tikv_exporter_pd_store_state{state=\"Disconnected\",store_id=\"1\"}"], 0);
  EXPECT_EQ(state["tikv_exporter_pd_store_state{state=\"Disconnected\",store_id=\"3\"}"], 1);
  EXPECT_EQ(state["tikv_exporter_pd_store_state{state=\"Up\",store_id=\"3\"}"], 0);
  // Fields PD did not give (for stores 1 and 3 here) give no sample.
  EXPECT_EQ(SeriesOf(families,
                     {"tikv_exporter_pd_store_regions", "tikv_exporter_pd_store_size_bytes",
                      "tikv_exporter_pd_store_leaders", "tikv_exporter_pd_store_region_score",
                      "tikv_exporter_pd_store_leader_score", "tikv_exporter_pd_local_store_id"}),
            (Series{{"tikv_exporter_pd_store_regions{store_id=\"1\"}", 10},
                    {"tikv_exporter_pd_store_regions{store_id=\"2\"}", 20},
                    {"tikv_exporter_pd_store_regions{store_id=\"3\"}", 30},
                    {"tikv_exporter_pd_store_size_bytes{store_id=\"2\",type=\"available\"}", 600},
                    {"tikv_exporter_pd_store_size_bytes{store_id=\"2\",type=\"capacity\"}", 1000},
                    {"tikv_exporter_pd_store_size_bytes{store_id=\"2\",type=\"used\"}", 400},
                    {"tikv_exporter_pd_store_leaders{store_id=\"2\"}", 4},
                    {"tikv_exporter_pd_store_region_score{store_id=\"2\"}", 1.5},
                    {"tikv_exporter_pd_store_leader_score{store_id=\"2\"}", 2.5},
                    {"tikv_exporter_pd_local_store_id{}", 2}}));
}

TEST(PdMetrics, LocalStoreSeriesOnlyKeepsThisNodesStore) {
  Families families = Build(Cluster(), StoreSeries::kLocal);
  for (const char* name :
       {"tikv_exporter_pd_store_info", "tikv_exporter_pd_store_state",
        "tikv_exporter_pd_store_size_bytes", "tikv_exporter_pd_store_regions",
        "tikv_exporter_pd_store_leaders", "tikv_exporter_pd_store_region_score",
        "tikv_exporter_pd_store_leader_score", "tikv_exporter_pd_store_heartbeat_age_seconds"}) {
    const MetricFamily* family = families.exposition().Find(name);
    ASSERT_NE(family, nullptr) << name;
    ASSERT_FALSE(family->samples.empty()) << name;
    for (const Sample& sample : family->samples)
      EXPECT_EQ(sample.LabelValue("store_id"), "2") << name;
  }
  EXPECT_EQ(SeriesOf(families, {"tikv_exporter_pd_store_state"}).size(), 6u);
  EXPECT_EQ(
      ValueOf(families, "tikv_exporter_pd_store_info",
              "tikv_exporter_pd_store_info{address=\"tikv-2:20160\",engine=\"tikv\",local=\"true\","
              "status_address=\"tikv-2:20180\",store_id=\"2\",version=\"8.5.0\"}"),
      1);

  // No store matched: in local mode there is no per-store series at all.
  Families none = Build(Unmatched(), StoreSeries::kLocal);
  EXPECT_TRUE(SeriesOf(none, {"tikv_exporter_pd_store_info"}).empty());
  EXPECT_TRUE(SeriesOf(none, {"tikv_exporter_pd_store_regions"}).empty());
  EXPECT_EQ(SeriesOf(none, {"tikv_exporter_pd_stores"}).size(), std::size(kStoreStateNames));
}

TEST(PdMetrics, HeartbeatAgeIsTakenFromNow) {
  PdData pd = Cluster();
  pd.stores[0].last_heartbeat_ns = kNowMinus12sNs - 1'500'000'000;  // 13.5 s ago
  pd.stores[2].last_heartbeat_ns = (kNowMs + 5000) * 1'000'000;     // 5 s ahead (clock skew)
  Families families = Build(pd);
  Series age = SeriesOf(families, {"tikv_exporter_pd_store_heartbeat_age_seconds"});
  EXPECT_EQ(age.size(), 3u);
  EXPECT_DOUBLE_EQ(age["tikv_exporter_pd_store_heartbeat_age_seconds{store_id=\"1\"}"], 13.5);
  EXPECT_DOUBLE_EQ(age["tikv_exporter_pd_store_heartbeat_age_seconds{store_id=\"2\"}"], 12);
  EXPECT_EQ(age["tikv_exporter_pd_store_heartbeat_age_seconds{store_id=\"3\"}"],
            0);  // never negative

  // Unknown heartbeat (0): no sample rather than an age of 56 years.
  pd.stores[0].last_heartbeat_ns = 0;
  EXPECT_EQ(SeriesOf(Build(pd), {"tikv_exporter_pd_store_heartbeat_age_seconds"}).size(), 2u);
}

TEST(PdMetrics, HeartbeatAgeKeepsMillisecondsExact) {
  // A heartbeat 0.123 s before a moment 1.76e9 s after the epoch: the difference must not lose
  // digits to the size of the two timestamps.
  PdData pd = Cluster();
  pd.stores[1].last_heartbeat_ns = (kNowMs - 123) * 1'000'000;
  EXPECT_DOUBLE_EQ(*ValueOf(Build(pd), "tikv_exporter_pd_store_heartbeat_age_seconds",
                            "tikv_exporter_pd_store_heartbeat_age_seconds{store_id=\"2\"}"),
                   0.123);
}

TEST(PdMetrics, HelpClaimsNoMoreThanTheSeriesHold) {
  Families families = Build(Cluster(), StoreSeries::kLocal);
  const Exposition& e = families.exposition();
  // Rounded only over HTTP; which stores depends on store_series.
  EXPECT_NE(e.Find("tikv_exporter_pd_store_size_bytes")->help.find("exact over gRPC"),
            std::string::npos);
  EXPECT_NE(e.Find("tikv_exporter_pd_store_info")->help.find("store_series"), std::string::npos);
}

TEST(PdMetrics, LocalStoreMatchedNamesTheMethod) {
  EXPECT_EQ(SeriesOf(Build(Cluster()), {"tikv_exporter_pd_local_store_matched"}),
            (Series{{"tikv_exporter_pd_local_store_matched{method=\"address\"}", 1}}));
  Families families = Build(Unmatched());
  EXPECT_EQ(SeriesOf(families, {"tikv_exporter_pd_local_store_matched"}),
            (Series{{"tikv_exporter_pd_local_store_matched{method=\"none\"}", 0}}));
  EXPECT_TRUE(SeriesOf(families, {"tikv_exporter_pd_local_store_id"}).empty());
  for (const Sample& sample : families.exposition().Find("tikv_exporter_pd_store_info")->samples) {
    EXPECT_EQ(sample.LabelValue("local"), "false");
  }
}

const std::vector<std::string_view> kRegionFamilies = {
    "tikv_exporter_pd_region_data_age_seconds",
    "tikv_exporter_pd_info",
    "tikv_exporter_pd_max_replicas",
    "tikv_exporter_pd_max_store_down_time_seconds",
    "tikv_exporter_pd_unhealthy_regions",
    "tikv_exporter_pd_local_hot_regions",
    "tikv_exporter_pd_local_hot_flow_bytes_per_second",
    "tikv_exporter_pd_local_hot_flow_keys_per_second"};

TEST(PdMetrics, RegionDataIsAbsentBeforeTheFirstFetch) {
  EXPECT_EQ(SeriesOf(Build(Cluster()), kRegionFamilies), Series{});
}

TEST(PdMetrics, RegionDataIsExportedAndSaysItIsCached) {
  PdData pd = Cluster();
  pd.regions = Regions();
  Families families = Build(pd);
  // The hot spots of this node's store (2) only; a kind and role where it has none is 0.
  EXPECT_EQ(
      SeriesOf(families, kRegionFamilies),
      (Series{{"tikv_exporter_pd_region_data_age_seconds{}", 30},
              {"tikv_exporter_pd_info{version=\"8.5.0\"}", 1},
              {"tikv_exporter_pd_max_replicas{}", 3},
              {"tikv_exporter_pd_max_store_down_time_seconds{}", 1800},
              {"tikv_exporter_pd_unhealthy_regions{kind=\"down-peer\"}", 0},
              {"tikv_exporter_pd_unhealthy_regions{kind=\"miss-peer\"}", 3},
              {"tikv_exporter_pd_local_hot_regions{kind=\"read\",role=\"peer\"}", 0},
              {"tikv_exporter_pd_local_hot_regions{kind=\"write\",role=\"leader\"}", 4},
              {"tikv_exporter_pd_local_hot_flow_bytes_per_second{kind=\"read\",role=\"peer\"}", 0},
              {"tikv_exporter_pd_local_hot_flow_bytes_per_second{kind=\"write\",role=\"leader\"}",
               1024},
              {"tikv_exporter_pd_local_hot_flow_keys_per_second{kind=\"read\",role=\"peer\"}", 0},
              {"tikv_exporter_pd_local_hot_flow_keys_per_second{kind=\"write\",role=\"leader\"}",
               16}}));
  for (std::string_view name : kRegionFamilies) {
    if (name == "tikv_exporter_pd_region_data_age_seconds") continue;
    EXPECT_NE(families.exposition().Find(name)->help.find(
                  "; cached, refreshed every 60 s (region_ttl_ms), see "
                  "tikv_exporter_pd_region_data_age_seconds."),
              std::string::npos)
        << name;
  }
  // Without a local store there is no hot-spot series (they are this node's), the rest stays.
  pd.local_store_id.reset();
  Series unmatched = SeriesOf(Build(pd), kRegionFamilies);
  EXPECT_EQ(unmatched.size(), 6u);
  EXPECT_FALSE(
      unmatched.contains("tikv_exporter_pd_local_hot_regions{kind=\"write\",role=\"leader\"}"));
}

TEST(PdMetrics, PassesPromtoolWithNoSeriesTwice) {
  PdData pd = Cluster();
  pd.regions = Regions();
  SCOPED_TRACE("every store");
  ExpectWellFormed(Build(pd));
  SCOPED_TRACE("local store only");
  ExpectWellFormed(Build(pd, StoreSeries::kLocal));
}

}  // namespace
}  // namespace tikv_exporter::testing
