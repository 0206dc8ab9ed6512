#include "snapshot/poll_assembly.h"

#include <gtest/gtest.h>

#include "tests/unit/snapshot_inputs.h"

namespace tikv_exporter {
namespace {

// TiKV's request counter and start time, as /metrics has them.
std::string TikvText(double requests, double start_time) {
  return "# TYPE tikv_grpc_msg_duration_seconds histogram\n"
         "tikv_grpc_msg_duration_seconds_bucket{type=\"kv_get\",le=\"0.001\"} " + std::to_string(requests) +
         "\ntikv_grpc_msg_duration_seconds_bucket{type=\"kv_get\",le=\"+Inf\"} " + std::to_string(requests) +
         "\ntikv_grpc_msg_duration_seconds_sum{type=\"kv_get\"} 0\n"
         "tikv_grpc_msg_duration_seconds_count{type=\"kv_get\"} " + std::to_string(requests) +
         "\n# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds " + std::to_string(start_time) + "\n";
}

CollectorOutcome Up(Source source) { return CollectorOutcome{source, true, 0.01, "", std::nullopt}; }
CollectorOutcome Down(Source source, const std::string& error, std::optional<Limit> limit = std::nullopt) {
  return CollectorOutcome{source, false, 0.01, error, limit};
}

PollData WithTikv(const std::string& text, int64_t at_ms, TikvConfig config = {}) {
  PollData data;
  data.tikv = std::make_shared<const TikvScrape>(testing::ScrapeOf(text, at_ms, std::move(config)));
  return data;
}

class PollAssembly : public ::testing::Test {
 protected:
  AssembledPoll Poll(const std::vector<CollectorOutcome>& outcomes, const PollData& data, int64_t now_ms) {
    return AssemblePoll(outcomes, data, now_ms, rules_, &memory_);
  }
  PollRules rules_;
  PollMemory memory_;
};

TEST_F(PollAssembly, RatesSpanTheLastTwoGoodScrapesAcrossAPollWithTikvDown) {
  AssembledPoll first = Poll({Up(Source::kTikv)}, WithTikv(TikvText(100, 5), 1000), 1000);
  EXPECT_FALSE(first.state->snapshot.qps.has_value()) << "one scrape is no window";
  AssembledPoll down = Poll({Down(Source::kTikv, "connection refused or unreachable")}, PollData{}, 11000);
  EXPECT_FALSE(down.state->snapshot.qps.has_value());
  EXPECT_EQ(down.state->tikv, nullptr);
  AssembledPoll second = Poll({Up(Source::kTikv)}, WithTikv(TikvText(2100, 5), 21000), 21000);
  ASSERT_TRUE(second.state->snapshot.qps.has_value());
  EXPECT_DOUBLE_EQ(*second.state->snapshot.qps, 100) << "2000 requests over the 20 s since the last good scrape";
  EXPECT_EQ(second.state->snapshot.sequence, 3u);
  EXPECT_EQ(second.state->polls_total, 3u);
}

// A published poll keeps what /metrics serves of the TiKV scrape and the next poll's rate inputs,
// not the parsed body: its buffers are back in the collector's pool while the poll is served, so
// the next parse writes into them instead of fresh pages.
TEST_F(PollAssembly, APublishedPollGivesTheParsedBodysBuffersBack) {
  auto pool = std::make_shared<ExpositionBufferPool>(size_t{64} << 20);
  std::string text = TikvText(100, 5);
  for (int i = 0; i < 2000; ++i) text += "tikv_filler{i=\"" + std::to_string(i) + "\"} 1\n";
  ExpositionBuffers buffers;
  buffers.body = text;
  StatusOr<ParseResult> parsed = ParseExposition(std::move(buffers), ParseLimits{}, pool);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  auto scrape = std::make_shared<TikvScrape>();
  scrape->metrics = std::move(parsed->exposition);
  auto summary = std::make_shared<TikvScrapeSummary>();
  summary->series = scrape->metrics.SampleCount();
  scrape->summary = summary;
  PollData data;
  data.tikv = std::move(scrape);
  AssembledPoll poll = Poll({Up(Source::kTikv)}, data, 1000);
  data = PollData{};  // the poller drops the poll's data once it is assembled
  ASSERT_NE(poll.state->tikv, nullptr);
  EXPECT_EQ(poll.state->tikv->series, 2005u);
  EXPECT_GE(pool->Take().body.capacity(), text.size()) << "the body's buffer is back in the pool";
}

TEST_F(PollAssembly, TellsOfEachSourceStateChangeOnce) {
  auto kinds = [](const AssembledPoll& poll) {
    std::vector<SourceChange::Kind> out;
    for (const SourceChange& change : poll.changes) out.push_back(change.kind);
    return out;
  };
  using Kind = SourceChange::Kind;
  EXPECT_EQ(kinds(Poll({Down(Source::kPd, "timeout")}, PollData{}, 1000)), std::vector<Kind>{Kind::kDown});
  EXPECT_EQ(kinds(Poll({Down(Source::kPd, "timeout")}, PollData{}, 2000)), std::vector<Kind>{});
  AssembledPoll other = Poll({Down(Source::kPd, "refused")}, PollData{}, 3000);
  EXPECT_EQ(kinds(other), std::vector<Kind>{Kind::kOtherErrorWhileDown});
  EXPECT_EQ(other.state->snapshot.sources.at(Source::kPd).last_error, "refused");
  EXPECT_FALSE(other.any_up);
  AssembledPoll up = Poll({Up(Source::kPd)}, PollData{}, 4000);
  EXPECT_EQ(kinds(up), std::vector<Kind>{Kind::kUp});
  EXPECT_TRUE(up.any_up);
  EXPECT_EQ(up.state->collectors.at(Source::kPd).last_success_ms, 4000);
  EXPECT_EQ(kinds(Poll({Up(Source::kPd)}, PollData{}, 5000)), std::vector<Kind>{});
}

TEST_F(PollAssembly, ListsTheBoundsOfFailedCollectorsAndTheOnesNotedByDeliveringOnes) {
  PollData data = WithTikv(TikvText(1, 5), 1000);
  auto pd = std::make_shared<PdData>();
  pd->limit_notes.push_back(LimitNote{Limit::kPdStringBytes, "an address cut to 256 bytes"});
  data.pd = pd;
  AssembledPoll poll = Poll({Up(Source::kTikv), Up(Source::kPd),
                             Down(Source::kRocksDb, "body too large", Limit::kUpstreamBodyBytes)},
                            data, 1000);
  ASSERT_EQ(poll.limits_hit.size(), 2u);
  EXPECT_EQ(poll.limits_hit[0].limit, Limit::kUpstreamBodyBytes);
  EXPECT_EQ(poll.limits_hit[0].detail, "body too large");
  EXPECT_EQ(poll.limits_hit[1].limit, Limit::kPdStringBytes);
}

TEST_F(PollAssembly, CountsATikvRestartAcrossPolls) {
  Poll({Up(Source::kTikv)}, WithTikv(TikvText(100, 5), 1000), 1000);
  AssembledPoll same = Poll({Up(Source::kTikv)}, WithTikv(TikvText(200, 5), 2000), 2000);
  EXPECT_EQ(same.state->snapshot.pressure.tikv_restarts, 0u);
  AssembledPoll restarted = Poll({Up(Source::kTikv)}, WithTikv(TikvText(3, 1900), 3000), 3000);
  EXPECT_EQ(restarted.state->snapshot.pressure.tikv_restarts, 1u);
  AssembledPoll after = Poll({Up(Source::kTikv)}, WithTikv(TikvText(9, 1900), 4000), 4000);
  EXPECT_EQ(after.state->snapshot.pressure.tikv_restarts, 1u) << "counted once, kept after";
}

TEST_F(PollAssembly, ComparesDeclaredSettingsOnlyWithALiveConfig) {
  rules_.expected_settings["storage"]["reserve_space"] = ExpectedSetting{"5GB", 5.0 * (1ULL << 30), "test"};
  AssembledPoll without = Poll({Up(Source::kTikv)}, WithTikv(TikvText(1, 5), 1000), 1000);
  EXPECT_TRUE(without.state->drift.empty()) << "TiKV < 4.0 has no /config";
  AssembledPoll with = Poll({Up(Source::kTikv)}, WithTikv(TikvText(2, 5), 2000, {{"storage.reserve-space", "2GiB"}}), 2000);
  ASSERT_EQ(with.state->drift.size(), 1u);
  EXPECT_TRUE(with.state->drift[0].drifted);
}

TEST_F(PollAssembly, AReloadThatTurnsASourceOffDropsItsStats) {
  Poll({Up(Source::kTikv), Down(Source::kPd, "timeout")}, WithTikv(TikvText(1, 5), 1000), 1000);
  KeepStatsOf({Source::kTikv}, &memory_);
  AssembledPoll poll = Poll({Up(Source::kTikv)}, WithTikv(TikvText(2, 5), 2000), 2000);
  EXPECT_TRUE(poll.state->collectors.contains(Source::kTikv));
  EXPECT_FALSE(poll.state->collectors.contains(Source::kPd));
  EXPECT_FALSE(poll.state->snapshot.sources.contains(Source::kPd));
}

TEST_F(PollAssembly, TheVerdictIsEvaluatedOnWhatThePollHas) {
  AssembledPoll nothing = Poll({Down(Source::kTikv, "refused")}, PollData{}, 1000);
  const HealthVerdict& verdict = nothing.state->snapshot.health;
  ASSERT_FALSE(verdict.checks.empty());
  bool reachable_failed = false;
  for (const HealthCheckResult& check : verdict.checks) {
    if (check.check == HealthCheck::kTikvReachable) reachable_failed = check.level == HealthLevel::kCritical;
  }
  EXPECT_TRUE(reachable_failed) << "TiKV down is the verdict's first check";
}

}  // namespace
}  // namespace tikv_exporter
