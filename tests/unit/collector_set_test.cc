// The collector set: results stored into PollData after joining, a collector that hangs failed
// alone by deadline + grace and skipped while it still runs, exceptions, the fixed pool, and
// stopping or destroying the set while a collector is stuck.

#include "collectors/collector_set.h"

#include "snapshot/poll_data.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace tikv_exporter {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A collector's hold: Collect() blocks on it until Release() (or 20 s). Shared with the fake, so
// a worker left behind by the set never touches the test's stack.
struct Gate {
  std::mutex mutex;
  std::condition_variable opened;
  bool open = false;
  void Wait() {
    std::unique_lock<std::mutex> lock(mutex);
    opened.wait_for(lock, seconds(20), [this] { return open; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mutex);
    open = true;
    opened.notify_all();
  }
};

// What a fake did, shared with the test the same way.
struct Record {
  std::atomic<int> calls{0};
  std::atomic<int> returned{0};
  std::atomic<bool> destroyed{false};
  std::mutex mutex;
  std::set<std::thread::id> threads;
};

template <typename T>
class FakeCollector : public SourceCollector<T> {
 public:
  using Behaviour = std::function<StatusOr<std::shared_ptr<const T>>(int call)>;

  FakeCollector(Source source, Behaviour behaviour, std::shared_ptr<Record> record)
      : source_(source), behaviour_(std::move(behaviour)), record_(std::move(record)) {}
  ~FakeCollector() override { record_->destroyed = true; }

  Source source() const override { return source_; }
  StatusOr<std::shared_ptr<const T>> Collect(Clock::time_point) override {
    const int call = ++record_->calls;
    {
      std::lock_guard<std::mutex> lock(record_->mutex);
      record_->threads.insert(std::this_thread::get_id());
    }
    StatusOr<std::shared_ptr<const T>> result = behaviour_(call);
    ++record_->returned;
    return result;
  }

 private:
  Source source_;
  Behaviour behaviour_;
  std::shared_ptr<Record> record_;
};

using FakeTikv = FakeCollector<TikvScrape>;
using FakePd = FakeCollector<PdData>;
using FakeRocksDb = FakeCollector<RocksDbLogData>;

std::shared_ptr<const TikvScrape> Scrape(int64_t timestamp_ms) {
  auto scrape = std::make_shared<TikvScrape>();
  scrape->timestamp_ms = timestamp_ms;
  return scrape;
}

int ThreadCount() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("Threads:")) return std::stoi(line.substr(8));
  }
  return -1;
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

class CollectorSetTest : public ::testing::Test {
 protected:
  // TiKV answers Scrape(call) after the gate opens (open unless Hold()); PD and RocksDB at once.
  std::unique_ptr<CollectorSet> MakeSet() {
    std::vector<std::unique_ptr<Collector>> collectors;
    collectors.push_back(IntoPollData(std::make_unique<FakeTikv>(
        Source::kTikv,
        [gate = gate_](int call) -> StatusOr<std::shared_ptr<const TikvScrape>> {
          gate->Wait();
          return Scrape(call);
        },
        tikv_)));
    collectors.push_back(IntoPollData(std::make_unique<FakePd>(
        Source::kPd, [data = pd_data_](int) -> StatusOr<std::shared_ptr<const PdData>> { return data; }, pd_)));
    collectors.push_back(IntoPollData(std::make_unique<FakeRocksDb>(
        Source::kRocksDb,
        [](int) -> StatusOr<std::shared_ptr<const RocksDbLogData>> {
          return Status::LimitHit(Limit::kUpstreamBodyBytes, "LOG too large");
        },
        rocksdb_)));
    return std::make_unique<CollectorSet>(std::move(collectors));
  }
  void TearDown() override { gate_->Release(); }

  std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
  std::shared_ptr<Record> tikv_ = std::make_shared<Record>();
  std::shared_ptr<Record> pd_ = std::make_shared<Record>();
  std::shared_ptr<Record> rocksdb_ = std::make_shared<Record>();
  std::shared_ptr<const PdData> pd_data_ = std::make_shared<PdData>();
};

TEST_F(CollectorSetTest, ResultsLandInPollDataAndFailuresCarryTheirErrorAndLimit) {
  gate_->Release();
  auto set = MakeSet();
  EXPECT_EQ(set->Sources(), (std::vector<Source>{Source::kTikv, Source::kPd, Source::kRocksDb}));
  PollData data;
  std::vector<CollectorOutcome> outcomes = set->CollectAll(Clock::now() + seconds(5), &data);
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].source, Source::kTikv);
  EXPECT_TRUE(outcomes[0].success);
  EXPECT_TRUE(outcomes[1].success);
  EXPECT_FALSE(outcomes[2].success);
  EXPECT_EQ(outcomes[2].error, "LOG too large");
  EXPECT_EQ(outcomes[2].limit, Limit::kUpstreamBodyBytes);
  ASSERT_NE(data.tikv, nullptr);
  EXPECT_EQ(data.tikv->timestamp_ms, 1);
  EXPECT_EQ(data.pd, pd_data_);
  EXPECT_EQ(data.rocksdb, nullptr);
}

TEST_F(CollectorSetTest, AHungCollectorFailsAloneAndIsSkippedWhileItStillRuns) {
  auto set = MakeSet();
  PollData first;
  auto start = Clock::now();
  std::vector<CollectorOutcome> outcomes = set->CollectAll(start + milliseconds(100), &first);
  const double waited = SecondsSince(start);
  EXPECT_GE(waited, 0.1);
  EXPECT_LT(waited, 2.0) << "CollectAll must not wait for a collector past deadline + grace";
  EXPECT_FALSE(outcomes[0].success);
  EXPECT_EQ(outcomes[0].error, "did not return within timeout_ms");
  EXPECT_EQ(first.tikv, nullptr);
  EXPECT_TRUE(outcomes[1].success);
  EXPECT_EQ(first.pd, pd_data_);

  // Still stuck: the next poll does not queue behind it.
  PollData second;
  start = Clock::now();
  outcomes = set->CollectAll(start + seconds(10), &second);
  EXPECT_LT(SecondsSince(start), 2.0);
  EXPECT_FALSE(outcomes[0].success);
  EXPECT_EQ(outcomes[0].error, "still running from an earlier poll");
  EXPECT_TRUE(outcomes[1].success);
  EXPECT_EQ(tikv_->calls, 1);
  EXPECT_EQ(pd_->calls, 2);

  // Once it returns, its late answer (call 1) is dropped and the next poll asks again.
  gate_->Release();
  for (int i = 0; i < 200 && tikv_->returned == 0; ++i) std::this_thread::sleep_for(milliseconds(10));
  ASSERT_EQ(tikv_->returned, 1);
  PollData third;
  outcomes = set->CollectAll(Clock::now() + seconds(5), &third);
  EXPECT_TRUE(outcomes[0].success) << outcomes[0].error;
  ASSERT_NE(third.tikv, nullptr);
  EXPECT_EQ(third.tikv->timestamp_ms, 2);
}

TEST_F(CollectorSetTest, AnExceptionIsThatCollectorsFailure) {
  std::vector<std::unique_ptr<Collector>> collectors;
  collectors.push_back(IntoPollData(std::make_unique<FakeTikv>(
      Source::kTikv, [](int) -> StatusOr<std::shared_ptr<const TikvScrape>> { throw std::runtime_error("boom"); }, tikv_)));
  collectors.push_back(IntoPollData(std::make_unique<FakePd>(
      Source::kPd, [](int) -> StatusOr<std::shared_ptr<const PdData>> { throw 42; }, pd_)));
  collectors.push_back(IntoPollData(std::make_unique<FakeRocksDb>(
      Source::kRocksDb,
      [](int) -> StatusOr<std::shared_ptr<const RocksDbLogData>> { return std::make_shared<const RocksDbLogData>(); },
      rocksdb_)));
  CollectorSet set(std::move(collectors));
  for (int poll = 0; poll < 2; ++poll) {  // the worker survives the exception
    PollData data;
    std::vector<CollectorOutcome> outcomes = set.CollectAll(Clock::now() + seconds(5), &data);
    EXPECT_EQ(outcomes[0].error, "collector threw: boom");
    EXPECT_EQ(outcomes[1].error, "collector threw an unknown exception");
    EXPECT_TRUE(outcomes[2].success);
    EXPECT_NE(data.rocksdb, nullptr);
  }
}

TEST_F(CollectorSetTest, OneThreadPerCollectorForTheLifeOfTheSet) {
  gate_->Release();
  // ThreadSanitizer starts a thread of its own with the process' first thread: one started and
  // joined first keeps it out of the counts.
  std::thread([] {}).join();
  const int before = ThreadCount();
  auto set = MakeSet();
  const int with_pool = ThreadCount();
  EXPECT_EQ(with_pool, before + 3);
  for (int poll = 0; poll < 50; ++poll) {
    PollData data;
    set->CollectAll(Clock::now() + seconds(5), &data);
  }
  EXPECT_EQ(ThreadCount(), with_pool);
  EXPECT_EQ(tikv_->calls, 50);
  EXPECT_EQ(tikv_->threads.size(), 1u) << "every poll of a collector runs on its one worker";
  EXPECT_EQ(pd_->threads.size(), 1u);
  set.reset();
  EXPECT_EQ(ThreadCount(), before);
}

TEST_F(CollectorSetTest, AStopRequestEndsTheWaitAtOnce) {
  auto set = MakeSet();
  std::stop_source stop;
  std::thread stopper([&stop] {
    std::this_thread::sleep_for(milliseconds(100));
    stop.request_stop();
  });
  PollData data;
  const auto start = Clock::now();
  std::vector<CollectorOutcome> outcomes = set->CollectAll(start + seconds(30), &data, stop.get_token());
  stopper.join();
  EXPECT_LT(SecondsSince(start), 2.0);
  EXPECT_EQ(outcomes[0].error, "interrupted: the exporter is stopping");
  EXPECT_TRUE(outcomes[1].success);
}

TEST_F(CollectorSetTest, DestroyingTheSetLeavesAStuckCollectorBehindAndFreesItWhenItReturns) {
  auto set = MakeSet();
  PollData data;
  set->CollectAll(Clock::now() + milliseconds(50), &data);
  ASSERT_EQ(tikv_->returned, 0);
  const auto start = Clock::now();
  set.reset();
  EXPECT_LT(SecondsSince(start), 2.0) << "the destructor must not wait for a stuck collector";
  EXPECT_TRUE(pd_->destroyed.load() == false) << "the left-behind worker still co-owns the collectors";
  gate_->Release();
  for (int i = 0; i < 300 && !tikv_->destroyed; ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_TRUE(tikv_->destroyed);
  EXPECT_TRUE(pd_->destroyed);
}

// In a child process: an unused user id with RLIMIT_NPROC 2 (this thread plus one), then a set
// of three collectors. The second worker cannot start: the construction must throw
// std::system_error (a reload then fails with it) after stopping the worker it did start.
void ConstructAtTheThreadLimit() {
  std::vector<std::unique_ptr<Collector>> collectors;
  auto record = std::make_shared<Record>();
  for (int i = 0; i < 3; ++i) {
    collectors.push_back(IntoPollData(std::make_unique<FakePd>(
        Source::kPd, [](int) -> StatusOr<std::shared_ptr<const PdData>> { return std::make_shared<const PdData>(); },
        record)));
  }
  const rlimit limit{2, 2};
  constexpr uid_t kUnusedId = 54321;  // owns no other process, so the limit counts only ours
  if (setrlimit(RLIMIT_NPROC, &limit) != 0 || setgid(kUnusedId) != 0 || setuid(kUnusedId) != 0) std::_Exit(3);
  try {
    CollectorSet set(std::move(collectors));
    std::_Exit(4);  // every worker started: the limit did not apply
  } catch (const std::system_error&) {
    std::_Exit(0);
  }
}

// The workers already started were left joinable when a later one could not start, and the
// std::thread destructors then terminated the process (SIGABRT) instead of failing the reload.
TEST(CollectorSetDeathTest, AWorkerThatCannotStartFailsTheConstructionNotTheProcess) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to become a user with its own thread limit";
  EXPECT_EXIT(ConstructAtTheThreadLimit(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace tikv_exporter
