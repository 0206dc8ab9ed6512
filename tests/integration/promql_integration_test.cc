// Every PromQL expression we ship — each dashboard panel, each rule and each query an alert's
// annotations run — evaluated by a real Prometheus scraping several sidecars (TiKV, PD, RocksDB
// LOG and drift all live), so a dashboard or rule that names a metric the exporter does not emit
// fails here.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <thread>
#include <set>
#include <sstream>

#include "tests/integration/harness.h"
#include "tests/integration/sim_and_exporter.h"

namespace tikv_exporter::testing {
namespace {

constexpr int kNodes = 3;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every "expr" of a dashboard JSON, unescaped.
std::vector<std::string> DashboardExprs(const std::string& json) {
  std::vector<std::string> exprs;
  static const std::regex kExpr(R"re("expr":\s*"((?:[^"\\]|\\.)*)")re");
  for (auto it = std::sregex_iterator(json.begin(), json.end(), kExpr); it != std::sregex_iterator(); ++it) {
    std::string raw = (*it)[1].str(), expr;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '\\' && i + 1 < raw.size()) ++i;
      expr.push_back(raw[i]);
    }
    exprs.push_back(expr);
  }
  return exprs;
}

// Every "expr:" of the rules file (our rules keep each expression on one line).
std::vector<std::string> RuleExprs(const std::string& yaml) {
  std::vector<std::string> exprs;
  static const std::regex kExpr(R"(^\s*expr:\s*(.+)$)");
  std::istringstream in(yaml);
  std::string line;
  std::smatch match;
  while (std::getline(in, line)) {
    if (std::regex_match(line, match, kExpr)) exprs.push_back(match[1].str());
  }
  return exprs;
}

// Every query an alert's annotations run (`printf \`...\` $labels.instance | query`).
std::vector<std::string> TemplateQueries(const std::string& yaml) {
  std::vector<std::string> queries;
  static const std::regex kQuery("printf `([^`]+)`");
  for (auto it = std::sregex_iterator(yaml.begin(), yaml.end(), kQuery); it != std::sregex_iterator(); ++it) {
    queries.push_back((*it)[1].str());
  }
  return queries;
}

// The query as an alert of this sidecar runs it: its instance put in for the format verbs.
std::string ForInstance(const std::string& query, const std::string& instance) {
  static const std::regex kVerb(R"(%(\[1\])?s)");
  return std::regex_replace(query, kVerb, instance);
}

// The query without its comparison filters (`== 1`, `> 0`), which keep only unhealthy series.
std::string Unfiltered(const std::string& query) {
  static const std::regex kFilter(R"( (==|>) [01]\b)");
  return std::regex_replace(query, kFilter, "");
}

std::set<std::string> MetricNames(const std::vector<std::string>& exprs) {
  std::set<std::string> names;
  static const std::regex kName(R"(tikv_exporter(?:_[a-z0-9]+)+|tikv_exporter:[a-z0-9_:]+)");
  for (const std::string& expr : exprs) {
    for (auto it = std::sregex_iterator(expr.begin(), expr.end(), kName); it != std::sregex_iterator(); ++it) {
      names.insert(it->str());
    }
  }
  return names;
}

std::string Substitute(std::string expr) {
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"$cluster", ".*"}, {"$instance", ".*"}}) {
    for (size_t at = expr.find(from); at != std::string::npos; at = expr.find(from, at + to.size())) {
      expr.replace(at, from.size(), to);
    }
  }
  return expr;
}

TEST(PromqlIntegration, EveryDashboardAndRuleExpressionWorksOnLiveSidecars) {
  TempDir dir;
  std::vector<int> status_ports, exporter_ports;
  for (int i = 0; i < kNodes; ++i) {
    status_ports.push_back(FreePort());
    exporter_ports.push_back(FreePort());
  }
  const int pd_port = FreePort();
  // A RocksDB LOG with two dumps that differ (the workload ran between them).
  const std::string fixture = Read(std::string(FIXTURES_DIR) + "/rocksdb-7.8.3-tikv-cfs-LOG");
  size_t third = fixture.find("------- DUMPING STATS");
  for (int i = 0; i < 2; ++i) third = fixture.find("------- DUMPING STATS", third + 1);
  const std::string log = dir.Write("rocksdb.info", fixture.substr(0, fixture.rfind('\n', third) + 1));

  std::vector<std::unique_ptr<Process>> processes;
  for (int i = 0; i < kNodes; ++i) {
    std::vector<std::string> sim = {TIKV_SIM_BIN, "--status-address", "127.0.0.1:" + std::to_string(status_ports[i]),
                                    "--control-address", "127.0.0.1:" + std::to_string(FreePort())};
    // The last node is a real TiKV 5.3 dump (its health inputs in v5.3's shapes, standing still
    // but for the gRPC counters); the others are the simulator's built-in node, which serves them all.
    if (i == kNodes - 1) sim.insert(sim.end(), {"--fixture", std::string(FIXTURES_DIR) + "/tikv-v5.3.0-alpha-metrics.prom"});
    if (i == 0) {
      sim.insert(sim.end(), {"--pd-address", "127.0.0.1:" + std::to_string(pd_port)});
      for (int port : status_ports) sim.insert(sim.end(), {"--pd-store-status", "127.0.0.1:" + std::to_string(port)});
    }
    processes.push_back(std::make_unique<Process>(sim, dir.path() + "/sim" + std::to_string(i) + ".log"));
    const std::string config = dir.Write(
        "exporter" + std::to_string(i) + ".toml",
        "[tikv]\nstatus_address = \"127.0.0.1:" + std::to_string(status_ports[i]) + "\"\npd_endpoints = [\"127.0.0.1:" +
            std::to_string(pd_port) + "\"]\ntimeout_ms = 800\n[tikv.storage]\nreserve_space = \"50GB\"\n"
            "[exporter]\nlisten_address = \"127.0.0.1:" + std::to_string(exporter_ports[i]) +
            "\"\npoll_interval_ms = 1000\n[collectors.pd]\nregion_ttl_ms = 1000\n[collectors.rocksdb]\nsource = \"log\"\nlog_path = \"" +
            log + "\"\n");
    processes.push_back(std::make_unique<Process>(std::vector<std::string>{TIKV_EXPORTER_BIN, "--config", config},
                                                  dir.path() + "/exporter" + std::to_string(i) + ".log"));
  }
  std::string targets;
  for (int port : exporter_ports) targets += std::string(targets.empty() ? "" : ", ") + "'127.0.0.1:" + std::to_string(port) + "'";
  const int prometheus_port = FreePort();
  auto prometheus = StartPrometheus(
      dir, prometheus_port,
      "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - " + std::string(SOURCE_DIR) +
          "/alerts/tikv-exporter.rules.yml\nscrape_configs:\n  - job_name: tikv-sidecars\n    static_configs:\n"
          "      - targets: [" + targets + "]\n        labels:\n          tikv_cluster: c1\n");

  // Enough samples for every range in the bundle and for the recording rules to have run.
  ASSERT_TRUE(WaitFor([&] { return PromQuery(prometheus_port, "count(up{job=\"tikv-sidecars\"} == 1)") == kNodes; },
                      std::chrono::seconds(40))) << prometheus->Log();
  ASSERT_TRUE(WaitFor([&] {
    return PromQuery(prometheus_port, "count(count_over_time(tikv_exporter_qps[1m]) >= 10)").value_or(0) > 0 &&
           PromQuery(prometheus_port, "count(tikv_exporter:cluster_qps:sum)").value_or(0) > 0;
  }, std::chrono::seconds(60)));

  std::vector<std::string> dashboard_exprs;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(SOURCE_DIR) + "/dashboards")) {
    if (entry.path().extension() != ".json") continue;
    for (std::string& expr : DashboardExprs(Read(entry.path().string()))) dashboard_exprs.push_back(Substitute(expr));
  }
  const std::string rules_yaml = Read(std::string(SOURCE_DIR) + "/alerts/tikv-exporter.rules.yml");
  const std::vector<std::string> rule_exprs = RuleExprs(rules_yaml);
  const std::vector<std::string> template_queries = TemplateQueries(rules_yaml);
  ASSERT_GE(dashboard_exprs.size(), 49u);
  ASSERT_EQ(rule_exprs.size(), 35u);
  ASSERT_EQ(template_queries.size(), 18u);

  for (const std::string& expr : dashboard_exprs) {
    EXPECT_TRUE(PromQuery(prometheus_port, "count(" + expr + ")").value_or(0) > 0) << "no data: " << expr;
  }
  // Alert expressions are empty while nothing is wrong: each must parse (Prometheus evaluates
  // them and reports their health) and every metric it names must exist.
  for (const std::string& expr : rule_exprs) {
    HttpResult result = HttpGet(prometheus_port, "/api/v1/query?query=" + UrlEncode(expr));
    EXPECT_EQ(result.status, 200) << expr << "\n" << result.body;
  }
  // The values the alerts' summaries quote: each query works for every sidecar, and finds a
  // sidecar's series once the filters that keep only unhealthy ones are left out.
  for (const std::string& query : template_queries) {
    bool found = false;
    for (int port : exporter_ports) {
      const std::string mine = ForInstance(query, "127.0.0.1:" + std::to_string(port));
      HttpResult result = HttpGet(prometheus_port, "/api/v1/query?query=" + UrlEncode(mine));
      EXPECT_EQ(result.status, 200) << mine << "\n" << result.body;
      found = found || PromQuery(prometheus_port, "count(" + Unfiltered(mine) + ")").value_or(0) > 0;
    }
    EXPECT_TRUE(found) << "no data on any sidecar: " << Unfiltered(query);
  }
  const HttpResult rules = HttpGet(prometheus_port, "/api/v1/rules");
  EXPECT_EQ(rules.body.find("\"health\":\"err\""), std::string::npos) << rules.body;
  EXPECT_NE(rules.body.find("\"health\":\"ok\""), std::string::npos);
  std::vector<std::string> all = dashboard_exprs;
  all.insert(all.end(), rule_exprs.begin(), rule_exprs.end());
  all.insert(all.end(), template_queries.begin(), template_queries.end());
  for (const std::string& name : MetricNames(all)) {
    EXPECT_TRUE(PromQuery(prometheus_port, "count({__name__=\"" + name + "\"})").value_or(0) > 0)
        << "the bundle names " << name << ", which the exporter does not emit";
  }
}

// The active alerts (pending or firing) of Prometheus' /api/v1/alerts: alert name -> the
// alert's JSON object (labels and annotations).
std::map<std::string, std::string> ActiveAlerts(int prometheus_port) {
  std::map<std::string, std::string> alerts;
  const std::string body = HttpGet(prometheus_port, "/api/v1/alerts").body;
  static const std::regex kAlert(
      R"re(\{"labels":\{"alertname":"(\w+)"[^}]*\},"annotations":\{(?:"(?:[^"\\]|\\.)*":"(?:[^"\\]|\\.)*",?)*\})re");
  for (auto it = std::sregex_iterator(body.begin(), body.end(), kAlert); it != std::sregex_iterator(); ++it) {
    alerts[(*it)[1].str()] = it->str();
  }
  return alerts;
}

std::set<std::string> Critical(const std::map<std::string, std::string>& alerts) {
  std::set<std::string> names;
  for (const auto& [name, json] : alerts) {
    if (json.find(R"("severity":"critical")") != std::string::npos) names.insert(name);
  }
  return names;
}

// A simulated node with a simulated PD, its sidecar polling both every 500 ms, and a Prometheus
// with our rules scraping the sidecar and evaluating them every second; each test starts healthy.
class PromqlHealthAlerts : public ::testing::Test {
 protected:
  PromqlHealthAlerts() {
    const int pd_port = FreePort();
    env_.StartSim({"--pd-address", "127.0.0.1:" + std::to_string(pd_port)});
    // The cluster runs with tidb_gc_life_time = 24 h, a documented setting, and says so: the
    // healthy node's GC safe point trails by a day and must page nothing (issue 21).
    env_.Control("/control/unhealthy?state=gc_long_life_time");
    env_.StartExporterWithConfig(
        env_.ConfigText(500, 400, {pd_port}, "", "[health]\ngc_life_time_seconds = 86400\n"));
    prometheus_ = StartPrometheus(
        env_.dir(), prometheus_port_,
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - " + std::string(SOURCE_DIR) +
            "/alerts/tikv-exporter.rules.yml\nscrape_configs:\n  - job_name: tikv-sidecars\n    static_configs:\n"
            "      - targets: ['127.0.0.1:" + std::to_string(env_.exporter_port()) + "']\n");
  }

  // Waits until Prometheus sees the sidecar's verdict ok, PD's view of its store and the GC a day
  // behind included, and no critical alert active.
  void SetUp() override {
    ASSERT_TRUE(WaitFor([&] {
      return PromQuery(prometheus_port_, "tikv_exporter_health_level") == 0 &&
             PromQuery(prometheus_port_, "tikv_exporter_health_check_level{check=\"pd_store_state\"}") == 0 &&
             PromQuery(prometheus_port_, "tikv_exporter_health_check_level{check=\"gc_safe_point\"}") == 0 &&
             PromQuery(prometheus_port_, "tikv_exporter_pd_gc_safe_point_lag_seconds").value_or(0) >= 86400 &&
             Critical(ActiveAlerts(prometheus_port_)).empty();
    }, std::chrono::seconds(30))) << prometheus_->Log();
  }

  SimAndExporter env_;
  const int prometheus_port_ = FreePort();
  std::unique_ptr<Process> prometheus_;
  const std::string instance_ = "127.0.0.1:" + std::to_string(env_.exporter_port());
};

// The node-health alerts against a live sidecar: a failing check makes exactly one critical alert
// active (never one from the verdict and one from the older rules for the same thing), and the
// warning alert names the checks in warning as the sidecar serves them.
TEST_F(PromqlHealthAlerts, PageOnceAndNameTheirChecksOnALiveNode) {

  // PD sees the store Down: the verdict's pd_store_state is critical, and TiKVStoreDown alone pages.
  env_.Control("/control/pd/store?id=1&state=Down");
  ASSERT_TRUE(WaitFor([&] { return Critical(ActiveAlerts(prometheus_port_)).contains("TiKVStoreDown"); },
                      std::chrono::seconds(20)));
  EXPECT_EQ(PromQuery(prometheus_port_, "tikv_exporter_health_check_level{check=\"pd_store_state\"}"), 2);
  EXPECT_EQ(Critical(ActiveAlerts(prometheus_port_)), std::set<std::string>{"TiKVStoreDown"});

  // Disconnected is a warning: no page, and TiKVNodeHealthWarning (pending) names the check.
  env_.Control("/control/pd/store?id=1&state=Disconnected");
  ASSERT_TRUE(WaitFor([&] {
    auto alerts = ActiveAlerts(prometheus_port_);
    return Critical(alerts).empty() && alerts.contains("TiKVNodeHealthWarning") &&
           std::regex_search(alerts["TiKVNodeHealthWarning"],
                             std::regex("\"summary\":\"TiKV at " + instance_ +
                                        " has been in warning for 15 minutes:[ a-z_]* pd_store_state[ a-z_]*\""));
  }, std::chrono::seconds(20))) << ActiveAlerts(prometheus_port_)["TiKVNodeHealthWarning"];

  // TiKV stops answering: TiKVUnreachable alone pages (the verdict's tikv_reachable has no alert
  // of its own), and the warning alert goes, the verdict being critical.
  env_.Control("/control/pd/store?id=1&state=Up");
  env_.Control("/control/fault?mode=down");
  ASSERT_TRUE(WaitFor([&] {
    auto alerts = ActiveAlerts(prometheus_port_);
    return Critical(alerts) == std::set<std::string>{"TiKVUnreachable"} && !alerts.contains("TiKVNodeHealthWarning");
  }, std::chrono::seconds(20))) << HttpGet(prometheus_port_, "/api/v1/alerts").body;
  EXPECT_EQ(PromQuery(prometheus_port_, "tikv_exporter_health_check_level{check=\"tikv_reachable\"}"), 2);

  env_.Control("/control/fault?mode=none");
  EXPECT_TRUE(WaitFor([&] { return Critical(ActiveAlerts(prometheus_port_)).empty(); }, std::chrono::seconds(20)))
      << HttpGet(prometheus_port_, "/api/v1/alerts").body;
}

// Every unhealthy state the simulator knows, on at once: each critical check's alert becomes
// active with its summary quoting the signal the sidecar serves, and all of them go once healed.
TEST_F(PromqlHealthAlerts, UnhealthyStatesActivateTheirAlertsQuotingTheSignal) {
  const std::string at = "TiKV at " + instance_;

  const std::map<std::string, std::string> expected = {
      {"TiKVSlowStore", at + " is a slow store: slow score 100 of 100"},
      {"TiKVDiskAlmostFull", at + " is almost_full: [0-9.]+GiB available, reserve [0-9.]+GiB"},
      {"TiKVRaftWritePathSlow", "Raft writes are slow in " + at + ": apply_log p99 [0-9.]+s"},
      {"TiKVServerBusy", at + " rejects requests as busy: scheduler_too_busy [0-9.]+/s"},
      // Frozen 48 h before the state went on, behind a day's life time: 72 h old.
      {"TiKVGCStuck", "GC of " + at + " is stuck: its safe point is 3d 0h [0-9]+m [0-9]+s old.*"},
      {"TiKVResolvedTsLagging", "Resolved ts of " + at + " lags by 20m [0-9]+s"},
      {"TiKVNotReady", at + R"( says it is not ready \(GET /ready answers 500\))"},
      {"TiKVCriticalError", at + R"( reported [0-9]+ critical error\(s\) in the last window)"},
      {"TiKVThreadPoolSaturated", "A thread pool of " + at + " is saturated: raftstore [0-9.]+% busy"},
      {"TiKVSchedulerLatchWaitHigh", "Transactions wait for latches in " + at + ": latch wait p99 [0-9.]+s of prewrite"},
      {"TiKVGrpcErrorsHigh", "[0-9.]+% of gRPC requests fail in " + at},
      {"TiKVFlowControlThrottling", at + " discards 60% of writes by flow control"},
      {"TiKVCPUQuotaExhausted", at + " uses [0-9.]+% of its CPU quota"},
  };
  for (const char* state : {"slow_score", "disk_almost_full", "apply_latency", "busy", "gc_stuck", "resolved_ts",
                            "not_ready", "critical_error", "thread_pools", "latch_wait", "grpc_errors",
                            "flow_control", "cpu_quota"}) {
    env_.Control(std::string("/control/unhealthy?state=") + state);
  }
  auto unmatched = [&] {
    std::map<std::string, std::string> alerts = ActiveAlerts(prometheus_port_);
    std::vector<std::string> missing;
    for (const auto& [alert, summary] : expected) {
      if (!std::regex_search(alerts[alert], std::regex("\"summary\":\"" + summary + "\""))) {
        missing.push_back(alert + ": " + alerts[alert]);
      }
    }
    return missing;
  };
  EXPECT_TRUE(WaitFor([&] { return unmatched().empty(); }, std::chrono::seconds(40)))
      << ::testing::PrintToString(unmatched());
  static const std::regex kSummary(R"re("summary":"((?:[^"\\]|\\.)*)")re");
  for (const auto& [alert, json] : ActiveAlerts(prometheus_port_)) {
    std::smatch summary;
    if (std::regex_search(json, summary, kSummary)) std::printf("%-26s %s\n", alert.c_str(), summary[1].str().c_str());
  }

  env_.Control("/control/unhealthy?state=none");
  EXPECT_TRUE(WaitFor([&] { return Critical(ActiveAlerts(prometheus_port_)).empty(); }, std::chrono::seconds(40)))
      << HttpGet(prometheus_port_, "/api/v1/alerts").body;
}

// Issue 21: the healthy node of a cluster with tidb_gc_life_time = 24 h (set up by the fixture)
// pages nothing while it runs: no critical alert and no health warning, pending or firing, over
// 15 evaluations. Before: TiKVGCStuck pending from the first evaluation ("its safe point is 1d 0h
// ... old").
TEST_F(PromqlHealthAlerts, NothingFiresOnAHealthyNodeWithADayOfGcLifeTime) {
  for (int second = 0; second < 15; ++second) {
    const std::map<std::string, std::string> alerts = ActiveAlerts(prometheus_port_);
    EXPECT_TRUE(Critical(alerts).empty()) << ::testing::PrintToString(alerts);
    EXPECT_FALSE(alerts.contains("TiKVGCStuck") || alerts.contains("TiKVNodeHealthWarning"))
        << ::testing::PrintToString(alerts);
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  EXPECT_EQ(PromQuery(prometheus_port_, "tikv_exporter_health_level"), 0);
}

}  // namespace
}  // namespace tikv_exporter::testing
