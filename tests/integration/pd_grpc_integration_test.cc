// The PD collector over gRPC (pdpb.PD) against the simulator's PD members, side by side with
// the HTTP protocol on the same simulated cluster.

#include <gtest/gtest.h>

#include <set>

#include "prom/exposition_parser.h"
#include "tests/integration/harness.h"

namespace tikv_exporter::testing {
namespace {

class PdGrpcIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    status_port_ = FreePort();
    control_port_ = FreePort();
    std::vector<std::string> sim = {TIKV_SIM_BIN, "--status-address", "127.0.0.1:" + std::to_string(status_port_),
                                    "--control-address", "127.0.0.1:" + std::to_string(control_port_)};
    for (int i = 0; i < 3; ++i) {
      http_ports_[i] = FreePort();
      grpc_ports_[i] = FreePort();
      sim.insert(sim.end(), {"--pd-address", "127.0.0.1:" + std::to_string(http_ports_[i]), "--pd-grpc-address",
                             "127.0.0.1:" + std::to_string(grpc_ports_[i])});
    }
    sim_ = std::make_unique<Process>(sim, dir_.path() + "/sim.log");
    ASSERT_TRUE(WaitFor([&] { return HttpGet(status_port_, "/status").status == 200; }, std::chrono::seconds(10)));
  }

  // Starts an exporter polling PD over `protocol` at the first two members; returns its port.
  int StartExporter(const std::string& protocol, const int* pd_ports) {
    const int port = FreePort();
    const std::string config = dir_.Write(
        protocol + ".toml", "[tikv]\nstatus_address = \"127.0.0.1:" + std::to_string(status_port_) +
                                "\"\npd_endpoints = [\"127.0.0.1:" + std::to_string(pd_ports[0]) + "\", \"127.0.0.1:" +
                                std::to_string(pd_ports[1]) + "\"]\ntimeout_ms = 900\n[exporter]\nlisten_address = \"127.0.0.1:" +
                                std::to_string(port) + "\"\npoll_interval_ms = 1000\n[collectors.pd]\nstore_series = \"all\"\nprotocol = \"" +
                                protocol + "\"\n[collectors.rocksdb]\nenabled = false\n");
    exporters_.push_back(std::make_unique<Process>(std::vector<std::string>{TIKV_EXPORTER_BIN, "--config", config},
                                                   dir_.path() + "/" + protocol + ".log"));
    EXPECT_TRUE(WaitFor([&] {
      return SampleValue(HttpGet(port, "/metrics").body, "tikv_exporter_up", {{"source", "pd"}}) == 1;
    }, std::chrono::seconds(15))) << exporters_.back()->Log();
    return port;
  }

  void Control(const std::string& path) { HttpPost(control_port_, path); }

  TempDir dir_;
  int status_port_ = 0, control_port_ = 0;
  int http_ports_[3] = {}, grpc_ports_[3] = {};
  std::unique_ptr<Process> sim_;
  std::vector<std::unique_ptr<Process>> exporters_;
};

// The PD store series of one /metrics body, "name{labels}" -> value.
std::map<std::string, double> StoreSeries(const std::string& body) {
  std::map<std::string, double> series;
  StatusOr<ParseResult> parsed = ParseExposition(body);
  EXPECT_TRUE(parsed.ok());
  for (const ParsedFamily& family : parsed->exposition.families()) {
    if (!family.name.starts_with("tikv_exporter_pd_store_") && family.name != "tikv_exporter_pd_local_store_id" &&
        family.name != "tikv_exporter_pd_member_leader") {
      continue;
    }
    for (const ParsedSample& sample : family.samples) {
      std::string key = std::string(sample.name) + "{";
      for (const LabelView& label : sample.labels) key.append(label.name).append("=").append(label.value).append(",");
      series[key + "}"] = sample.value;
    }
  }
  return series;
}

TEST_F(PdGrpcIntegration, BothProtocolsGiveTheSameStoreMetrics) {
  const int http = StartExporter("http", http_ports_);
  const int grpc = StartExporter("grpc", grpc_ports_);
  ASSERT_FALSE(HasFatalFailure());
  const std::string grpc_body = HttpGet(grpc, "/metrics").body;
  const std::string http_body = HttpGet(http, "/metrics").body;
  std::map<std::string, double> over_http = StoreSeries(http_body);
  std::map<std::string, double> over_grpc = StoreSeries(grpc_body);
  ASSERT_GT(over_grpc.size(), 40u) << grpc_body;
  EXPECT_EQ(SampleValue(grpc_body, "tikv_exporter_pd_cluster_info", {{"cluster_id", "7452180154224557728"}}), 1);

  // What only HTTP has: no PD store RPC carries leader counts or balance scores.
  std::set<std::string> http_only;
  for (const auto& [key, value] : over_http) {
    auto it = over_grpc.find(key);
    if (it == over_grpc.end()) {
      http_only.insert(key.substr(0, key.find('{')));
      continue;
    }
    if (key.starts_with("tikv_exporter_pd_store_heartbeat_age_seconds")) {
      EXPECT_NEAR(it->second, value, 2.5) << key;  // polled at different moments
    } else {
      EXPECT_EQ(it->second, value) << key;
    }
  }
  EXPECT_EQ(http_only, (std::set<std::string>{"tikv_exporter_pd_store_leader_score", "tikv_exporter_pd_store_leaders",
                                              "tikv_exporter_pd_store_region_score"}));
  for (const auto& [key, value] : over_grpc) EXPECT_TRUE(over_http.contains(key)) << key;
  // This node's slow score and busy flag come from the same heartbeat over either protocol
  // (GetStore's StoreStats.slow_score and is_busy).
  EXPECT_EQ(SampleValue(http_body, "tikv_exporter_pd_local_slow_score"), 1);
  EXPECT_EQ(SampleValue(grpc_body, "tikv_exporter_pd_local_slow_score"), 1);
  EXPECT_EQ(SampleValue(grpc_body, "tikv_exporter_pd_local_busy"), 0);
}

TEST_F(PdGrpcIntegration, StatesMatchAndLeaderChangesAndMemberLossLeaveNoGap) {
  const int grpc = StartExporter("grpc", grpc_ports_);
  ASSERT_FALSE(HasFatalFailure());
  Control("/control/pd/store?id=4&state=Disconnected");
  Control("/control/pd/store?id=7&state=Offline");
  Control("/control/pd/member?index=0&mode=down");
  Control("/control/pd/leader?index=2");  // store calls must now go to member 2 only
  for (int i = 0; i < 5; ++i) {
    const double polls = SampleValue(HttpGet(grpc, "/metrics").body, "tikv_exporter_polls_total").value_or(0);
    ASSERT_TRUE(WaitFor([&] {
      return SampleValue(HttpGet(grpc, "/metrics").body, "tikv_exporter_polls_total").value_or(0) > polls;
    }, std::chrono::seconds(10)));
    const std::string body = HttpGet(grpc, "/metrics").body;
    EXPECT_EQ(SampleValue(body, "tikv_exporter_up", {{"source", "pd"}}), 1) << "poll " << i << "\n" << exporters_[0]->Log();
    EXPECT_TRUE(SampleValue(body, "tikv_exporter_pd_store_regions", {{"store_id", "1"}})) << "poll " << i;
  }
  const std::string body = HttpGet(grpc, "/metrics").body;
  EXPECT_EQ(SampleValue(body, "tikv_exporter_pd_member_leader", {{"member", "pd-2"}}), 1);
  EXPECT_EQ(SampleValue(body, "tikv_exporter_pd_store_state", {{"store_id", "4"}, {"state", "Disconnected"}}), 1);
  EXPECT_EQ(SampleValue(body, "tikv_exporter_pd_store_state", {{"store_id", "7"}, {"state", "Offline"}}), 1);
  EXPECT_EQ(SampleValue(body, "tikv_exporter_pd_store_state", {{"store_id", "1"}, {"state", "Up"}}), 1);
  EXPECT_EQ(SampleValue(body, "tikv_exporter_pd_local_store_id"), 1);
}

}  // namespace
}  // namespace tikv_exporter::testing
