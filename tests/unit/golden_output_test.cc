// Outputs pinned (as node_exporter's e2e-output.txt): /metrics and the snapshot JSON of two polls
// of the simulator's built-in node at a fixed moment, assembled and rendered by the product's
// code. Any change to a series, a label, a HELP text or a JSON field shows up here as a diff to
// review. After an intended change: TIKV_EXPORTER_UPDATE_GOLDEN=1 bin/unit_tests
// --gtest_filter='GoldenOutput.*' rewrites tests/fixtures/golden/, then review `git diff`.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "collectors/flat_json.h"
#include "exporter/metrics_cache.h"
#include "exporter/metrics_renderer.h"
#include "exporter/self_instrumentation.h"
#include "snapshot/poll_assembly.h"
#include "snapshot/snapshot_json.h"
#include "tests/unit/gunzip.h"
#include "tests/unit/snapshot_inputs.h"
#include "tests/unit/test_files.h"
#include "tools/tikv-sim/sim_node.h"

namespace tikv_exporter {
namespace {

using std::chrono::seconds;

const std::string kGoldenDir = std::string(TESTDATA_DIR) + "/golden/";

// Compares `actual` with the golden file `name`, or rewrites it under the update switch.
void ExpectGolden(const std::string& name, const std::string& actual) {
  const std::string path = kGoldenDir + name;
  if (std::getenv("TIKV_EXPORTER_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  const std::string expected = testing::ReadFile(path);
  if (expected == actual) return;
  // The first differing line, rather than two bodies of hundreds of lines.
  std::istringstream want(expected), got(actual);
  std::string want_line, got_line;
  for (int line = 1;; ++line) {
    const bool more_want = static_cast<bool>(std::getline(want, want_line));
    const bool more_got = static_cast<bool>(std::getline(got, got_line));
    if (!more_want && !more_got) break;
    if (!more_want || !more_got || want_line != got_line) {
      ADD_FAILURE() << path << ":" << line << " differs (TIKV_EXPORTER_UPDATE_GOLDEN=1 rewrites it)\n  golden: "
                    << (more_want ? want_line : "(end)") << "\n  now:    " << (more_got ? got_line : "(end)");
      return;
    }
  }
}

// Two polls of the built-in node, 15 s apart, the first 15 s after its start on 2026-06-01.
std::shared_ptr<const PollState> TwoPolls() {
  auto node = sim::SimNode::BuiltIn();
  // The loads tikv-sim serves (its main sets them), then a start at a fixed moment.
  for (const sim::RequestLoad& load : sim::SimNode::DefaultRequestLoads()) node->SetRequestLoad(load);
  node->SetTickerLoads(sim::SimNode::DefaultTickerLoads());
  const auto start = std::chrono::steady_clock::time_point(std::chrono::hours(1));
  const auto wall_start = std::chrono::system_clock::time_point(seconds(1'780'272'000));
  node->RestartAt(start, wall_start);
  StatusOr<TikvConfig> config = FlattenJson(sim::SimNode::ConfigJson(), "simulated /config");
  EXPECT_TRUE(config.ok());
  PollRules rules;
  PollMemory memory;
  std::shared_ptr<const PollState> state;
  for (int poll = 1; poll <= 2; ++poll) {
    const auto at = seconds(15 * poll);
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               (wall_start + at).time_since_epoch()).count();
    PollData data;
    data.tikv = std::make_shared<const TikvScrape>(
        testing::ScrapeOf(node->RenderAt(start + at, wall_start + at), now_ms, config.ok() ? *config : TikvConfig{}));
    state = AssemblePoll({CollectorOutcome{Source::kTikv, true, 0.012, "", std::nullopt}}, data, now_ms, rules, &memory)
                .state;
  }
  return state;
}

TEST(GoldenOutput, MetricsOfTwoSimulatedPolls) {
  std::shared_ptr<const PollState> state = TwoPolls();
  // process_* would be the test process's own figures: a procfs root that does not exist leaves
  // them out (their computation has its own test, process_collector_test.cc).
  SelfInstrumentation instrumentation(kGoldenDir + "no-procfs-here");
  LimitTracker limits;
  const std::string metrics = RenderMetrics(*state, BuildInfo{"0.1.0", "golden"},
                                            SelfMetrics{&instrumentation, &limits, ReloadStatus{true, 0}});
  ExpectGolden("metrics.txt", metrics);
}

TEST(GoldenOutput, CachedMetricsAnswerAndItsGzipAreTheSameText) {
  std::shared_ptr<const PollState> state = TwoPolls();
  SelfInstrumentation instrumentation(kGoldenDir + "no-procfs-here");
  LimitTracker limits;
  MetricsCache cache(BuildInfo{"0.1.0", "golden"});
  const SelfMetrics self{&instrumentation, &limits, ReloadStatus{true, 0}};
  for (int scrape = 0; scrape < 2; ++scrape) {  // rendered, then from the cache
    ExpectGolden("metrics.txt", Joined(cache.Answer(state, self, {}, ExpositionFormat::kText, /*gzip=*/false).text));
    const MetricsAnswer answer = cache.Answer(state, self, {}, ExpositionFormat::kText, /*gzip=*/true);
    const std::optional<std::string> gunzipped = testing::GunzipOneMember(answer.gzipped);
    ASSERT_TRUE(gunzipped.has_value());
    ExpectGolden("metrics.txt", *gunzipped);
  }
  EXPECT_EQ(cache.poll_renders(), 1u);
}

TEST(GoldenOutput, SnapshotJsonOfTwoSimulatedPolls) {
  ExpectGolden("snapshot.json", SnapshotToJson(TwoPolls()->snapshot) + "\n");
}

}  // namespace
}  // namespace tikv_exporter
