// Which address the debug-service RocksDB source calls: [tikv] grpc_address (or its default)
// until PD names this node's store, then the store's `address`, with the configured scheme.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collectors/rocksdb/debug_service_collector.h"

namespace tikv_exporter::testing {
namespace {

class DebugServiceAddressTest : public ::testing::Test {
 protected:
  std::unique_ptr<DebugServiceCollector> Collector(const std::string& url) {
    DebugServiceCollector::Options options;
    options.url = url;
    options.learned = hint_;
    options.log = [this](LogLevel, const std::string& message) { logged_.push_back(message); };
    return std::make_unique<DebugServiceCollector>(std::move(options));
  }
  // A poll with no time left: the address is chosen, no call is made.
  static void Poll(DebugServiceCollector& collector) { EXPECT_FALSE(collector.Collect(Clock::now()).ok()); }

  std::shared_ptr<TikvGrpcAddressHint> hint_ = std::make_shared<TikvGrpcAddressHint>();
  std::vector<std::string> logged_;
};

TEST_F(DebugServiceAddressTest, TheDefaultUntilPdNamesTheStoreThenPdsAddressOnceLogged) {
  auto collector = Collector("http://10.0.1.5:20160");
  Poll(*collector);
  EXPECT_EQ(collector->url(), "http://10.0.1.5:20160");
  EXPECT_FALSE(collector->CallDue()) << "called a moment ago";
  hint_->Set("tikv-0.tikv-peer:20160");
  EXPECT_TRUE(collector->CallDue()) << "another node's debug service: call it at once";
  Poll(*collector);
  EXPECT_EQ(collector->url(), "http://tikv-0.tikv-peer:20160");
  Poll(*collector);
  ASSERT_EQ(logged_.size(), 1u);
  EXPECT_EQ(logged_[0],
            "TiKV's debug service at http://tikv-0.tikv-peer:20160, PD's address of this node's store "
            "(was http://10.0.1.5:20160)");
  hint_->Set("");  // a poll that did not find the store keeps the address PD gave
  Poll(*collector);
  EXPECT_EQ(collector->url(), "http://tikv-0.tikv-peer:20160");
}

TEST_F(DebugServiceAddressTest, TheConfiguredSchemeStandsAndAnAddressWithItsOwnIsRefused) {
  auto collector = Collector("https://10.0.1.5:20160");
  hint_->Set("[fd00::5]:20160");
  Poll(*collector);
  EXPECT_EQ(collector->url(), "https://[fd00::5]:20160");
  hint_->Set("http://10.0.1.6:20160");  // PD does not get to turn TLS off
  Poll(*collector);
  EXPECT_EQ(collector->url(), "https://10.0.1.5:20160");
  hint_->Set("no port");
  Poll(*collector);
  EXPECT_EQ(collector->url(), "https://10.0.1.5:20160");
}

TEST(DebugServiceAddress, WithoutAHintTheConfiguredAddress) {
  DebugServiceCollector::Options options;
  options.url = "http://127.0.0.1:20160";
  DebugServiceCollector collector(std::move(options));
  EXPECT_FALSE(collector.Collect(Clock::now()).ok());
  EXPECT_EQ(collector.url(), "http://127.0.0.1:20160");
}

}  // namespace
}  // namespace tikv_exporter::testing
