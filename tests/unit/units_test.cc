#include "common/units.h"

#include <gtest/gtest.h>

#include "collectors/http_fetcher.h"
#include "common/address.h"

namespace tikv_exporter {
namespace {

TEST(ParseSizeBytes, UsesTikvsBinaryUnits) {
  EXPECT_EQ(*ParseSizeBytes("10GB"), 10ULL << 30);
  EXPECT_EQ(*ParseSizeBytes("10GiB"), 10ULL << 30);
  EXPECT_EQ(*ParseSizeBytes("128MB"), 128ULL << 20);
  EXPECT_EQ(*ParseSizeBytes("512K"), 512ULL << 10);
  EXPECT_EQ(*ParseSizeBytes("1.5TB"), 3ULL << 39);
  EXPECT_EQ(*ParseSizeBytes("42"), 42u);
  EXPECT_EQ(*ParseSizeBytes("42B"), 42u);
  EXPECT_EQ(*ParseSizeBytes("1PB"), 1ULL << 50);
}

TEST(ParseSizeBytes, RejectsWhatTikvRejects) {
  EXPECT_FALSE(ParseSizeBytes("").ok());
  EXPECT_FALSE(ParseSizeBytes("GB").ok());
  EXPECT_FALSE(ParseSizeBytes("10XB").ok());
  EXPECT_FALSE(ParseSizeBytes("10gb").ok());
  EXPECT_FALSE(ParseSizeBytes("-1GB").ok());
}

TEST(ParseDurationSeconds, AcceptsTikvDurations) {
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("10m"), 600);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("1h30m"), 5400);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("500ms"), 0.5);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("2d"), 172800);
  EXPECT_FALSE(ParseDurationSeconds("10x").ok());
  EXPECT_FALSE(ParseDurationSeconds("m").ok());
}

TEST(Address, ParsesHostPort) {
  EXPECT_EQ(ParseHostPort("127.0.0.1:20180")->port, 20180);
  EXPECT_EQ(ParseHostPort("[::1]:9")->host, "::1");
  EXPECT_FALSE(ParseHostPort("localhost").ok());
  EXPECT_FALSE(ParseHostPort(":80").ok());
  EXPECT_FALSE(ParseHostPort("::1:80").ok());
  EXPECT_FALSE(ParseHostPort("host:0").ok());
  EXPECT_FALSE(ParseHostPort("host:65536").ok());
  EXPECT_FALSE(ParseHostPort("host:80x").ok());
}

TEST(Address, TellsLoopbackHosts) {
  for (const char* host : {"localhost", "127.0.0.1", "127.1.2.3", "::1"}) EXPECT_TRUE(IsLoopbackHost(host)) << host;
  for (const char* host : {"10.0.0.1", "tikv-0.tikv-peer", "::", "128.0.0.1", "localhost.example.com", "1127.0.0.1"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(Address, NormalizesBaseUrls) {
  EXPECT_EQ(*NormalizeBaseUrl("127.0.0.1:20180"), "http://127.0.0.1:20180");
  EXPECT_EQ(*NormalizeBaseUrl("https://tikv-0:20180/"), "https://tikv-0:20180");
  EXPECT_FALSE(NormalizeBaseUrl("http://tikv-0:20180/metrics").ok());
  EXPECT_FALSE(NormalizeBaseUrl("ftp://tikv-0:20180").ok());
}

TEST(ParseBinarySize, ReadsTheSpellingsOfTikvPdAndRocksDbAlike) {
  // TiKV config, PD's JSON (new and old) and RocksDB's LOG: all 1024-based.
  EXPECT_EQ(ParseBinarySize("512GB"), 512.0 * (1ULL << 30));
  EXPECT_EQ(ParseBinarySize("311.7GiB"), 311.7 * (1ULL << 30));
  EXPECT_EQ(ParseBinarySize("43 GiB"), 43.0 * (1ULL << 30));
  EXPECT_EQ(ParseBinarySize("222.67 KB"), 222.67 * 1024);
  EXPECT_EQ(ParseBinarySize("1.5e3 MiB"), 1500.0 * (1 << 20));
  EXPECT_EQ(ParseBinarySize("4096"), 4096.0);
  EXPECT_FALSE(ParseBinarySize("12 XB").has_value());
  EXPECT_FALSE(ParseBinarySize("GB").has_value());
  EXPECT_FALSE(ParseBinarySize("").has_value());
}

}  // namespace
}  // namespace tikv_exporter
