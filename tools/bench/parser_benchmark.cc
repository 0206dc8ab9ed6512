// Parse and snapshot throughput on the real TiKV dumps (`make bench`).

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "collectors/exposition_parser.h"
#include "collectors/exposition_writer.h"
#include "collectors/relay_filter.h"
#include "collectors/snapshot_builder.h"
#include "collectors/tikv_collector.h"
#include "tools/bench/alloc_counter.h"

#include <httplib.h>

#include <thread>

namespace tikv_exporter {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(FIXTURES_DIR) + "/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void BM_Parse(benchmark::State& state, const std::string& fixture) {
  const std::string text = ReadFixture(fixture);
  if (text.empty()) {
    state.SkipWithError(("missing fixture " + fixture).c_str());
    return;
  }
  size_t series = 0;
  const uint64_t allocations = bench::Allocations();
  for (auto _ : state) {
    StatusOr<ParseResult> result = ParseExposition(text);
    series = result->exposition.SampleCount();
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * series));
  state.counters["allocs_per_parse"] =
      static_cast<double>(bench::Allocations() - allocations) / static_cast<double>(state.iterations());
  state.counters["series"] = static_cast<double>(series);
}
BENCHMARK_CAPTURE(BM_Parse, tikv_v5_3, std::string("tikv-v5.3.0-alpha-metrics.prom"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Parse, tikv_v5_0, std::string("tikv-v5.0-nightly-metrics-truncated.prom"))->Unit(benchmark::kMillisecond);

void BM_Snapshot(benchmark::State& state) {
  StatusOr<ParseResult> parsed = ParseExposition(ReadFixture("tikv-v5.3.0-alpha-metrics.prom"));
  if (!parsed.ok()) {
    state.SkipWithError("missing fixture");
    return;
  }
  TikvScrape before;
  before.metrics = parsed->exposition;
  TikvScrape after;
  after.metrics = parsed->exposition;
  after.monotonic_ms = 15000;
  for (auto _ : state) {
    Snapshot snapshot;
    AddTikvMetrics(&before, after, &snapshot);
    benchmark::DoNotOptimize(snapshot);
  }
}
BENCHMARK(BM_Snapshot)->Unit(benchmark::kMicrosecond);

// Selecting and relabelling the raw series to relay, plus writing them for /metrics.
void BM_Relay(benchmark::State& state) {
  StatusOr<ParseResult> parsed = ParseExposition(ReadFixture("tikv-v5.3.0-alpha-metrics.prom"));
  if (!parsed.ok()) {
    state.SkipWithError("missing fixture");
    return;
  }
  const RelayRules rules{{"tikv_engine_*", "tikv_grpc_*", "tikv_store_*", "tikv_raftstore_*", "tikv_thread_*"},
                         {"tikv_engine_*_micro_seconds"},
                         {"tid"}};
  size_t series = 0;
  for (auto _ : state) {
    Exposition relayed = FilterForRelay(parsed->exposition, rules);
    std::string text = WriteExposition(relayed);
    series = relayed.SampleCount();
    benchmark::DoNotOptimize(text);
  }
  state.counters["relayed_series"] = static_cast<double>(series);
}
BENCHMARK(BM_Relay)->Unit(benchmark::kMillisecond);

// One full poll cycle as in production: GET /status, /metrics (gzip, as TiKV answers) and
// /config over loopback from an HTTP server in this process, parse, filter for relay, and turn
// two polls into a snapshot. CPU time is the polling thread's (the server's gzip is not ours).
void BM_PollCycle(benchmark::State& state) {
  const std::string text = ReadFixture("tikv-v5.3.0-alpha-metrics.prom");
  if (text.empty()) {
    state.SkipWithError("missing fixture");
    return;
  }
  httplib::Server server;
  server.Get("/status", [](const httplib::Request&, httplib::Response&) {});
  server.Get("/config", [](const httplib::Request&, httplib::Response& res) { res.set_content("{}", "application/json"); });
  server.Get("/metrics", [&text](const httplib::Request&, httplib::Response& res) {
    res.set_content(text, "text/plain; version=0.0.4");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread serving([&server] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  TikvCollector collector(MakeHttpFetcher("http://127.0.0.1:" + std::to_string(port), nullptr), 64 << 20, ParseLimits{});
  std::shared_ptr<const TikvScrape> previous;
  const uint64_t allocations = bench::Allocations();
  for (auto _ : state) {
    PollData data;
    Status status = collector.Collect(Clock::now() + std::chrono::seconds(10), &data);
    if (!status.ok()) {
      state.SkipWithError(status.message().c_str());
      break;
    }
    Snapshot snapshot;
    AddTikvMetrics(previous.get(), *data.tikv, &snapshot);
    previous = data.tikv;
    benchmark::DoNotOptimize(snapshot);
  }
  state.counters["allocs_per_poll"] =
      static_cast<double>(bench::Allocations() - allocations) / static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  server.stop();
  serving.join();
}
BENCHMARK(BM_PollCycle)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tikv_exporter

BENCHMARK_MAIN();
