// The PD collector against the simulated PD cluster (and real PD bodies) over real HTTP.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <vector>

#include "tests/integration/sim_and_exporter.h"

namespace tikv_exporter::testing {
namespace {

class PdIntegration : public ::testing::Test {
 protected:
  // A simulated node with three PD members; the exporter knows only the first two.
  void Start(const std::vector<std::string>& extra = {}, int poll_interval_ms = 500, int timeout_ms = 400) {
    for (int& port : pd_ports_) port = FreePort();
    std::vector<std::string> args = extra;
    for (int port : pd_ports_) {
      args.push_back("--pd-address");
      args.push_back("127.0.0.1:" + std::to_string(port));
    }
    env_.StartSim(args);
    // Every store's series: these tests check what PD says of other stores than this node's.
    std::string config = env_.ConfigText(poll_interval_ms, timeout_ms, {pd_ports_[0], pd_ports_[1]});
    config.replace(config.find("region_ttl_ms"), 0, "store_series = \"all\"\n");
    env_.StartExporterWithConfig(config);
    ASSERT_TRUE(WaitFor([&] { return SampleValue(env_.Metrics(), "tikv_exporter_up", {{"source", "pd"}}) == 1; },
                        std::chrono::seconds(10)))
        << env_.exporter().Log();
  }
  std::optional<double> Value(const std::string& name, const std::map<std::string, std::string>& labels = {}) {
    return SampleValue(env_.Metrics(), name, labels);
  }

  SimAndExporter env_;
  int pd_ports_[3] = {};
};

TEST_F(PdIntegration, ExportsTheClusterAndMarksThisNodesStore) {
  Start();
  ASSERT_TRUE(WaitFor([&] { return Value("tikv_exporter_pd_unhealthy_regions", {{"kind", "empty-region"}}).has_value(); },
                      std::chrono::seconds(10)));
  const std::string metrics = env_.Metrics();
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_cluster_info", {{"cluster_id", "7452180154224557728"}}), 1);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_local_store_id"), 1);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_local_store_matched", {{"method", "address"}}), 1);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_store_info", {{"store_id", "1"}, {"local", "true"}}), 1);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_store_info", {{"store_id", "4"}, {"local", "false"}}), 1);
  for (const char* id : {"1", "4", "7", "10", "13"}) {
    EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_store_state", {{"store_id", id}, {"state", "Up"}}), 1) << id;
  }
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_store_regions", {{"store_id", "4"}}), 307);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_store_leaders", {{"store_id", "4"}}), 103);
  EXPECT_DOUBLE_EQ(*SampleValue(metrics, "tikv_exporter_pd_store_size_bytes", {{"store_id", "1"}, {"type", "used"}}),
                   120.0 * (1ULL << 30));
  EXPECT_LT(*SampleValue(metrics, "tikv_exporter_pd_store_heartbeat_age_seconds", {{"store_id", "1"}}), 10);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_member_leader", {{"member", "pd-0"}}), 1);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_member_healthy", {{"member", "pd-2"}}), 1);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_unhealthy_regions", {{"kind", "empty-region"}}), 3);
  // Store 1's hot write flow in the simulator: 1 MiB/s over 1 region.
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_local_hot_flow_bytes_per_second",
                        {{"kind", "write"}, {"role", "leader"}}),
            1048576);
  EXPECT_LT(*SampleValue(metrics, "tikv_exporter_pd_region_data_age_seconds"), 5);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_info", {{"version", "v8.1.0"}}), 1);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_max_replicas"), 3);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_max_store_down_time_seconds"), 1800);

  std::string output;
  EXPECT_EQ(RunCommand("promtool check metrics < " + env_.dir().Write("m.prom", metrics), &output), 0) << output;
  EXPECT_EQ(output, "");
}

TEST_F(PdIntegration, StoreStateChangesShowUp) {
  Start();
  env_.Control("/control/pd/store?id=4&state=Down");
  env_.Control("/control/pd/store?id=7&state=Disconnected");
  // Both changes, not the first alone: a poll may fall between the two control requests (it did
  // under ThreadSanitizer's slow-down).
  ASSERT_TRUE(WaitFor(
      [&] {
        return Value("tikv_exporter_pd_store_state", {{"store_id", "4"}, {"state", "Down"}}) == 1 &&
               Value("tikv_exporter_pd_store_state", {{"store_id", "7"}, {"state", "Disconnected"}}) == 1;
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(Value("tikv_exporter_pd_store_state", {{"store_id", "4"}, {"state", "Up"}}), 0);
  EXPECT_GT(*Value("tikv_exporter_pd_store_heartbeat_age_seconds", {{"store_id", "4"}}), 30 * 60);
  EXPECT_TRUE(WaitFor([&] { return Value("tikv_exporter_pd_unhealthy_regions", {{"kind", "down-peer"}}) == 307; },
                      std::chrono::seconds(10)));
}

TEST_F(PdIntegration, AMemberGoingDownAndALeaderChangeLeaveNoGap) {
  Start();
  env_.Control("/control/pd/member?index=0&mode=down");  // the member that answered so far
  env_.Control("/control/pd/leader?index=2");           // and a member the config does not name
  // Every poll from now on must still have PD up and the store metrics present.
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(env_.WaitForPolls(1));
    const std::string metrics = env_.Metrics();
    EXPECT_EQ(SampleValue(metrics, "tikv_exporter_up", {{"source", "pd"}}), 1) << "poll " << i;
    EXPECT_TRUE(SampleValue(metrics, "tikv_exporter_pd_store_regions", {{"store_id", "1"}})) << "poll " << i;
  }
  const std::string metrics = env_.Metrics();
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_member_leader", {{"member", "pd-2"}}), 1);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_member_healthy", {{"member", "pd-0"}}), 0);
  // It follows the leader it learned of through /members.
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_cluster_info",
                        {{"endpoint", "http://127.0.0.1:" + std::to_string(pd_ports_[2])}}),
            1)
      << metrics;
}

// PD advertises a leader URL that is unreachable from the sidecar (NAT, a VIP, pod names, a
// firewall): a port that accepts and never answers. PD must stay up through the configured
// endpoints, the skip logged once.
TEST_F(PdIntegration, AnAdvertisedLeaderUrlThatHangsIsSkippedAndPdStaysUp) {
  // The hung attempt takes half of timeout_ms and the configured member that follows a quarter:
  // enough for it on a loaded machine under sanitizers.
  Start({}, 1000, 900);
  const std::string state = env_.Control("/control/pd/advertise?index=0&address=blackhole");
  const size_t at = state.find(" advertises ");
  ASSERT_NE(at, std::string::npos) << state;
  const std::string black_hole = state.substr(at + 12, state.find('\n', at) - at - 12);
  // Every poll from now on — the one that learns the black hole, the one that tries it first,
  // and the retries with backoff — must have PD up.
  for (int i = 0; i < 9; ++i) {
    ASSERT_TRUE(env_.WaitForPolls(1));
    const std::string metrics = env_.Metrics();
    EXPECT_EQ(SampleValue(metrics, "tikv_exporter_up", {{"source", "pd"}}), 1) << "poll " << i << "\n"
                                                                                << env_.exporter().Log();
    EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_store_regions", {{"store_id", "1"}}), 300) << "poll " << i;
  }
  EXPECT_EQ(HttpGet(env_.exporter_port(), "/api/v1/targets").status, 200);
  const std::string log = env_.exporter().Log();
  const std::string skip = "PD member " + black_hole + " (advertised by PD's /members) failed";
  const size_t first = log.find(skip);
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find(skip, first + 1), std::string::npos) << "logged more than once:\n" << log;
  EXPECT_NE(log.find("skipping it for the next poll"), std::string::npos) << log;
  EXPECT_EQ(log.find("source pd is down"), std::string::npos) << log;
}

// A hostile PD was unbounded: 100,000 stores took the exporter to 1.1 GB and a 67 MB /metrics,
// 300,000 empty stores to bad_alloc (SIGABRT), a 10 MB address became a label value, and
// {"stores":[{}]} counted an Up store with id 0. Each is now refused or cut, and counted.
TEST_F(PdIntegration, HostileStoreListsAreBounded) {
  Start({}, 3000, 2500);  // a 33 MB body is slow to serve under the sanitizers
  const int pid = env_.exporter().pid();
  auto hits = [&](const char* limit) { return Value("tikv_exporter_limit_hits_total", {{"limit", limit}}).value_or(0); };

  env_.Control("/control/pd/hostile-stores?shape=many&count=100000");
  ASSERT_TRUE(WaitFor([&] { return hits("pd_stores") >= 2; }, std::chrono::seconds(90))) << env_.exporter().Log();
  std::string metrics = env_.Metrics();
  const ProcessUsage many = UsageOf(pid);
  std::printf("100,000 stores: /metrics %zu bytes, peak RSS %ld KiB\n", metrics.size(), many.peak_rss_kib);
  EXPECT_LT(metrics.size(), 1u << 20);
  EXPECT_LT(many.peak_rss_kib, 600 * 1024);  // the old code passed 1.1 GB before it answered
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_up", {{"source", "pd"}}), 0);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_up", {{"source", "tikv"}}), 1);

  env_.Control("/control/pd/hostile-stores?shape=minimal&count=300000");
  const double before = hits("pd_stores");
  ASSERT_TRUE(WaitFor([&] { return hits("pd_stores") >= before + 2; }, std::chrono::seconds(60)))
      << env_.exporter().Log();
  ASSERT_TRUE(env_.exporter().Running());
  std::printf("300,000 empty stores: peak RSS %ld KiB\n", UsageOf(pid).peak_rss_kib);

  env_.Control("/control/pd/hostile-stores?shape=long-address&bytes=10485760");
  ASSERT_TRUE(WaitFor([&] { return hits("pd_string_bytes") >= 1 && Value("tikv_exporter_up", {{"source", "pd"}}) == 1; },
                      std::chrono::seconds(60)))
      << env_.exporter().Log();
  metrics = env_.Metrics();
  const size_t info = metrics.find("tikv_exporter_pd_store_info{address=\"aaaa");
  ASSERT_NE(info, std::string::npos);
  const size_t line = metrics.find('\n', info) - info;
  std::printf("10 MB address: the store_info line is %zu bytes, /metrics %zu bytes\n", line, metrics.size());
  EXPECT_LT(line, 4096u + 300u);  // cut at max_label_value_bytes
  EXPECT_LT(metrics.size(), 1u << 20);

  env_.Control("/control/pd/hostile-stores?shape=empty");
  ASSERT_TRUE(WaitFor([&] { return Value("tikv_exporter_up", {{"source", "pd"}}) == 0; }, std::chrono::seconds(30)));
  metrics = env_.Metrics();
  EXPECT_EQ(metrics.find("store_id=\"0\""), std::string::npos);
  EXPECT_NE(env_.exporter().Log().find("PD /stores: none of the 1 stores is valid (store #1 of 1: no store id)"),
            std::string::npos)
      << env_.exporter().Log();
}

TEST_F(PdIntegration, AllMembersDownMarksPdDownOnly) {
  Start();
  for (int i = 0; i < 3; ++i) env_.Control("/control/pd/member?index=" + std::to_string(i) + "&mode=down");
  ASSERT_TRUE(WaitFor([&] { return Value("tikv_exporter_up", {{"source", "pd"}}) == 0; }, std::chrono::seconds(10)));
  const std::string metrics = env_.Metrics();
  EXPECT_FALSE(SampleValue(metrics, "tikv_exporter_pd_store_regions", {{"store_id", "1"}}).has_value());
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_up", {{"source", "tikv"}}), 1);
  env_.Control("/control/pd/member?index=1&mode=up");
  EXPECT_TRUE(WaitFor([&] { return Value("tikv_exporter_up", {{"source", "pd"}}) == 1; }, std::chrono::seconds(10)));
  EXPECT_NE(env_.exporter().Log().find("no PD member answered"), std::string::npos);
}

TEST_F(PdIntegration, ReadsRealPdV4BodiesOverHttp) {
  Start({"--pd-fixture", std::string(FIXTURES_DIR) + "/pd-v4.0.14-api-"});
  ASSERT_TRUE(WaitFor([&] { return Value("tikv_exporter_pd_info", {{"version", "v4.0.14"}}) == 1; },
                      std::chrono::seconds(10)));
  const std::string metrics = env_.Metrics();
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_store_leaders", {{"store_id", "4"}}), 51);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_max_store_down_time_seconds"), 1800);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_member_healthy", {{"member", "pd-172.16.6.171-2379"}}), 1);
}

TEST_F(PdIntegration, ReadsRealPdBodiesOverHttp) {
  Start({"--pd-fixture", std::string(FIXTURES_DIR) + "/pd-v8.1.0-api-"});
  const std::string metrics = env_.Metrics();
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_cluster_info", {{"cluster_id", "7452180154224557728"}}), 1);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_store_info", {{"store_id", "20"}, {"engine", "tiflash"}}), 1);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_store_leaders", {{"store_id", "4"}}), 17);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_member_leader", {{"member", "basic-53pe89"}}), 1);
  EXPECT_FALSE(SampleValue(metrics, "tikv_exporter_pd_local_store_id").has_value());  // not this node's cluster
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_local_store_matched", {{"method", "none"}}), 0);
  EXPECT_NE(env_.exporter().Log().find("this node's store is not found in PD: no store lists status address"),
            std::string::npos);
}

TEST_F(PdIntegration, OldTikvTakesItsUsedSizeFromPd) {
  Start({"--fixture", std::string(FIXTURES_DIR) + "/tikv-v5.3.0-alpha-metrics.prom"});
  ASSERT_TRUE(WaitFor([&] { return Value("tikv_exporter_storage_used_source_info", {{"source", "pd"}}) == 1; },
                      std::chrono::seconds(10)));
  EXPECT_DOUBLE_EQ(*Value("tikv_exporter_storage_size_bytes", {{"type", "used"}}), 120.0 * (1ULL << 30));
  EXPECT_NE(HttpGet(env_.exporter_port(), "/api/v1/snapshot").body.find("\"used_source\":\"pd\""), std::string::npos);
}

// store_series = "local": a sidecar in a large cluster exports its own store's series only
// (14 per store otherwise, on every sidecar), plus the cluster as stores by state.
TEST(PdStoreSeries, LocalKeepsOnlyThisNodesStoreAndCountsTheRest) {
  const int pd_port = FreePort();
  SimAndExporter env;
  env.StartSim({"--pd-address", "127.0.0.1:" + std::to_string(pd_port), "--pd-stores", "50"});
  std::string config = env.ConfigText(300, 250, {pd_port});
  config.replace(config.find("region_ttl_ms"), 0, "store_series = \"local\"\n");
  env.StartExporterWithConfig(config);
  ASSERT_TRUE(WaitFor([&] { return SampleValue(env.Metrics(), "tikv_exporter_pd_stores", {{"state", "Up"}}) == 50; },
                      std::chrono::seconds(10)))
      << env.exporter().Log();
  const std::string metrics = env.Metrics();
  size_t info_series = 0;
  for (size_t at = metrics.find("\ntikv_exporter_pd_store_info{"); at != std::string::npos;
       at = metrics.find("\ntikv_exporter_pd_store_info{", at + 1)) {
    ++info_series;
  }
  EXPECT_EQ(info_series, 1u);
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_store_info", {{"local", "true"}, {"store_id", "1"}}), 1);
  EXPECT_FALSE(SampleValue(metrics, "tikv_exporter_pd_store_regions", {{"store_id", "4"}}).has_value());
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_stores", {{"state", "Down"}}), 0);
  // Discovery still lists every store: it reads PD's data, not /metrics.
  EXPECT_NE(HttpGet(env.exporter_port(), "/api/v1/targets").body.find("tikv-49.sim"), std::string::npos);
  // So does the status page's cluster table, this node's store first.
  const std::string cluster = HttpGet(env.exporter_port(), "/api/v1/cluster").body;
  EXPECT_NE(cluster.find("\"local_store_id\":1,"), std::string::npos) << cluster;
  EXPECT_NE(cluster.find("\"stores_total\":50,\"stores_left_out\":0,\"stores\":[{\"id\":1,"), std::string::npos);
  EXPECT_NE(cluster.find("tikv-49.sim"), std::string::npos);
}

// The default, store_series = "witnesses": one exporter per store of the simulated cluster (ids 1,
// 4, 7, 10, 13), each told its own store. Each store's series come from its own sidecar and two
// others, and a store that goes down is handed to two live ones. With "all", each sidecar served
// all 5 stores (25 store_info series for 5 stores; N² as the cluster grows).
TEST(PdStoreSeries, WitnessesServeEachStoreThriceAndADownStoreByTwoLiveSidecars) {
  const int pd_port = FreePort();
  SimAndExporter env;
  env.StartSim({"--pd-address", "127.0.0.1:" + std::to_string(pd_port)});
  const std::vector<int> stores = {1, 4, 7, 10, 13};
  std::vector<std::unique_ptr<Process>> sidecars;
  std::vector<int> ports;
  for (int store : stores) {
    const int port = FreePort();
    std::string config = env.ConfigText(300, 250, {pd_port});
    const std::string listen = "127.0.0.1:" + std::to_string(env.exporter_port());
    config.replace(config.find(listen), listen.size(), "127.0.0.1:" + std::to_string(port));
    config.replace(config.find("region_ttl_ms"), 0, "local_store_id = " + std::to_string(store) + "\n");
    sidecars.push_back(std::make_unique<Process>(
        std::vector<std::string>{TIKV_EXPORTER_BIN, "--config",
                                 env.dir().Write("store-" + std::to_string(store) + ".toml", config)},
        env.dir().path() + "/store-" + std::to_string(store) + ".log"));
    ports.push_back(port);
  }
  // Which sidecars serve each store's series (by their own store's id), once all see `up_stores` Up.
  auto served_by = [&](double up_stores) {
    std::map<std::string, std::vector<int>> served;
    for (size_t i = 0; i < ports.size(); ++i) {
      std::string metrics;
      EXPECT_TRUE(WaitFor([&] {
        metrics = HttpGet(ports[i], "/metrics").body;
        return SampleValue(metrics, "tikv_exporter_pd_stores", {{"state", "Up"}}) == up_stores;
      }, std::chrono::seconds(15))) << sidecars[i]->Log();
      for (int store : stores) {
        if (SampleValue(metrics, "tikv_exporter_pd_store_regions", {{"store_id", std::to_string(store)}})) {
          served[std::to_string(store)].push_back(stores[i]);
        }
      }
      if (up_stores == stores.size()) {
        EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_served_stores", {{"store_series", "witnesses"}}), 3)
            << "sidecar of store " << stores[i];
      }
    }
    return served;
  };
  std::map<std::string, std::vector<int>> all_up = served_by(5);
  for (int store : stores) {
    const std::vector<int>& by = all_up[std::to_string(store)];
    EXPECT_EQ(by.size(), 3u) << "store " << store;
    EXPECT_NE(std::find(by.begin(), by.end(), store), by.end()) << "store " << store << " by its own sidecar";
  }
  env.Control("/control/pd/store?id=7&state=Down");
  std::map<std::string, std::vector<int>> one_down = served_by(4);
  std::vector<int> live;
  for (int sidecar : one_down["7"]) {
    if (sidecar != 7) live.push_back(sidecar);  // store 7's own sidecar still runs in this test
  }
  EXPECT_EQ(live.size(), 2u) << "the down store 7 is seen by two live sidecars";
}

}  // namespace
}  // namespace tikv_exporter::testing
