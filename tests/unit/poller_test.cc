// The poller as a scheduler: it publishes each poll whole, records the bounds hit, takes a reload
// at the next poll, keeps its schedule, and a Stop ends a poll stuck on an upstream without
// publishing it. What a poll contains is AssemblePoll's (poll_assembly_test.cc).

#include "exporter/poller.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "snapshot/poll_data.h"
#include "tests/unit/snapshot_inputs.h"

namespace tikv_exporter {
namespace {

using namespace std::chrono_literals;

// A source whose answer a function gives; counts its calls.
template <typename T>
class ScriptedSource : public SourceCollector<T> {
 public:
  using Answer = std::function<StatusOr<std::shared_ptr<const T>>()>;
  ScriptedSource(Source source, Answer answer, std::shared_ptr<std::atomic<int>> calls)
      : source_(source), answer_(std::move(answer)), calls_(std::move(calls)) {}
  Source source() const override { return source_; }
  StatusOr<std::shared_ptr<const T>> Collect(Clock::time_point) override {
    ++*calls_;
    return answer_();
  }

 private:
  Source source_;
  Answer answer_;
  std::shared_ptr<std::atomic<int>> calls_;
};

// True once `condition` holds, polling for up to 10 s.
bool WaitFor(const std::function<bool()>& condition) {
  for (auto until = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < until;) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

const char* kTikvBody = "# TYPE tikv_grpc_msg_duration_seconds histogram\n"
                        "tikv_grpc_msg_duration_seconds_bucket{type=\"kv_get\",le=\"+Inf\"} 10\n"
                        "tikv_grpc_msg_duration_seconds_sum{type=\"kv_get\"} 0.1\n"
                        "tikv_grpc_msg_duration_seconds_count{type=\"kv_get\"} 10\n";

class PollerTest : public ::testing::Test {
 protected:
  // TiKV answers; PD (unless `with_pd` is false) fails on a bound.
  std::unique_ptr<CollectorSet> Sources(bool with_pd = true) {
    std::vector<std::unique_ptr<Collector>> collectors;
    collectors.push_back(IntoPollData(std::make_unique<ScriptedSource<TikvScrape>>(
        Source::kTikv,
        // The flag is shared, not the fixture's: a worker the set gave up on may outlive the test.
        [hang = hang_tikv_]() -> StatusOr<std::shared_ptr<const TikvScrape>> {
          while (*hang) std::this_thread::sleep_for(5ms);
          return std::make_shared<const TikvScrape>(testing::ScrapeOf(kTikvBody, 1000));
        },
        tikv_calls_)));
    if (with_pd) {
      collectors.push_back(IntoPollData(std::make_unique<ScriptedSource<PdData>>(
          Source::kPd,
          []() -> StatusOr<std::shared_ptr<const PdData>> {
            return Status::LimitHit(Limit::kPdStores, "PD /stores: more than 10000 stores");
          },
          pd_calls_)));
    }
    return std::make_unique<CollectorSet>(std::move(collectors));
  }
  void TearDown() override { *hang_tikv_ = false; }

  ExporterConfig Config(int interval_ms) {
    ExporterConfig config;
    config.poll_interval_ms = interval_ms;
    config.timeout_ms = 2000;
    return config;
  }

  std::shared_ptr<std::atomic<bool>> hang_tikv_ = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<std::atomic<int>> tikv_calls_ = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::atomic<int>> pd_calls_ = std::make_shared<std::atomic<int>>(0);
  SnapshotHistory history_{10};
  LimitTracker limits_;
};

TEST_F(PollerTest, PublishesEachPollWholeWithItsSourcesAndBounds) {
  Poller poller(Sources(), Config(60'000), &history_, &limits_);
  EXPECT_FALSE(poller.Ready());
  EXPECT_EQ(poller.Latest()->snapshot.sources.at(Source::kPd).enabled, true) << "known before the first poll";
  EXPECT_EQ(poller.Latest()->collectors.at(Source::kTikv).last_error, "not polled yet");
  poller.PollOnce();
  poller.PollOnce();
  std::shared_ptr<const PollState> latest = poller.Latest();
  EXPECT_TRUE(poller.Ready());
  EXPECT_EQ(latest->polls_total, 2u);
  EXPECT_TRUE(latest->snapshot.sources.at(Source::kTikv).up);
  EXPECT_FALSE(latest->snapshot.sources.at(Source::kPd).up);
  EXPECT_EQ(latest->snapshot.sources.at(Source::kPd).last_error, "PD /stores: more than 10000 stores");
  EXPECT_EQ(limits_.Snapshot().at(Limit::kPdStores).hits, 2u);
  EXPECT_EQ(history_.Page(0, 10).json.size(), 2u);
}

TEST_F(PollerTest, AReloadTakesEffectAtTheNextPollAndDropsASourceTurnedOff) {
  Poller poller(Sources(), Config(60'000), &history_, &limits_);
  poller.PollOnce();
  ASSERT_TRUE(poller.Latest()->collectors.contains(Source::kPd));
  poller.Reconfigure(Sources(/*with_pd=*/false), Config(60'000));
  EXPECT_TRUE(poller.Latest()->collectors.contains(Source::kPd)) << "the published poll stays as it was";
  poller.PollOnce();
  EXPECT_FALSE(poller.Latest()->collectors.contains(Source::kPd));
  EXPECT_FALSE(poller.Latest()->snapshot.sources.contains(Source::kPd));
  EXPECT_EQ(*pd_calls_, 1);
  EXPECT_EQ(*tikv_calls_, 2);
}

// TiKV alone, its auto-GC safe point (a TSO: milliseconds << 18) read from `safe_point_ms`.
std::unique_ptr<CollectorSet> TikvWithSafePoint(std::shared_ptr<std::atomic<int64_t>> safe_point_ms) {
  std::vector<std::unique_ptr<Collector>> collectors;
  collectors.push_back(IntoPollData(std::make_unique<ScriptedSource<TikvScrape>>(
      Source::kTikv,
      [safe_point_ms]() -> StatusOr<std::shared_ptr<const TikvScrape>> {
        const std::string body = "# TYPE tikv_gcworker_autogc_safe_point gauge\ntikv_gcworker_autogc_safe_point " +
                                 std::to_string(static_cast<uint64_t>(safe_point_ms->load()) << 18) + "\n";
        const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch()).count();
        return std::make_shared<const TikvScrape>(testing::ScrapeOf(body, now_ms));  // the lag's "now"
      },
      std::make_shared<std::atomic<int>>(0))));
  return std::make_unique<CollectorSet>(std::move(collectors));
}

TEST_F(PollerTest, AReloadOfTheSameNodeKeepsWatchingTheGcSafePointAnotherNodeStartsAnew) {
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
  auto safe_point = std::make_shared<std::atomic<int64_t>>(now_ms - 1'200'000);
  Poller poller(TikvWithSafePoint(safe_point), Config(60'000), &history_, &limits_);
  poller.PollOnce();
  *safe_point = now_ms - 600'000;  // GC ran
  poller.PollOnce();
  ASSERT_TRUE(poller.Latest()->snapshot.gc_advance.has_value());
  ASSERT_TRUE(poller.Latest()->snapshot.gc_advance->moved);
  poller.Reconfigure(TikvWithSafePoint(safe_point), Config(60'000));  // e.g. a threshold changed
  poller.PollOnce();
  ASSERT_TRUE(poller.Latest()->snapshot.gc_advance.has_value());
  EXPECT_TRUE(poller.Latest()->snapshot.gc_advance->moved) << "the watch was kept";
  ExporterConfig other = Config(60'000);
  other.status_address = "10.0.0.2:20180";
  poller.Reconfigure(TikvWithSafePoint(safe_point), other);
  poller.PollOnce();
  ASSERT_TRUE(poller.Latest()->snapshot.gc_advance.has_value());
  EXPECT_FALSE(poller.Latest()->snapshot.gc_advance->moved) << "another node is watched anew";
}

TEST_F(PollerTest, StopEndsAPollStuckOnAnUpstreamWithoutPublishingIt) {
  Poller poller(Sources(), Config(50), &history_, &limits_);
  poller.Start();
  ASSERT_TRUE(WaitFor([&] { return poller.Latest()->polls_total >= 2; }));
  *hang_tikv_ = true;
  const int calls = *tikv_calls_;
  ASSERT_TRUE(WaitFor([&] { return *tikv_calls_ > calls; }));  // a poll is now stuck in TiKV
  const uint64_t published = poller.Latest()->polls_total;
  poller.Stop();
  EXPECT_EQ(poller.Latest()->polls_total, published) << "an interrupted poll is not published";
  *hang_tikv_ = false;
}

}  // namespace
}  // namespace tikv_exporter
