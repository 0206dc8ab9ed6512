// Text-format throughput on the real TiKV dumps (`make bench`): parsing, and selecting plus
// writing the relayed series. Links only the text-format library (prom/).

#include <benchmark/benchmark.h>

#include <string>

#include "prom/exposition_parser.h"
#include "prom/exposition_writer.h"
#include "prom/relay_filter.h"
#include "tools/bench/alloc_counter.h"
#include "tools/bench/fixture.h"

namespace tikv_exporter {
namespace {

using bench::ReadFixture;

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

}  // namespace
}  // namespace tikv_exporter

BENCHMARK_MAIN();
