// The public contract is the repository's docs/METRICS.md: every metric name and JSON field it
// promises is read from that file and looked for in what a running exporter serves, so the
// document and the product cannot drift apart silently.

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/integration/sim_and_exporter.h"

namespace tikv_exporter::testing {
namespace {

std::string ReadContract() {
  std::ifstream in(SOURCE_DIR "/docs/METRICS.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The text of the section whose "## " heading starts with `heading`, up to the next "## ".
std::string Section(const std::string& contract, const std::string& heading) {
  const size_t start = contract.find("\n## " + heading);
  if (start == std::string::npos) return "";
  const size_t end = contract.find("\n## ", start + 1);
  return contract.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// Every `tikv_exporter_...` and `process_...` name quoted in `text`.
std::set<std::string> MetricNames(const std::string& text) {
  std::set<std::string> names;
  static const std::regex kName("`((tikv_exporter|process)_[a-z_]+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kName); it != std::sregex_iterator(); ++it) {
    names.insert((*it)[1]);
  }
  return names;
}

// The keys of the JSON example ("name": ...) in `text`.
std::set<std::string> JsonKeys(const std::string& text) {
  const size_t open = text.find("```json");
  const size_t close = text.find("```", open + 7);
  const std::string example = text.substr(open, close - open);
  std::set<std::string> keys;
  static const std::regex kKey("\"([a-z_0-9]+)\":");
  for (auto it = std::sregex_iterator(example.begin(), example.end(), kKey); it != std::sregex_iterator(); ++it) {
    keys.insert((*it)[1]);
  }
  return keys;
}

TEST(Contract, EveryMetricAndJsonFieldOfTheRepositoryContractIsServed) {
  const std::string contract = ReadContract();
  const std::set<std::string> snapshot_metrics = MetricNames(Section(contract, "The TiKVMetrics snapshot"));
  const std::set<std::string> self_metrics = MetricNames(Section(contract, "Exporter self-metrics"));
  const std::set<std::string> json_keys = JsonKeys(Section(contract, "The snapshot as JSON"));
  // Guards against a contract that no longer parses: the numbers of names it held when it moved in.
  ASSERT_GE(snapshot_metrics.size(), 12u);
  ASSERT_GE(self_metrics.size(), 13u);
  ASSERT_GE(json_keys.size(), 15u);

  // Every source on, so that each source's fields exist: TiKV and PD from the simulator, the
  // RocksDB LOG from a real one.
  SimAndExporter env;
  const int pd_port = FreePort();
  env.StartSim({"--load", "kv_get=2000:0.002", "--pd-address", "127.0.0.1:" + std::to_string(pd_port)});
  env.Control("/control/unhealthy?state=write_stall");  // the stall series needs a stall
  std::string config = env.ConfigText(1000, 500, {pd_port});
  const std::string rocksdb_off = "[collectors.rocksdb]\nenabled = false\n";
  ASSERT_NE(config.find(rocksdb_off), std::string::npos);
  config.replace(config.find(rocksdb_off), rocksdb_off.size(),
                 "[collectors.rocksdb]\nenabled = true\nsource = \"log\"\nlog_path = \"" FIXTURES_DIR "/rocksdb-7.8.3-tikv-cfs-LOG\"\n");
  env.StartExporterWithConfig(config);
  ASSERT_TRUE(WaitFor([&] { return SampleValue(env.Metrics(), "tikv_exporter_qps", {{"type", "kv_get"}}).has_value(); },
                      std::chrono::seconds(20)))
      << env.exporter().Log();
  const std::string metrics = env.Metrics();
  for (const std::set<std::string>* names : {&snapshot_metrics, &self_metrics}) {
    for (const std::string& name : *names) {
      EXPECT_NE(metrics.find("\n# TYPE " + name + " "), std::string::npos) << name << " is in docs/METRICS.md but not served";
    }
  }
  const HttpResult snapshot = HttpGet(env.exporter_port(), "/api/v1/snapshot");
  ASSERT_EQ(snapshot.status, 200);
  for (const std::string& key : json_keys) {
    EXPECT_NE(snapshot.body.find("\"" + key + "\":"), std::string::npos)
        << key << " is in docs/METRICS.md's JSON but not in /api/v1/snapshot:\n" << snapshot.body;
  }
}

}  // namespace
}  // namespace tikv_exporter::testing
