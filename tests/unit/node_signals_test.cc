// Node-health signals (snapshot/node_signals.h) against the real dumps that carry their inputs,
// and against bodies of the shape docs/upstreams/ describes for what no fixture has.
#include "snapshot/node_signals.h"

#include <gtest/gtest.h>

#include <limits>

#include "collectors/pd/pd_json.h"
#include "snapshot/snapshot_builder.h"
#include "snapshot/snapshot_json.h"
#include "snapshot/snapshot_metrics.h"
#include "tests/unit/exposition_checks.h"
#include "tests/unit/snapshot_inputs.h"
#include "tests/unit/test_files.h"

namespace tikv_exporter::testing {
namespace {

Snapshot FromTikv(const TikvScrape& scrape) {
  Snapshot s;
  AddTikvMetrics(nullptr, scrape, &s);
  return s;
}

std::string V50() { return ReadFile(Fixture("tikv-v5.0-nightly-metrics-truncated.prom")); }
std::string V53() { return ReadFile(Fixture("tikv-v5.3.0-alpha-metrics.prom")); }

// A store of `capacity` and `available` bytes, as TiKV's tikv_store_size_bytes says.
std::string Store(double capacity, double available) {
  return "tikv_store_size_bytes{type=\"capacity\"} " + std::to_string(capacity) +
         "\ntikv_store_size_bytes{type=\"available\"} " + std::to_string(available) + "\n";
}

TEST(DiskHeadroom, TheV50DumpWithTheDefaultReserveSpace) {
  // capacity 62725623808, available 16115630080. 5 % of capacity = 3136281190.4 < 5 GiB =
  // 5368709120, so the reserve is 5368709120; available is above it: normal, 16115630080 -
  // 5368709120 left.
  Snapshot s = FromTikv(ScrapeOf(V50(), 1000, {{"storage.reserve-space", "5GiB"}}));
  ASSERT_TRUE(s.disk_headroom);
  EXPECT_EQ(s.disk_headroom->reserve_bytes, 5368709120.0);
  EXPECT_EQ(s.disk_headroom->state, "normal");
  EXPECT_EQ(s.disk_headroom->bytes_before_write_refusal, 10746920960.0);
}

TEST(DiskHeadroom, FivePercentOfCapacityWinsOverASmallerReserveSpace) {
  // 2 GiB = 2147483648 < 5 % of 62725623808 = 3136281190.4, truncated to 3136281190 as TiKV does;
  // 16115630080 - 3136281190 = 12979348890.
  Snapshot s = FromTikv(ScrapeOf(V50(), 1000, {{"storage.reserve-space", "2GiB"}}));
  ASSERT_TRUE(s.disk_headroom);
  EXPECT_EQ(s.disk_headroom->reserve_bytes, 3136281190.0);
  EXPECT_EQ(s.disk_headroom->bytes_before_write_refusal, 12979348890.0);
}

TEST(DiskHeadroom, AlmostFullAtTheReserveAndFullAtHalfOfIt) {
  // capacity 100 GiB: 5 % = 5 GiB = 5368709120 > reserve-space 1 GiB, so the reserve is 5 GiB.
  const TikvConfig config = {{"storage.reserve-space", "1GiB"}};
  const double gib = 1073741824.0;
  struct Case {
    double available;
    const char* state;
    double left;
  };
  const Case cases[] = {{6 * gib, "normal", 1 * gib},  // above the reserve
                        {5 * gib, "almost_full", 0},   // available <= reserve
                        {3 * gib, "almost_full", 0},   // above reserve / 2 = 2.5 GiB
                        {2.5 * gib, "full", 0},        // available <= reserve / 2
                        {1 * gib, "full", 0}};
  for (const Case& c : cases) {
    Snapshot s = FromTikv(ScrapeOf(Store(100 * gib, c.available), 1000, config));
    ASSERT_TRUE(s.disk_headroom) << c.available;
    EXPECT_EQ(s.disk_headroom->reserve_bytes, 5 * gib);
    EXPECT_EQ(s.disk_headroom->state, c.state) << c.available;
    EXPECT_EQ(s.disk_headroom->bytes_before_write_refusal, c.left) << c.available;
  }
}

TEST(DiskHeadroom, AZeroReserveSpaceTurnsTheProtectionOff) {
  // TiKV keeps no reserve at all then (not even the 5 %): everything available can be written.
  Snapshot s = FromTikv(ScrapeOf(V50(), 1000, {{"storage.reserve-space", "0KiB"}}));
  ASSERT_TRUE(s.disk_headroom);
  EXPECT_EQ(s.disk_headroom->reserve_bytes, 0);
  EXPECT_EQ(s.disk_headroom->state, "normal");
  EXPECT_EQ(s.disk_headroom->bytes_before_write_refusal, 16115630080.0);
}

TEST(DiskHeadroom, AbsentWithoutTheConfigOrTheSizes) {
  EXPECT_FALSE(FromTikv(ScrapeOf(V50(), 1000)).disk_headroom) << "no /config";
  EXPECT_FALSE(FromTikv(ScrapeOf(V50(), 1000, {{"storage.reserve-space", "lots"}})).disk_headroom);
  EXPECT_FALSE(FromTikv(ScrapeOf("tikv_store_size_bytes{type=\"capacity\"} 1e12\n", 1000,
                                 {{"storage.reserve-space", "5GiB"}}))
                   .disk_headroom)
      << "no available size";
}

TEST(GcLag, NowMinusTheAutoGcSafePointOfTheV50Dump) {
  // tikv_gcworker_autogc_safe_point 424296163849273340 is read as a double, 424296163849273344
  // (doubles are 64 apart there); >> 18 gives the physical time 1618561416051 ms. A scrape 60 s
  // later sees a lag of 60 s.
  Snapshot s = FromTikv(ScrapeOf(V50(), 1618561416051 + 60000));
  ASSERT_TRUE(s.gc_safe_point_lag_seconds);
  EXPECT_DOUBLE_EQ(*s.gc_safe_point_lag_seconds, 60.0);
  EXPECT_FALSE(s.min_resolved_ts_gap_seconds) << "v5.0 has no resolved-ts gap";
  EXPECT_TRUE(s.slow_store.tikv_score.empty()) << "v5.0 has no slow score";
}

TEST(GcLag, AZeroSafePointMeansGcHasNotRunAndIsAbsent) {
  Snapshot s = FromTikv(ScrapeOf("tikv_gcworker_autogc_safe_point 0\n", 1618561416051));
  EXPECT_FALSE(s.gc_safe_point_lag_seconds);
}

TEST(SlowStore, TheV53DumpHasTheSlowScoreAndTheResolvedTsGap) {
  // tikv_raftstore_slow_score 1 (no type label); tikv_resolved_ts_min_resolved_ts_gap_millis 782.
  Snapshot s = FromTikv(ScrapeOf(V53(), 1000));
  EXPECT_EQ(s.slow_store.tikv_score, (std::map<std::string, double>{{"", 1}}));
  ASSERT_TRUE(s.min_resolved_ts_gap_seconds);
  EXPECT_DOUBLE_EQ(*s.min_resolved_ts_gap_seconds, 0.782);
  EXPECT_FALSE(s.gc_safe_point_lag_seconds) << "the v5.3 dump has no autogc safe point";
}

TEST(SlowStore, KeepsTiKVsTypeLabelWhereItHasOne) {
  Snapshot s =
      FromTikv(ScrapeOf("tikv_raftstore_slow_score{type=\"disk\"} "
                        "100\ntikv_raftstore_slow_score{type=\"network\"} 1\n",
                        1000));
  EXPECT_EQ(s.slow_store.tikv_score,
            (std::map<std::string, double>{{"disk", 100}, {"network", 1}}));
}

PdData Pd(const std::string& stores_json, uint64_t local) {
  StatusOr<std::vector<PdStore>> stores = ParsePdStores(stores_json);
  EXPECT_TRUE(stores.ok()) << stores.status().message();
  PdData pd;
  if (stores.ok()) pd.stores = *stores;
  pd.local_store_id = local;
  return pd;
}

TEST(SlowStore, PdV81StoresGiveTheLocalStoresScoreAndTrend) {
  // Store 4 of the v8.1.0 body: slow_score 1, slow_trend {cause_value 250054.47306397307,
  // cause_rate 0, result_value 10, result_rate 0}, no is_busy (omitempty): not busy.
  Snapshot s;
  AddPdNodeSignals(Pd(ReadFile(Fixture("pd-v8.1.0-api-stores.json")), 4), &s);
  const SlowStore& slow = s.slow_store;
  EXPECT_EQ(slow.pd_score, 1);
  EXPECT_EQ(slow.pd_trend_cause_value, 250054.47306397307);
  EXPECT_EQ(slow.pd_trend_cause_rate, 0);
  EXPECT_EQ(slow.pd_trend_result_value, 10);
  EXPECT_EQ(slow.pd_trend_result_rate, 0);
  EXPECT_EQ(slow.pd_busy, false);
}

TEST(SlowStore, PdV4StoresHaveNoneOfIt) {
  Snapshot s;
  AddPdNodeSignals(Pd(ReadFile(Fixture("pd-v4.0.14-api-stores.json")), 4), &s);
  EXPECT_TRUE(s.slow_store.empty());
}

TEST(SlowStore, ABusySlowStoreOfTheShapePdPrints) {
  // StoreStatus as upstreams §2.1 lists it: omitempty slow_score, slow_trend and is_busy.
  const std::string body = R"({"count": 1, "stores": [{"store": {"id": 7, "state_name": "Up"},
    "status": {"capacity": "100GiB", "available": "10GiB", "slow_score": 80, "is_busy": true,
    "slow_trend": {"cause_value": 3000000.5, "cause_rate": 2.25, "result_value": 1200, "result_rate": -0.5}}}]})";
  Snapshot s;
  AddPdNodeSignals(Pd(body, 7), &s);
  EXPECT_EQ(s.slow_store.pd_score, 80);
  EXPECT_EQ(s.slow_store.pd_trend_cause_value, 3000000.5);
  EXPECT_EQ(s.slow_store.pd_trend_cause_rate, 2.25);
  EXPECT_EQ(s.slow_store.pd_trend_result_value, 1200);
  EXPECT_EQ(s.slow_store.pd_trend_result_rate, -0.5);
  EXPECT_EQ(s.slow_store.pd_busy, true);
  EXPECT_EQ(s.pd_store_state, StoreState::kUp);
  Snapshot other;
  AddPdNodeSignals(Pd(body, 8), &other);
  EXPECT_TRUE(other.slow_store.empty()) << "another node's store";
  EXPECT_FALSE(other.pd_store_state);
}

TEST(PdGc, LagAndTheServiceThatHoldsGcBack) {
  // Snapshot at 1,764,500,000,000 ms; the GC safe point's physical part is 48 h earlier, the
  // oldest service's (a TiCDC changefeed) too, expiring in an hour; TSO = physical ms << 18.
  constexpr uint64_t kNowMs = 1764500000000;
  constexpr uint64_t kTwoDaysAgo = (kNowMs - 48 * 3600 * 1000) << 18;
  PdData pd;
  pd.regions.gc = PdGcSafePoints{kTwoDaysAgo + 5, {{"ticdc-default-1", 1764503600, kTwoDaysAgo}}, 0};
  Snapshot s;
  s.timestamp_ms = kNowMs;
  AddPdNodeSignals(pd, &s);
  ASSERT_TRUE(s.pd_gc);
  EXPECT_EQ(s.pd_gc->lag_seconds, 172800) << "the logical part (5) is below a millisecond";
  EXPECT_EQ(s.pd_gc->oldest_service, "ticdc-default-1");
  EXPECT_EQ(s.pd_gc->oldest_service_lag_seconds, 172800);
  EXPECT_EQ(s.pd_gc->oldest_service_expires_in_seconds, 3600);
  pd.regions.gc->gc_safe_point = 0;  // GC never ran
  Snapshot never;
  AddPdNodeSignals(pd, &never);
  EXPECT_FALSE(never.pd_gc);
}

// tikv/pd#7767: a gc_safe_point that decodes to 2510 beside a service safe point two years old.
// PD never raises gc_safe_point above a service safe point: the body is invalid, and the service
// safe point's lag counts. Before: lag -15,275,xxx,xxx s (negative), exported as it was.
TEST(PdGc, AFutureSafePointIsAnInvalidBodyGradedByTheServiceSafePoints) {
  constexpr uint64_t kNowMs = 1764500000000;
  constexpr uint64_t k2510 = 17040758400000ULL << 18;
  constexpr uint64_t kTwoYearsAgoMs = kNowMs - 2ULL * 8760 * 3600 * 1000;
  PdData pd;
  pd.regions.gc = PdGcSafePoints{k2510, {{"br-1", std::numeric_limits<int64_t>::max(), kTwoYearsAgoMs << 18}}, 0};
  Snapshot s;
  s.timestamp_ms = kNowMs;
  AddPdNodeSignals(pd, &s);
  ASSERT_TRUE(s.pd_gc);
  EXPECT_EQ(s.pd_gc->lag_seconds, 2 * 8760 * 3600);
  EXPECT_EQ(s.pd_gc->safe_point_ms, static_cast<int64_t>(kTwoYearsAgoMs));
  EXPECT_EQ(s.pd_gc->invalid,
            "gc_safe_point 2510-01-01 00:00:00 UTC is after br-1's service safe point 2023-12-01 10:53:20 UTC, which "
            "PD never allows");
  Families families;
  AddPdNodeSignalSeries(s, families);
  EXPECT_EQ(ValueOf(families, "tikv_exporter_pd_gc_safe_point_lag_seconds",
                    "tikv_exporter_pd_gc_safe_point_lag_seconds{}"),
            2 * 8760 * 3600);
  EXPECT_EQ(ValueOf(families, "tikv_exporter_pd_gc_safe_point_invalid", "tikv_exporter_pd_gc_safe_point_invalid{}"), 1);
  // No service safe point: nothing to grade by, and no lag to export.
  pd.regions.gc->services.clear();
  Snapshot alone;
  alone.timestamp_ms = kNowMs;
  AddPdNodeSignals(pd, &alone);
  ASSERT_TRUE(alone.pd_gc);
  EXPECT_FALSE(alone.pd_gc->lag_seconds);
  EXPECT_EQ(alone.pd_gc->invalid, "gc_safe_point 2510-01-01 00:00:00 UTC is in the future");
}

// A few seconds of clock skew between PD, TiKV and this host is not a future safe point: the lag
// is 0, never negative. Before: -5 s from both.
TEST(PdGc, SmallClockSkewGivesLagZero) {
  constexpr uint64_t kNowMs = 1764500000000;
  constexpr uint64_t kAhead = (kNowMs + 5000) << 18;
  PdData pd;
  pd.regions.gc = PdGcSafePoints{kAhead, {}, 0};
  Snapshot s;
  s.timestamp_ms = kNowMs;
  AddPdNodeSignals(pd, &s);
  ASSERT_TRUE(s.pd_gc);
  EXPECT_EQ(s.pd_gc->lag_seconds, 0);
  EXPECT_TRUE(s.pd_gc->invalid.empty());
  Snapshot tikv = FromTikv(ScrapeOf("tikv_gcworker_autogc_safe_point " + std::to_string(kAhead) + "\n", kNowMs));
  EXPECT_EQ(tikv.gc_safe_point_lag_seconds, 0);
  EXPECT_FALSE(tikv.gc_safe_point_ahead_seconds);
  // Beyond the skew TiKV's copy is left out, and how far ahead it was is kept for the verdict.
  constexpr uint64_t kHourAhead = (kNowMs + 3'600'000) << 18;
  Snapshot future = FromTikv(ScrapeOf("tikv_gcworker_autogc_safe_point " + std::to_string(kHourAhead) + "\n", kNowMs));
  EXPECT_FALSE(future.gc_safe_point_lag_seconds);
  ASSERT_TRUE(future.gc_safe_point_ahead_seconds);
  EXPECT_NEAR(*future.gc_safe_point_ahead_seconds, 3600, 0.01);
}

// Issue 21 case 5: with TiKV down, PD is the only witness left: its GC lags and its view of this
// store are still served. Before: absent from /metrics while TiKV was down.
TEST(NodeSignalSeries, PdsWitnessesStayWhileTikvIsDown) {
  Snapshot s;
  SetAllNodeSignals(&s);
  Families families;
  AddSnapshotSeries(s, /*tikv_up=*/false, families);
  EXPECT_EQ(ValueOf(families, "tikv_exporter_pd_gc_safe_point_lag_seconds", "tikv_exporter_pd_gc_safe_point_lag_seconds{}"),
            7200);
  EXPECT_EQ(ValueOf(families, "tikv_exporter_pd_local_slow_score", "tikv_exporter_pd_local_slow_score{}"), 80);
  EXPECT_EQ(ValueOf(families, "tikv_exporter_pd_local_busy", "tikv_exporter_pd_local_busy{}"), 1);
  EXPECT_EQ(families.exposition().Find("tikv_exporter_gc_safe_point_lag_seconds"), nullptr) << "TiKV's own lag is not served stale";
}

TEST(NodeSignalSeries, EachSignalInBaseUnitsAndWellFormed) {
  Snapshot s;
  SetAllNodeSignals(&s);
  Families families;
  AddNodeSignalSeries(s, families);
  AddPdNodeSignalSeries(s, families);
  EXPECT_EQ(AllSeries(families),
            (Series{{"tikv_exporter_disk_reserve_bytes{}", 5368709120.0},
                    {"tikv_exporter_disk_headroom_bytes{}", 0},
                    {"tikv_exporter_disk_state{state=\"normal\"}", 0},
                    {"tikv_exporter_disk_state{state=\"almost_full\"}", 1},
                    {"tikv_exporter_disk_state{state=\"full\"}", 0},
                    {"tikv_exporter_tikv_slow_score{type=\"disk\"}", 100},
                    {"tikv_exporter_tikv_slow_score{type=\"network\"}", 1},
                    {"tikv_exporter_gc_safe_point_lag_seconds{}", 60},
                    {"tikv_exporter_min_resolved_ts_gap_seconds{}", 0.782},
                    {"tikv_exporter_tikv_ready{}", 0},
                    {"tikv_exporter_pd_local_slow_score{}", 80},
                    {"tikv_exporter_pd_local_slow_trend{kind=\"cause\"}", 3000000.5},
                    {"tikv_exporter_pd_local_slow_trend{kind=\"result\"}", 1200},
                    {"tikv_exporter_pd_local_slow_trend_rate{kind=\"cause\"}", 2.25},
                    {"tikv_exporter_pd_local_slow_trend_rate{kind=\"result\"}", -0.5},
                    {"tikv_exporter_pd_local_busy{}", 1},
                    {"tikv_exporter_pd_gc_safe_point_lag_seconds{}", 7200},
                    {"tikv_exporter_pd_gc_safe_point_invalid{}", 0},
                    {"tikv_exporter_pd_oldest_service_safe_point_lag_seconds{service=\"ticdc-default-1\"}", 7200}}));
  ExpectWellFormed(families);
}

TEST(Readiness, TheSnapshotCarriesTheScrapesAnswer) {
  TikvScrape scrape = ScrapeOf(V53(), 1000);
  EXPECT_FALSE(FromTikv(scrape).tikv_ready) << "no /ready (404): absent";
  scrape.ready = false;
  EXPECT_EQ(FromTikv(scrape).tikv_ready, false);
  scrape.ready = true;
  EXPECT_EQ(FromTikv(scrape).tikv_ready, true);
}

TEST(NodeSignalSeries, NoneWithoutInputs) {
  Families families;
  AddNodeSignalSeries(Snapshot{}, families);
  EXPECT_TRUE(AllSeries(families).empty());
}

TEST(NodeSignalSeries, TheV53SlowScoreHasNoTypeLabelAndTheJsonCarriesIt) {
  Snapshot s = FromTikv(ScrapeOf(V53(), 1000));
  Families families;
  AddNodeSignalSeries(s, families);
  EXPECT_EQ(ValueOf(families, "tikv_exporter_tikv_slow_score", "tikv_exporter_tikv_slow_score{}"),
            1);
  const std::string json = SnapshotToJson(s);
  EXPECT_NE(json.find("\"slow_store\":{\"tikv_score\":{\"\":1}}"), std::string::npos) << json;
  EXPECT_NE(json.find("\"min_resolved_ts_gap_seconds\":0.782"), std::string::npos) << json;
  EXPECT_EQ(json.find("disk_headroom"), std::string::npos) << "absent without /config: " << json;
}

}  // namespace
}  // namespace tikv_exporter::testing
