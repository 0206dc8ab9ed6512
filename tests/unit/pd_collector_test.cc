// The PD collector's choice of members against scripted PD answers: an advertised leader URL
// that hangs from here must not keep the configured endpoint from answering.

#include "collectors/pd/pd_collector.h"

#include <algorithm>
#include <climits>

#include <gtest/gtest.h>

#include "tests/unit/fake_http_fetcher.h"

namespace tikv_exporter {
namespace {

using std::chrono::milliseconds;
using testing::FakeUpstreams;

constexpr char kVip[] = "http://pd-vip:2379";  // the configured endpoint: a VIP that works

// PD's /members naming `urls` as the members' client URLs, the first being the leader.
std::string MembersJson(const std::vector<std::string>& urls) {
  std::string members;
  for (size_t i = 0; i < urls.size(); ++i) {
    members += std::string(i ? "," : "") + R"({"name":"pd-)" + std::to_string(i) +
               R"(","member_id":)" + std::to_string(100 + i) + R"(,"client_urls":[")" + urls[i] +
               R"("]})";
  }
  return R"({"header":{"cluster_id":7},"members":[)" + members +
         R"(],"leader":{"name":"pd-0","member_id":100}})";
}

constexpr char kStores[] =
    R"({"count":2,"stores":[{"store":{"id":1,"status_address":"10.0.1.5:20180","state_name":"Up"},"status":{}},)"
    R"({"store":{"id":4,"status_address":"10.0.1.6:20180","state_name":"Up"},"status":{}}]})";

struct LogLine {
  LogLevel level;
  std::string message;
};

class PdCollectorTest : public ::testing::Test {
 protected:
  // Serves a working PD at `url` whose /members advertises `advertised`.
  void ServePd(const std::string& url, const std::vector<std::string>& advertised) {
    upstreams_.Answer(url, "/pd/api/v1/members", MembersJson(advertised));
    upstreams_.Answer(url, "/pd/api/v1/stores", kStores);
  }
  std::unique_ptr<PdCollector> Collector(std::vector<std::string> endpoints,
                                         PdCollectorOptions options = {}) {
    options.endpoints = std::move(endpoints);
    options.local_status_address = "127.0.0.1:20180";
    options.region_ttl_ms = INT64_MAX;  // region-level calls are not what these tests look at
    options.host = HostIdentity{"tikv-0", {"127.0.0.1", "10.0.1.5"}};
    options.log = [this](LogLevel level, const std::string& message) {
      log_.push_back({level, message});
    };
    return std::make_unique<PdCollector>(
        [this](const std::string& url) {
          return MakePdHttpClient(upstreams_.Fetcher(url), 1 << 20);
        },
        std::move(options));
  }
  // One poll with `timeout`; the PD data, or null when it failed (with the error in `error_`).
  std::shared_ptr<const PdData> Poll(PdCollector& collector,
                                     milliseconds timeout = milliseconds(400)) {
    upstreams_.ClearCalls();
    poll_deadline_ = Clock::now() + timeout;
    StatusOr<std::shared_ptr<const PdData>> polled = collector.Collect(poll_deadline_);
    error_ = polled.status().message();
    return polled.ok() ? *polled : nullptr;
  }
  size_t Logged(LogLevel level, const std::string& text) const {
    return std::count_if(log_.begin(), log_.end(), [&](const LogLine& line) {
      return line.level == level && line.message.find(text) != std::string::npos;
    });
  }
  bool Asked(const std::string& url) const {
    std::vector<std::string> asked = upstreams_.Asked("/pd/api/v1/members");
    return std::find(asked.begin(), asked.end(), url) != asked.end();
  }

  FakeUpstreams upstreams_;
  std::vector<LogLine> log_;
  std::string error_;
  Clock::time_point poll_deadline_;
};

TEST_F(PdCollectorTest, AnAdvertisedLeaderThatHangsGetsHalfThePollAndIsSkippedWithBackoff) {
  const std::string leader = "http://pd-0.pd-peer.svc:2379";
  ServePd(kVip, {leader, "http://pd-1.pd-peer.svc:2379"});
  upstreams_.Hang(leader);
  upstreams_.Hang("http://pd-1.pd-peer.svc:2379");
  auto collector = Collector({kVip});
  ASSERT_TRUE(Poll(*collector)) << error_;

  // The learned leader is asked first, but only until half the poll's time, then the VIP.
  std::shared_ptr<const PdData> data = Poll(*collector);
  ASSERT_TRUE(data) << error_;
  EXPECT_EQ(data->endpoint, kVip);
  ASSERT_EQ(upstreams_.Asked("/pd/api/v1/members"), (std::vector<std::string>{leader, kVip}));
  EXPECT_LE(upstreams_.calls()[0].deadline, poll_deadline_ - milliseconds(150));
  EXPECT_EQ(
      Logged(LogLevel::kWarn, "PD member " + leader + " (advertised by PD's /members) failed"), 1u);
  EXPECT_EQ(Logged(LogLevel::kWarn, "skipping it for the next poll"), 1u);

  // Then it is skipped for 1, 2, 4 polls between retries; PD is up in every poll, and the skip
  // was logged once.
  std::vector<int> asked_in;
  for (int poll = 3; poll <= 12; ++poll) {
    ASSERT_TRUE(Poll(*collector)) << "poll " << poll << ": " << error_;
    EXPECT_TRUE(Asked(kVip)) << "poll " << poll;
    if (Asked(leader)) asked_in.push_back(poll);
  }
  EXPECT_EQ(asked_in, (std::vector<int>{4, 7, 12}));
  EXPECT_EQ(Logged(LogLevel::kWarn, leader), 1u);
  EXPECT_EQ(Logged(LogLevel::kDebug, "PD member " + leader + " failed again (4 times in a row)"),
            1u);
}

TEST_F(PdCollectorTest, ASkippedMemberThatAnswersAgainIsPreferredAndLoggedOnce) {
  const std::string leader = "http://pd-0.pd-peer.svc:2379";
  ServePd(kVip, {leader});
  upstreams_.Hang(leader);
  auto collector = Collector({kVip});
  ASSERT_TRUE(Poll(*collector));
  ASSERT_TRUE(Poll(*collector));  // the leader hangs
  upstreams_.Heal(leader);
  ServePd(leader, {leader});
  ASSERT_TRUE(Poll(*collector));
  EXPECT_FALSE(Asked(leader));  // skipped for one poll
  std::shared_ptr<const PdData> data = Poll(*collector);
  ASSERT_TRUE(data);
  EXPECT_EQ(data->endpoint, leader);
  EXPECT_EQ(
      Logged(LogLevel::kInfo, "PD member " + leader + " answers again after 1 failed attempts"),
      1u);
  data = Poll(*collector);
  ASSERT_TRUE(data);
  EXPECT_EQ(upstreams_.Asked("/pd/api/v1/members"), std::vector<std::string>{leader});
}

TEST_F(PdCollectorTest, AHungConfiguredEndpointLeavesTimeForTheNext) {
  ServePd("http://pd-b:2379", {"http://pd-a:2379", "http://pd-b:2379"});
  auto collector = Collector({"http://pd-a:2379", "http://pd-b:2379"});
  upstreams_.Hang("http://pd-a:2379");
  for (int poll = 0; poll < 3; ++poll) {
    std::shared_ptr<const PdData> data = Poll(*collector);
    ASSERT_TRUE(data) << "poll " << poll << ": " << error_;
    EXPECT_EQ(data->endpoint, "http://pd-b:2379");
  }
  // It answered last and the hung leader is not preferred again: one attempt, no hang.
  EXPECT_EQ(upstreams_.Asked("/pd/api/v1/members"), std::vector<std::string>{"http://pd-b:2379"});
  EXPECT_EQ(Logged(LogLevel::kWarn, "pd-a"), 0u);  // a configured endpoint is never skipped
}

TEST_F(PdCollectorTest, KeepsAtMostSixteenEndpointsAndForgetsUnlistedOnes) {
  std::vector<std::string> advertised;
  for (int i = 0; i < 20; ++i) advertised.push_back("http://pd-" + std::to_string(i) + ":2379");
  ServePd(kVip, advertised);
  auto collector = Collector({kVip});
  ASSERT_TRUE(Poll(*collector));
  upstreams_.Refuse(kVip);  // now every member fails: every known one is asked
  EXPECT_FALSE(Poll(*collector, milliseconds(2000)));
  EXPECT_EQ(upstreams_.Asked("/pd/api/v1/members").size(), 16u);
  EXPECT_FALSE(Asked("http://pd-15:2379"));
  EXPECT_EQ(Logged(LogLevel::kWarn, "more endpoints than the 16"), 1u);
  EXPECT_NE(error_.find("no PD member answered"), std::string::npos);

  // PD now lists other members: the learned ones it no longer lists are forgotten.
  ServePd(kVip, {"http://pd-new:2379"});
  ASSERT_TRUE(Poll(*collector)) << error_;
  upstreams_.Refuse(kVip);
  EXPECT_FALSE(Poll(*collector));
  EXPECT_EQ(upstreams_.Asked("/pd/api/v1/members"),
            (std::vector<std::string>{"http://pd-new:2379", kVip}));
}

TEST_F(PdCollectorTest, LogsWhichStoreIsThisNodesOnceAndHowItMatched) {
  ServePd(kVip, {kVip});
  auto collector = Collector({kVip});
  for (int poll = 0; poll < 3; ++poll) {
    std::shared_ptr<const PdData> data = Poll(*collector);
    ASSERT_TRUE(data);
    // PD lists 10.0.1.5:20180, status_address is 127.0.0.1:20180, and 10.0.1.5 is this host's.
    EXPECT_EQ(data->local_store_id, 1u);
    EXPECT_EQ(data->local_store_match, "this_host");
  }
  EXPECT_EQ(Logged(LogLevel::kInfo,
                   "this node's store in PD: store 1: PD lists status address 10.0.1.5:20180"),
            1u);
}

TEST_F(PdCollectorTest, SaysOnceWhyNoStoreIsThisNodes) {
  ServePd(kVip, {kVip});
  PdCollectorOptions options;
  options.local_store_id = 99;
  auto collector = Collector({kVip}, options);
  for (int poll = 0; poll < 3; ++poll) {
    std::shared_ptr<const PdData> data = Poll(*collector);
    ASSERT_TRUE(data);
    EXPECT_FALSE(data->local_store_id);
    EXPECT_EQ(data->local_store_match, "none");
  }
  EXPECT_EQ(Logged(LogLevel::kWarn, "local_store_id = 99 is not among PD's 2 stores"), 1u);
}

// {"stores":[{}]} was taken as one Up store with id 0. Invalid entries are dropped and counted,
// the first named once in the log; a body of nothing valid fails the member like an error.
TEST_F(PdCollectorTest, InvalidStoresAreDroppedCountedAndNamed) {
  ServePd(kVip, {kVip});
  upstreams_.Answer(kVip, "/pd/api/v1/stores",
                    R"({"count":4,"stores":[{},{"store":{"id":1,"state_name":"Up"}},)"
                    R"({"store":{"id":5,"state_name":"Sleeping"}},{"store":{"id":1,"state_name":"Up"}}]})");
  auto collector = Collector({kVip});
  for (int poll = 0; poll < 3; ++poll) {
    std::shared_ptr<const PdData> data = Poll(*collector);
    ASSERT_TRUE(data) << error_;
    ASSERT_EQ(data->stores.size(), 1u);
    EXPECT_EQ(data->stores[0].id, 1u);
    EXPECT_EQ(data->invalid_stores, 3u);
  }
  EXPECT_EQ(Logged(LogLevel::kWarn, "PD /stores: 3 invalid store(s) dropped, first store #1 of 4: no store id"), 1u);

  upstreams_.Answer(kVip, "/pd/api/v1/stores", R"({"stores":[{}]})");
  EXPECT_FALSE(Poll(*collector));
  EXPECT_NE(error_.find("PD /stores: none of the 1 stores is valid (store #1 of 1: no store id)"), std::string::npos)
      << error_;
  upstreams_.Answer(kVip, "/pd/api/v1/stores", R"({"count":5,"stores":[{"store":{"id":1,"state_name":"Up"}}]})");
  EXPECT_FALSE(Poll(*collector));
  EXPECT_NE(error_.find("PD /stores: \"count\" is 5 but the body lists 1 stores"), std::string::npos) << error_;
}

// A 10 MB store address was exported as a label value: PD's strings are cut at
// max_label_value_bytes (at a character boundary), the store kept and the cut noted.
TEST_F(PdCollectorTest, LongStringsAreCutAndNoted) {
  ServePd(kVip, {kVip});
  const std::string address(512 << 10, 'a');  // the fake fetcher's bound is 1 MiB
  upstreams_.Answer(kVip, "/pd/api/v1/stores",
                    R"({"stores":[{"store":{"id":3,"state_name":"Up","address":")" + address +
                        R"(","version":"8.1.0-abcdefghijklm\u00e9"}}]})");
  PdCollectorOptions options;
  options.max_string_bytes = 20;
  auto collector = Collector({kVip}, options);
  std::shared_ptr<const PdData> data = Poll(*collector, milliseconds(5000));
  ASSERT_TRUE(data) << error_;
  ASSERT_EQ(data->stores.size(), 1u);
  EXPECT_EQ(data->stores[0].address, std::string(20, 'a'));
  EXPECT_EQ(data->stores[0].version, "8.1.0-abcdefghijklm");  // 20 bytes would split the é
  ASSERT_EQ(data->limit_notes.size(), 1u);
  EXPECT_EQ(data->limit_notes[0].limit, Limit::kPdStringBytes);
  EXPECT_EQ(data->limit_notes[0].detail,
            "2 PD string(s) longer than 20 bytes cut, first store 3's address (524288 bytes)");
  ASSERT_EQ(data->members.size(), 1u);
  EXPECT_EQ(data->members[0].client_urls, std::vector<std::string>{kVip}) << "18 bytes: kept";
}

// Issue 21 case 6: a path-filtering proxy in front of PD lets /config and /gc/safepoint through
// but not /status, the region checks or the hot spots. What answered counts; what failed is
// logged once, not on every refresh. Before: the GC safe points and config were thrown away
// (gc absent) and nothing was logged.
TEST_F(PdCollectorTest, EachRegionLevelEndpointCountsOnItsOwnAndFailuresAreLoggedOnce) {
  ServePd(kVip, {kVip});
  upstreams_.Answer(kVip, "/pd/api/v1/config", R"({"replication":{"max-replicas":3}})");
  upstreams_.Answer(kVip, "/pd/api/v1/gc/safepoint",
                    R"({"service_gc_safe_points":[],"gc_safe_point":449565904928145409})");
  upstreams_.Answer(kVip, "/pd/api/v1/status", "Forbidden", 403);
  PdCollectorOptions options;
  options.endpoints = {kVip};
  options.local_status_address = "127.0.0.1:20180";
  options.region_ttl_ms = 0;  // every poll refreshes the region-level data
  options.host = HostIdentity{"tikv-0", {"127.0.0.1"}};
  options.log = [this](LogLevel level, const std::string& message) { log_.push_back({level, message}); };
  auto collector = std::make_unique<PdCollector>(
      [this](const std::string& url) { return MakePdHttpClient(upstreams_.Fetcher(url), 1 << 20); },
      std::move(options));
  for (int poll = 0; poll < 3; ++poll) {
    std::shared_ptr<const PdData> data = Poll(*collector);
    ASSERT_TRUE(data) << error_;
    ASSERT_TRUE(data->regions.gc) << "poll " << poll;
    EXPECT_EQ(data->regions.gc->gc_safe_point, 449565904928145409u);
    EXPECT_EQ(data->regions.max_replicas, 3);
    EXPECT_TRUE(data->regions.failed.contains("/status"));
  }
  EXPECT_EQ(Logged(LogLevel::kWarn, "PD region-level endpoints gave nothing (the others still count): "), 1u);
  EXPECT_EQ(Logged(LogLevel::kWarn, "/status: "), 1u);
}

// Each fetch's GETs share one connection (one TCP and TLS handshake, not one per GET), closed when
// the fetch ends.
TEST_F(PdCollectorTest, AFetchsRequestsShareOneConnectionClosedWhenItEnds) {
  ServePd(kVip, {kVip});
  std::unique_ptr<PdClient> client = MakePdHttpClient(upstreams_.Fetcher(kVip), 1 << 20);
  const Clock::time_point deadline = Clock::now() + milliseconds(400);
  PdData data;
  ASSERT_TRUE(client->FetchCluster(deadline, &data).ok());
  const size_t cluster_calls = upstreams_.calls().size();
  PdRegionData regions;
  ASSERT_TRUE(client->FetchRegionData(deadline, &regions).ok());
  const std::vector<FakeUpstreams::Call>& calls = upstreams_.calls();
  ASSERT_GE(cluster_calls, 3u);
  ASSERT_GE(calls.size(), cluster_calls + 13);
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_TRUE(calls[i].keep_connection) << calls[i].path;
    const bool last_of_a_fetch = i + 1 == cluster_calls || i + 1 == calls.size();
    EXPECT_EQ(calls[i].connection_closed, last_of_a_fetch) << calls[i].path;
  }
}

// A /config that is not JSON was dropped without a word (its Status was ignored); it is now one
// of the endpoints that gave nothing, named with why.
TEST_F(PdCollectorTest, AMalformedConfigIsNamedAmongTheFailedEndpoints) {
  ServePd(kVip, {kVip});
  upstreams_.Answer(kVip, "/pd/api/v1/config", "{\"replication\": [not json");
  PdCollectorOptions options;
  options.endpoints = {kVip};
  options.local_status_address = "127.0.0.1:20180";
  options.region_ttl_ms = 0;
  options.host = HostIdentity{"tikv-0", {"127.0.0.1"}};
  options.log = [this](LogLevel level, const std::string& message) { log_.push_back({level, message}); };
  auto collector = std::make_unique<PdCollector>(
      [this](const std::string& url) { return MakePdHttpClient(upstreams_.Fetcher(url), 1 << 20); },
      std::move(options));
  std::shared_ptr<const PdData> data = Poll(*collector);
  ASSERT_TRUE(data) << error_;
  ASSERT_TRUE(data->regions.failed.contains("/config"));
  EXPECT_NE(data->regions.failed.at("/config").find("malformed JSON"), std::string::npos)
      << data->regions.failed.at("/config");
  EXPECT_EQ(Logged(LogLevel::kWarn, "/config: "), 1u);
}

}  // namespace
}  // namespace tikv_exporter
