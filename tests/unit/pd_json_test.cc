#include "collectors/pd/pd_json.h"

#include <gtest/gtest.h>

#include "tests/unit/test_files.h"

namespace tikv_exporter {
namespace {

using testing::Fixture;
using testing::ReadFile;

constexpr double kGiB = 1024.0 * 1024 * 1024;
constexpr double kMiB = 1024.0 * 1024;

TEST(PdSize, ReadsBothPdFormats) {
  EXPECT_DOUBLE_EQ(*ParsePdSize("311.7GiB"), 311.7 * kGiB);
  EXPECT_DOUBLE_EQ(*ParsePdSize("1B"), 1);
  EXPECT_DOUBLE_EQ(*ParsePdSize("21.15KiB"), 21.15 * 1024);
  EXPECT_DOUBLE_EQ(*ParsePdSize("43 GiB"), 43 * kGiB);  // PD <= 3.0 (go-humanize)
  EXPECT_DOUBLE_EQ(*ParsePdSize("1.5TiB"), 1.5 * kGiB * 1024);
  EXPECT_DOUBLE_EQ(*ParsePdSize("1e+03GiB"), 1000 * kGiB);  // %.4g switches to exponents
  EXPECT_FALSE(ParsePdSize("GiB").ok());
  EXPECT_FALSE(ParsePdSize("12 parsecs").ok());
  EXPECT_FALSE(ParsePdSize("").ok());
}

TEST(PdJson, StoresV81) {
  StatusOr<std::vector<PdStore>> stores = ParsePdStores(ReadFile(Fixture("pd-v8.1.0-api-stores.json")));
  ASSERT_TRUE(stores.ok()) << stores.status().message();
  ASSERT_EQ(stores->size(), 4u);
  const PdStore& first = (*stores)[0];
  EXPECT_EQ(first.id, 4u);
  EXPECT_EQ(first.state, StoreState::kUp);
  EXPECT_EQ(first.engine, "tikv");
  EXPECT_EQ(first.version, "8.1.0");
  EXPECT_EQ(first.status_address, "basic-tikv-5gzwgj.basic-tikv-peer.default:20180");
  EXPECT_DOUBLE_EQ(*first.capacity_bytes, 311.7 * kGiB);
  EXPECT_DOUBLE_EQ(*first.available_bytes, 222.1 * kGiB);
  EXPECT_DOUBLE_EQ(*first.used_bytes, 290.7 * kMiB);
  EXPECT_EQ(first.leader_count, 17);
  EXPECT_EQ(first.region_count, 60);
  EXPECT_DOUBLE_EQ(*first.region_score, 127.38727094442186);
  EXPECT_EQ(first.last_heartbeat_ns, 1735098083480549971);  // above 2^53: read exactly
  const PdStore& tiflash = (*stores)[1];
  EXPECT_EQ(tiflash.id, 20u);
  EXPECT_EQ(tiflash.engine, "tiflash");
  EXPECT_EQ(tiflash.version, "v8.1.0");
  EXPECT_DOUBLE_EQ(*tiflash.used_bytes, 1);
}

TEST(PdJson, SingleStoreV81) {
  StatusOr<std::vector<PdStore>> stores = ParsePdStores(ReadFile(Fixture("pd-v8.1.0-api-store-4.json")));
  ASSERT_TRUE(stores.ok()) << stores.status().message();
  ASSERT_EQ(stores->size(), 1u);
  EXPECT_EQ((*stores)[0].id, 4u);
  EXPECT_EQ((*stores)[0].leader_count, 0);
  EXPECT_EQ((*stores)[0].region_count, 5);
  EXPECT_DOUBLE_EQ(*(*stores)[0].capacity_bytes, 309.4 * kGiB);
}

TEST(PdJson, StoresV616WithAnOfflineStoreAndTiflash) {
  StatusOr<std::vector<PdStore>> stores =
      ParsePdStores(ReadFile(Fixture("pd-v6.1.6-api-stores-offline-tiflash.json")));
  ASSERT_TRUE(stores.ok()) << stores.status().message();
  ASSERT_EQ(stores->size(), 5u);
  EXPECT_EQ((*stores)[0].state, StoreState::kOffline);
  EXPECT_EQ((*stores)[0].leader_count, 0);
  EXPECT_EQ((*stores)[0].region_count, 7);
  EXPECT_DOUBLE_EQ(*(*stores)[0].region_score, 5405879793.309714);
  int tiflash = 0;
  for (const PdStore& store : *stores) tiflash += store.engine == "tiflash";
  EXPECT_EQ(tiflash, 2);
}

TEST(PdJson, StoresV4) {
  for (const char* name : {"pd-v4.0.14-api-stores.json", "pd-v4.1.0-alpha-api-stores.json"}) {
    StatusOr<std::vector<PdStore>> stores = ParsePdStores(ReadFile(Fixture(name)));
    ASSERT_TRUE(stores.ok()) << name << ": " << stores.status().message();
    ASSERT_EQ(stores->size(), 3u) << name;
    for (const PdStore& store : *stores) {
      EXPECT_EQ(store.state, StoreState::kUp) << name;
      EXPECT_TRUE(store.capacity_bytes && store.available_bytes && store.used_bytes) << name;
      EXPECT_GT(store.last_heartbeat_ns, 1'500'000'000'000'000'000) << name;
    }
  }
  StatusOr<std::vector<PdStore>> v4 = ParsePdStores(ReadFile(Fixture("pd-v4.0.14-api-stores.json")));
  EXPECT_EQ((*v4)[0].status_address, "172.16.6.168:20180");
  EXPECT_DOUBLE_EQ(*(*v4)[0].used_bytes, 4.071 * kGiB);
  EXPECT_DOUBLE_EQ(*(*v4)[1].available_bytes, 432 * kGiB);
  EXPECT_EQ((*v4)[0].leader_count, 51);
  EXPECT_EQ((*v4)[0].region_count, 141);
}

TEST(PdJson, MembersV81KeepUint64IdsExact) {
  StatusOr<PdData> data = ParsePdMembers(ReadFile(Fixture("pd-v8.1.0-api-members.json")));
  ASSERT_TRUE(data.ok()) << data.status().message();
  EXPECT_EQ(data->cluster_id, 7452180154224557728u);
  ASSERT_EQ(data->members.size(), 3u);
  EXPECT_EQ(data->members[2].member_id, 12818309996638325969u);  // above INT64_MAX
  EXPECT_EQ(data->members[0].version, "v8.1.0");
  int leaders = 0;
  for (const PdMember& member : data->members) {
    if (member.leader) {
      ++leaders;
      EXPECT_EQ(member.name, "basic-53pe89");
    }
  }
  EXPECT_EQ(leaders, 1);
}

TEST(PdJson, MembersV4) {
  StatusOr<PdData> data = ParsePdMembers(ReadFile(Fixture("pd-v4.0.14-api-members.json")));
  ASSERT_TRUE(data.ok()) << data.status().message();
  EXPECT_EQ(data->members.size(), 3u);
  EXPECT_NE(data->cluster_id, 0u);
}

TEST(PdJson, Health) {
  for (const char* name : {"pd-v8.1.0-api-health.json", "pd-v4.0.14-api-health.json"}) {
    StatusOr<std::vector<PdMember>> health = ParsePdHealth(ReadFile(Fixture(name)));
    ASSERT_TRUE(health.ok()) << name << ": " << health.status().message();
    ASSERT_EQ(health->size(), 3u);
    for (const PdMember& member : *health) EXPECT_EQ(member.healthy, true) << name;
  }
  StatusOr<std::vector<PdMember>> v4 = ParsePdHealth(ReadFile(Fixture("pd-v4.0.14-api-health.json")));
  EXPECT_EQ((*v4)[2].member_id, 13248060353287547571u);
}

TEST(PdJson, LeaderAndClusterV81) {
  StatusOr<PdMember> leader = ParsePdLeader(ReadFile(Fixture("pd-v8.1.0-api-leader.json")));
  ASSERT_TRUE(leader.ok()) << leader.status().message();
  EXPECT_EQ(leader->name, "basic-53pe89");
  EXPECT_EQ(leader->member_id, 2548954049902922308u);
  EXPECT_TRUE(leader->leader);
  // /cluster's id is the one /members carries in its header, exact as a uint64.
  StatusOr<uint64_t> id = ParsePdClusterId(ReadFile(Fixture("pd-v8.1.0-api-cluster.json")));
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(*id, ParsePdMembers(ReadFile(Fixture("pd-v8.1.0-api-members.json")))->cluster_id);
  EXPECT_EQ(*id, 7452180154224557728u);
}

TEST(PdJson, StatusAndConfigV4) {
  EXPECT_EQ(*ParsePdVersion(ReadFile(Fixture("pd-v4.0.14-api-status.json"))), "v4.0.14");
  PdRegionData config;
  ASSERT_TRUE(ParsePdConfig(ReadFile(Fixture("pd-v4.0.14-api-config.json")), &config).ok());
  EXPECT_EQ(config.max_replicas, 3);
  EXPECT_EQ(config.max_store_down_time_seconds, 1800);  // "30m0s"
  PdRegionData replicate;
  ASSERT_TRUE(ParsePdConfig(ReadFile(Fixture("pd-v4.0.14-api-config-replicate.json")), &replicate).ok());
  EXPECT_EQ(replicate.max_replicas, 3);
  EXPECT_FALSE(replicate.max_store_down_time_seconds.has_value());
  EXPECT_FALSE(ParsePdVersion("{}").ok());
  EXPECT_FALSE(ParsePdLeader("{}").ok());
  EXPECT_FALSE(ParsePdClusterId("[]").ok());
}

TEST(PdJson, RegionCountAndHotspot) {
  EXPECT_EQ(*ParsePdRegionCount(R"({"count": 3, "regions": [{"id": 1}, {"id": 2}, {"id": 3}]})"), 3);
  auto hot = ParsePdHotspot(R"({"as_peer": {"4": {"total_flow_bytes": 1024.5, "total_flow_keys": 10,
      "regions_count": 2, "statistics": [{"region_id": 9}]}}, "as_leader": null})");
  ASSERT_TRUE(hot.ok()) << hot.status().message();
  EXPECT_DOUBLE_EQ(hot->at("peer").at(4).bytes_per_second, 1024.5);
  EXPECT_DOUBLE_EQ(hot->at("peer").at(4).regions, 2);
  EXPECT_FALSE(hot->contains("leader"));
}

// 300,000 minimal stores made protobuf allocate a message each until bad_alloc (SIGABRT): the
// store count is checked by the pre-scan, before protobuf sees the body.
TEST(PdJson, TooManyStoresOrMembersAreRefusedBeforeParsing) {
  std::string stores = R"({"count":300000,"stores":[{})";
  for (int i = 1; i < 300000; ++i) stores += ",{}";
  stores += "]}";
  StatusOr<std::vector<PdStore>> parsed = ParsePdStores(stores);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().limit(), Limit::kPdStores);
  EXPECT_EQ(parsed.status().message(), "PD /stores: an array of more than 10000 elements (at byte 30025)");

  std::string members = R"({"header":{"cluster_id":1},"members":[)";
  for (int i = 0; i < 100; ++i) members += std::string(i ? "," : "") + R"({"name":"pd","member_id":1})";
  StatusOr<PdData> data = ParsePdMembers(members + "]}");
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().limit(), Limit::kPdMembers);
}

// Nested arrays in PD's /config pinned a core in protobuf's Struct parser.
TEST(PdJson, DeepArraysAreRefusedByDepth) {
  const std::string deep = std::string(4096, '[') + std::string(4096, ']');
  PdRegionData out;
  Status config = ParsePdConfig("{\"schedule\":" + deep + "}", &out);
  EXPECT_EQ(config.limit(), Limit::kUpstreamJsonDepth) << config.message();
  EXPECT_EQ(ParsePdStores("{\"stores\":" + deep + "}").status().limit(), Limit::kUpstreamJsonDepth);
}

TEST(PdJson, GarbageIsAnErrorNotACrash) {
  for (const char* body : {"", "{", "<html>", "[1,2", "{\"stores\": 5}", "{\"count\": \"x\"}", "null"}) {
    EXPECT_FALSE(ParsePdStores(body).ok()) << body;
    EXPECT_FALSE(ParsePdMembers(std::string(body) + "}").ok()) << body;
  }
  EXPECT_FALSE(ParsePdHealth("{}").ok());
}

// GET /gc/safepoint as PD's service_gc_safepoint handler writes it (upstreams §2.1): TSOs as
// JSON numbers above 2^53, which must stay exact; expired_at int64 max for gc_worker.
TEST(PdJson, GcSafePointsOldestFirstAndExact) {
  const std::string body = R"({"service_gc_safe_points": [
      {"service_id": "gc_worker", "expired_at": 9223372036854775807, "safe_point": 449611206135480321},
      {"service_id": "ticdc-default-12345", "expired_at": 1764586400, "safe_point": 449565904928145409}],
    "min_service_gc_safe_point": 449565904928145409, "gc_safe_point": 449565904928145409})";
  StatusOr<PdGcSafePoints> gc = ParsePdGcSafePoints(body);
  ASSERT_TRUE(gc.ok()) << gc.status().message();
  EXPECT_EQ(gc->gc_safe_point, 449565904928145409u);
  ASSERT_EQ(gc->services.size(), 2u);
  EXPECT_EQ(gc->services[0].service_id, "ticdc-default-12345");  // the oldest holds GC back
  EXPECT_EQ(gc->services[0].safe_point, 449565904928145409u);
  EXPECT_EQ(gc->services[0].expired_at_seconds, 1764586400);
  EXPECT_EQ(gc->services[1].expired_at_seconds, INT64_MAX);
  EXPECT_FALSE(ParsePdGcSafePoints("{\"gc_safe_point\": \"x\"}").ok());
}

TEST(PdJson, GcSafePointsAreBounded) {
  std::string body = R"({"gc_safe_point": 1, "service_gc_safe_points": [)";
  for (int i = 0; i < 150; ++i) {
    body += (i > 0 ? "," : "") + std::string(R"({"service_id": "br-)") + std::to_string(i) +
            R"(", "expired_at": 1, "safe_point": )" + std::to_string(1000 - i) + "}";
  }
  body += "]}";
  StatusOr<PdGcSafePoints> gc = ParsePdGcSafePoints(body);
  ASSERT_TRUE(gc.ok()) << gc.status().message();
  EXPECT_EQ(gc->services.size(), kPdMaxServiceSafePoints);
  EXPECT_EQ(gc->services_left_out, 50u);
  EXPECT_EQ(gc->services.front().service_id, "br-149") << "safe point 851, the oldest";
}

}  // namespace
}  // namespace tikv_exporter
