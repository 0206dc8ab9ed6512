// A real Prometheus (Debian's package) scrapes the simulator and the exporter; its PromQL over
// the simulator's raw series must agree with the exporter's snapshot.

#include <gtest/gtest.h>

#include <cstdio>

#include "tests/integration/sim_and_exporter.h"

namespace tikv_exporter::testing {
namespace {

class PrometheusIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.StartSim({"--load", "kv_get=1500:0.0012", "--load", "kv_prewrite=400:0.006", "--load",
                   "coprocessor=250:0.02"});
    env_.StartExporter(1000, 800);
    prometheus_port_ = FreePort();
    prometheus_ = StartPrometheus(
        env_.dir(), prometheus_port_,
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n"
        "  - job_name: tikv\n    static_configs:\n      - targets: ['127.0.0.1:" +
            std::to_string(env_.sim_port()) +
            "']\n  - job_name: tikv-exporter\n    static_configs:\n      - targets: ['127.0.0.1:" +
            std::to_string(env_.exporter_port()) + "']\n");
  }

  SimAndExporter env_;
  int prometheus_port_ = 0;
  std::unique_ptr<Process> prometheus_;
};

TEST_F(PrometheusIntegration, PromqlOverRawSeriesAgreesWithTheSnapshotWithin2Percent) {
  // Both targets up, and enough samples for a 10 s rate window.
  ASSERT_TRUE(WaitFor([&] { return PromQuery(prometheus_port_, "count(up == 1)") == 2; }, std::chrono::seconds(30)))
      << prometheus_->Log();
  ASSERT_TRUE(WaitFor([&] {
    return PromQuery(prometheus_port_, "count_over_time(tikv_exporter_qps{type=\"kv_get\"}[15s])").value_or(0) >= 12;
  }, std::chrono::seconds(40)));

  struct Pair {
    const char* what;
    std::string raw;       // PromQL over the simulator's TiKV series
    std::string snapshot;  // the exporter's series
  };
  const std::string selector = "tikv_grpc_msg_duration_seconds_bucket{job=\"tikv\",type!=\"kv_gc\"}";
  const std::vector<Pair> pairs = {
      {"node qps", "sum(rate(tikv_grpc_msg_duration_seconds_count{job=\"tikv\",type!=\"kv_gc\"}[10s]))",
       "sum(tikv_exporter_qps)"},
      {"kv_get qps", "sum(rate(tikv_grpc_msg_duration_seconds_count{job=\"tikv\",type=\"kv_get\"}[10s]))",
       "tikv_exporter_qps{type=\"kv_get\"}"},
      {"average latency",
       "sum(rate(tikv_grpc_msg_duration_seconds_sum{job=\"tikv\",type!=\"kv_gc\"}[10s])) / "
       "sum(rate(tikv_grpc_msg_duration_seconds_count{job=\"tikv\",type!=\"kv_gc\"}[10s]))",
       "tikv_exporter_latency_average_seconds"},
      {"p50", "histogram_quantile(0.5, sum(rate(" + selector + "[10s])) by (le))",
       "tikv_exporter_latency_seconds{quantile=\"0.5\"}"},
      {"p95", "histogram_quantile(0.95, sum(rate(" + selector + "[10s])) by (le))",
       "tikv_exporter_latency_seconds{quantile=\"0.95\"}"},
      {"p99", "histogram_quantile(0.99, sum(rate(" + selector + "[10s])) by (le))",
       "tikv_exporter_latency_seconds{quantile=\"0.99\"}"},
      {"kv_prewrite p99",
       "histogram_quantile(0.99, sum(rate(tikv_grpc_msg_duration_seconds_bucket{job=\"tikv\",type=\"kv_prewrite\"}[10s])) by (le))",
       "tikv_exporter_type_latency_seconds{type=\"kv_prewrite\",quantile=\"0.99\"}"},
      {"block cache hit ratio",
       "sum(rate(tikv_engine_cache_efficiency{job=\"tikv\",db=\"kv\",type=\"block_cache_hit\"}[10s])) / "
       "(sum(rate(tikv_engine_cache_efficiency{job=\"tikv\",db=\"kv\",type=\"block_cache_hit\"}[10s])) + "
       "sum(rate(tikv_engine_cache_efficiency{job=\"tikv\",db=\"kv\",type=\"block_cache_miss\"}[10s])))",
       "tikv_exporter_block_cache_hit_ratio{db=\"kv\",block=\"all\"}"},
  };
  for (const Pair& pair : pairs) {
    std::optional<double> raw = PromQuery(prometheus_port_, pair.raw);
    std::optional<double> snapshot = PromQuery(prometheus_port_, pair.snapshot);
    ASSERT_TRUE(raw && snapshot) << pair.what;
    std::printf("%-22s PromQL %.6g  exporter %.6g\n", pair.what, *raw, *snapshot);
    EXPECT_NEAR(*snapshot, *raw, std::abs(*raw) * 0.02) << pair.what << ": PromQL " << *raw
                                                        << ", exporter " << *snapshot;
  }
  // And both agree with what the simulator was told to do.
  EXPECT_NEAR(*PromQuery(prometheus_port_, "sum(tikv_exporter_qps)"), 2150, 2150 * 0.02);
}

}  // namespace
}  // namespace tikv_exporter::testing
