// The conventions scrapers rely on: a real Prometheus (Debian's 2.42) scrapes the exporter once
// with OpenMetrics (its default Accept prefers it) and once with the text format 0.0.4, and both
// jobs hold the same series; the process_* series are served, and relayed TiKV families that the
// exporter serves itself never appear twice.

#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>
#include <thread>

#include "tests/integration/sim_and_exporter.h"

namespace tikv_exporter::testing {
namespace {

// A one-route HTTP proxy in front of the exporter's /metrics: it passes Prometheus' Accept header
// on, or replaces it with `forced_accept` when that is set (Prometheus 2.42 cannot be told to
// prefer the text format: scrape_protocols came in 2.49). It records what it saw, so the test
// knows which format each job really got.
class AcceptProxy {
 public:
  AcceptProxy(int exporter_port, std::string forced_accept)
      : exporter_port_(exporter_port), forced_accept_(std::move(forced_accept)), port_(FreePort()) {
    server_.Get("/metrics", [this](const httplib::Request& request, httplib::Response& response) {
      const std::string accept = forced_accept_.empty() ? request.get_header_value("Accept") : forced_accept_;
      httplib::Client client("127.0.0.1", exporter_port_);
      client.set_read_timeout(10, 0);
      httplib::Result answer = client.Get("/metrics", httplib::Headers{{"Accept", accept}});
      if (!answer) {
        response.status = 502;
        return;
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        offered_ = request.get_header_value("Accept");
        content_type_ = answer->get_header_value("Content-Type");
      }
      response.status = answer->status;
      response.set_content(answer->body, answer->get_header_value("Content-Type").c_str());
    });
    // Bound before the thread starts: Prometheus' first scrape finds the port listening.
    EXPECT_TRUE(server_.bind_to_port("127.0.0.1", port_));
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~AcceptProxy() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string offered() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return offered_;
  }
  std::string content_type() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return content_type_;
  }

 private:
  const int exporter_port_;
  const std::string forced_accept_;
  const int port_;
  httplib::Server server_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::string offered_;       // the Accept header Prometheus sent
  std::string content_type_;  // the exporter's Content-Type
};

class Conventions : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.StartSim();
    // Relay TiKV families of every kind: counters without _total (tikv_engine_cache_efficiency),
    // and two the exporter serves itself (TiKV's process_start_time_seconds, tikv_store_size_bytes).
    env_.StartExporterWithConfig(env_.ConfigText(1000, 800, {}, "", "[collectors.tikv]\nrelay = [\"tikv_engine_*\", "
                                                                    "\"process_*\", \"tikv_store_size_bytes\"]\n"));
  }

  SimAndExporter env_;
};

// A real Prometheus scrapes the exporter of `env` through two jobs, one getting OpenMetrics and
// one the text format; both must hold the same series (but their job label), at least
// `min_series` of them, with `names` among them. Returns the number of series per job.
double ExpectSameSeriesThroughBothFormats(SimAndExporter& env, double min_series, const std::vector<std::string>& names) {
  AcceptProxy openmetrics(env.exporter_port(), "");
  AcceptProxy text(env.exporter_port(), "text/plain;version=0.0.4");
  const int prometheus_port = FreePort();
  std::unique_ptr<Process> prometheus = StartPrometheus(
      env.dir(), prometheus_port,
      "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n"
      "  - job_name: openmetrics\n    static_configs:\n      - targets: ['127.0.0.1:" +
          std::to_string(openmetrics.port()) +
          "']\n  - job_name: text\n    static_configs:\n      - targets: ['127.0.0.1:" + std::to_string(text.port()) +
          "']\n");
  EXPECT_TRUE(WaitFor([&] { return PromQuery(prometheus_port, "count(up == 1)") == 2; }, std::chrono::seconds(30)))
      << prometheus->Log();
  // Each job got the format it was meant to get.
  EXPECT_EQ(openmetrics.offered().rfind("application/openmetrics-text;version=1.0.0", 0), 0u) << openmetrics.offered();
  EXPECT_EQ(openmetrics.content_type(), "application/openmetrics-text; version=1.0.0; charset=utf-8");
  EXPECT_EQ(text.content_type(), "text/plain; version=0.0.4; charset=utf-8");

  // Both jobs hold the same series (but their job label). A series born between two scrapes (a
  // new status code) shows up in both within a scrape interval, so the check waits for that.
  const std::string only_openmetrics = "count({job=\"openmetrics\"} unless ignoring(job, instance) {job=\"text\"})";
  const std::string only_text = "count({job=\"text\"} unless ignoring(job, instance) {job=\"openmetrics\"})";
  EXPECT_TRUE(WaitFor([&] { return !PromQuery(prometheus_port, only_openmetrics) && !PromQuery(prometheus_port, only_text); },
                      std::chrono::seconds(20)))
      << "only with OpenMetrics: " << PromQuery(prometheus_port, only_openmetrics).value_or(0)
      << " series; only with text: " << PromQuery(prometheus_port, only_text).value_or(0) << " series";
  const std::optional<double> series = PromQuery(prometheus_port, "count({job=\"openmetrics\"})");
  EXPECT_TRUE(series);
  if (!series) return 0;
  EXPECT_EQ(series, PromQuery(prometheus_port, "count({job=\"text\"})"));
  EXPECT_GE(*series, min_series);
  for (const std::string& name : names) {
    EXPECT_TRUE(PromQuery(prometheus_port, "count(" + name + "{job=\"openmetrics\"})")) << name;
  }
  // Prometheus keeps no sample twice: a repeated series would have failed the scrape (up 0).
  EXPECT_EQ(PromQuery(prometheus_port, "sum(scrape_samples_scraped{job=\"openmetrics\"}) - "
                                       "sum(scrape_samples_scraped{job=\"text\"})")
                .value_or(-1),
            0);
  return *series;
}

TEST_F(Conventions, PrometheusGetsTheSameSeriesWithOpenMetricsAndWithText) {
  // The names scripts use: a counter without _total kept its name, the process series are there.
  const double series = ExpectSameSeriesThroughBothFormats(
      env_, 100,
      {"tikv_engine_cache_efficiency", "process_cpu_seconds_total", "process_resident_memory_bytes",
       "process_virtual_memory_bytes", "process_open_fds", "process_max_fds", "process_start_time_seconds",
       "tikv_exporter_http_requests_in_flight"});
  std::printf("series per job: %.0f\n", series);
}

// Every family of a real TiKV v5.3 dump relayed (TiKV's own naming, its process_* series, its
// counters without _total): Prometheus' OpenMetrics parser reads all of it, and the series agree.
TEST(ConventionsRealDump, EveryRelayedTikvFamilyIsTheSameSeriesInBothFormats) {
  SimAndExporter env;
  env.StartSim({"--fixture", FIXTURES_DIR "/tikv-v5.3.0-alpha-metrics.prom"});
  env.StartExporterWithConfig(env.ConfigText(1000, 800, {}, "", "[collectors.tikv]\nrelay = [\"*\"]\n"));
  const double series = ExpectSameSeriesThroughBothFormats(
      env, 10000, {"tikv_engine_flow_bytes", "tikv_grpc_msg_duration_seconds_bucket", "process_open_fds"});
  std::printf("series per job: %.0f\n", series);
}

TEST_F(Conventions, ProcessSeriesAreTheExportersOwn) {
  ASSERT_TRUE(env_.WaitForPolls(2));
  const std::string metrics = env_.Metrics();  // checked for series exposed twice by the harness
  // The exporter's start time, not the simulated TiKV's (which relays its own under the same name).
  const std::optional<double> start = SampleValue(metrics, "process_start_time_seconds");
  ASSERT_TRUE(start);
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(*start, now, 60);
  const ProcessUsage usage = UsageOf(env_.exporter().pid());
  EXPECT_NEAR(SampleValue(metrics, "process_resident_memory_bytes").value_or(0) / 1024, usage.rss_kib,
              usage.rss_kib * 0.5);
  EXPECT_NEAR(SampleValue(metrics, "process_open_fds").value_or(0), usage.fds, 10);
  // The scrape that reads the gauge is in flight itself.
  EXPECT_GE(SampleValue(metrics, "tikv_exporter_http_requests_in_flight").value_or(0), 1);
  // Relaying what the exporter serves itself never doubles a series: TiKV's tikv_store_size_bytes
  // is left out for the exporter's own.
  EXPECT_TRUE(SampleValue(metrics, "tikv_store_size_bytes", {{"type", "used"}}));
}

TEST_F(Conventions, CurlGetsTextAndAnOpenMetricsClientGetsOpenMetrics) {
  HttpResult plain = HttpGet(env_.exporter_port(), "/metrics");
  EXPECT_EQ(plain.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(plain.body.find("# EOF"), std::string::npos);
  HttpResult openmetrics =
      HttpGet(env_.exporter_port(), "/metrics", {{"Accept", "application/openmetrics-text; version=1.0.0"}});
  EXPECT_EQ(openmetrics.headers["Content-Type"], "application/openmetrics-text; version=1.0.0; charset=utf-8");
  EXPECT_TRUE(openmetrics.body.ends_with("# EOF\n"));
  EXPECT_NE(openmetrics.body.find("# TYPE process_cpu_seconds counter\nprocess_cpu_seconds_total "), std::string::npos);
  EXPECT_EQ(openmetrics.headers["Vary"], "Accept");  // the last Vary line: ours (the framing may add Accept-Encoding)
}

}  // namespace
}  // namespace tikv_exporter::testing
