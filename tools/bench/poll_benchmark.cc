// Snapshot and whole-poll cost on the real TiKV dumps (`make bench`): two polls into a snapshot,
// and one full poll cycle over loopback.

#include <benchmark/benchmark.h>
#include <httplib.h>

#include <string>
#include <thread>

#include "collectors/tikv/tikv_collector.h"
#include "prom/exposition_parser.h"
#include "snapshot/snapshot_builder.h"
#include "tools/bench/alloc_counter.h"
#include "tools/bench/fixture.h"

namespace tikv_exporter {
namespace {

using bench::ReadFixture;

void BM_Snapshot(benchmark::State& state) {
  const std::string text = ReadFixture("tikv-v5.3.0-alpha-metrics.prom");
  StatusOr<ParseResult> parsed_before = ParseExposition(text);
  StatusOr<ParseResult> parsed_after = ParseExposition(text);
  if (!parsed_before.ok() || !parsed_after.ok()) {
    state.SkipWithError("missing fixture");
    return;
  }
  TikvScrape before;
  before.metrics = std::move(parsed_before->exposition);
  TikvScrape after;
  after.metrics = std::move(parsed_after->exposition);
  after.monotonic_ms = 15000;
  for (auto _ : state) {
    Snapshot snapshot;
    AddTikvMetrics(&before, after, &snapshot);
    benchmark::DoNotOptimize(snapshot);
  }
}
BENCHMARK(BM_Snapshot)->Unit(benchmark::kMicrosecond);

// One full poll cycle as in production: GET /status, /metrics (over loopback, so not gzipped:
// AskGzip) and /config from an HTTP server in this process, parse into the last scrape's buffers,
// filter for relay, and turn two polls into a snapshot, keeping only the next poll's rate inputs
// as the poller does. CPU time is the polling thread's.
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
    StatusOr<std::shared_ptr<const TikvScrape>> scrape = collector.Collect(Clock::now() + std::chrono::seconds(10));
    if (!scrape.ok()) {
      state.SkipWithError(scrape.status().message().c_str());
      break;
    }
    Snapshot snapshot;
    AddTikvMetrics(previous.get(), **scrape, &snapshot);
    previous = std::make_shared<const TikvScrape>(KeepRateInputs(**scrape));
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
