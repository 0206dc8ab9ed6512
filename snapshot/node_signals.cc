#include "snapshot/node_signals.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <limits>

#include "snapshot/poll_data.h"
#include "common/units.h"
#include "snapshot/snapshot.h"

namespace tikv_exporter {
namespace {

// The value of a family's only sample (or of its first, for a family that should have one).
std::optional<double> SingleValue(const ParsedExposition& metrics, std::string_view name) {
  const ParsedFamily* family = metrics.Find(name);
  if (family == nullptr || family->samples.empty()) return std::nullopt;
  return family->samples.front().value;
}

// TiKV's rule, from tikv/tikv (components/server/src/common.rs `init_fs`, and
// components/raftstore/src/store/worker/pd.rs / tikv_util::sys::disk): the reserved space is
// max(5 % of the capacity, storage.reserve-space), or 0 — protection off — when reserve-space is 0;
// the disk is AlmostFull when available <= reserve and AlreadyFull when available <= reserve / 2.
// With the clients' default DiskFullOpt (NotAllowedOnFull) writes are refused from AlmostFull on.
// The capacity TiKV uses is the store's capacity as reported to PD (tikv_store_size_bytes).
constexpr double kReserveShareOfCapacity = 0.05;

void AddDiskHeadroom(const TikvConfig& config, Snapshot* snapshot) {
  const StorageSize& storage = snapshot->storage;
  if (!storage.capacity_bytes || !storage.available_bytes) return;
  auto key = config.find("storage.reserve-space");
  if (key == config.end()) return;  // TiKV < 4.0 (no /config), or /config failed
  StatusOr<uint64_t> configured = ParseSizeBytes(key->second);
  if (!configured.ok()) return;
  DiskHeadroom headroom;
  if (*configured > 0) {
    // TiKV truncates the 5 % to whole bytes (an `as u64` cast).
    headroom.reserve_bytes = std::max(std::floor(*storage.capacity_bytes * kReserveShareOfCapacity),
                                      static_cast<double>(*configured));
  }
  const double available = *storage.available_bytes;
  if (available <= headroom.reserve_bytes / 2) {
    headroom.state = "full";
  } else if (available <= headroom.reserve_bytes) {
    headroom.state = "almost_full";
  } else {
    headroom.state = "normal";
  }
  headroom.bytes_before_write_refusal = std::max(0.0, available - headroom.reserve_bytes);
  snapshot->disk_headroom = headroom;
}

// A TSO's physical part: milliseconds since the Unix epoch in the bits above the 18 logical ones.
constexpr int kTsoLogicalBits = 18;
int64_t PhysicalMs(uint64_t tso) { return static_cast<int64_t>(tso >> kTsoLogicalBits); }

// Clocks of TiKV, PD and this host may disagree by a little: a safe point up to this far in the
// future is "now" (lag 0); further is a safe point no GC can have set.
constexpr int64_t kClockSkewMs = 60'000;

// A TSO's physical time in words (UTC, to the second), for reasons that quote a safe point.
std::string TsoTime(int64_t physical_ms) {
  const std::time_t seconds = static_cast<std::time_t>(physical_ms / 1000);
  std::tm utc{};
  char text[32];
  if (gmtime_r(&seconds, &utc) == nullptr || std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S UTC", &utc) == 0) {
    return std::to_string(physical_ms) + " ms";
  }
  return text;
}

void AddGcLag(const ParsedExposition& metrics, int64_t now_ms, Snapshot* snapshot) {
  // The value passes through a double (the exposition format), which near 4e17 is exact to 64
  // units of the logical part: the physical part may be 1 ms late.
  std::optional<double> safe_point = SingleValue(metrics, "tikv_gcworker_autogc_safe_point");
  // TiKV's copy follows PD's; one in the future is left out (PD's check says why, see below).
  if (safe_point && *safe_point > 0 && now_ms > 0) {
    const int64_t physical_ms = PhysicalMs(static_cast<uint64_t>(*safe_point));
    if (physical_ms - now_ms <= kClockSkewMs) {
      snapshot->gc_safe_point_ms = physical_ms;
      snapshot->gc_safe_point_lag_seconds = static_cast<double>(std::max<int64_t>(0, now_ms - physical_ms)) / 1000.0;
    } else {
      snapshot->gc_safe_point_ahead_seconds = static_cast<double>(physical_ms - now_ms) / 1000.0;
    }
  }
  if (std::optional<double> gap =
          SingleValue(metrics, "tikv_resolved_ts_min_resolved_ts_gap_millis")) {
    snapshot->min_resolved_ts_gap_seconds = *gap / 1000.0;
  }
}

void AddTikvSlowScore(const ParsedExposition& metrics, Snapshot* snapshot) {
  const ParsedFamily* family = metrics.Find("tikv_raftstore_slow_score");
  if (family == nullptr) return;
  for (const ParsedSample& sample : family->samples) {
    if (sample.name != family->name) continue;
    snapshot->slow_store.tikv_score[std::string(sample.LabelValue("type"))] = sample.value;
  }
}

}  // namespace

void AddTikvNodeSignals(const TikvScrape& scrape, Snapshot* snapshot) {
  AddDiskHeadroom(scrape.config, snapshot);
  AddGcLag(scrape.metrics, scrape.timestamp_ms, snapshot);
  AddTikvSlowScore(scrape.metrics, snapshot);
  snapshot->tikv_ready = scrape.ready;
}

void AddPdGcLag(const PdData& pd, Snapshot* snapshot) {
  const std::optional<PdGcSafePoints>& gc = pd.regions.gc;
  if (!gc || gc->gc_safe_point == 0) return;
  const int64_t now_ms = snapshot->timestamp_ms;
  auto seconds_since = [now_ms](int64_t physical_ms) {
    return static_cast<double>(std::max<int64_t>(0, now_ms - physical_ms)) / 1000;
  };
  PdGcLag lag;
  const int64_t gc_ms = PhysicalMs(gc->gc_safe_point);
  const PdServiceSafePoint* oldest = gc->services.empty() ? nullptr : &gc->services.front();  // oldest first
  if (oldest != nullptr) {
    lag.oldest_service = oldest->service_id;
    lag.oldest_service_lag_seconds = seconds_since(PhysicalMs(oldest->safe_point));
    if (oldest->expired_at_seconds != std::numeric_limits<int64_t>::max()) {
      lag.oldest_service_expires_in_seconds =
          static_cast<double>(oldest->expired_at_seconds) - static_cast<double>(now_ms) / 1000;
    }
  }
  // PD only ever raises gc_safe_point to the minimum of the service safe points (tikv/pd
  // UpdateGCSafePoint), so one above a service safe point, or in the future, is a broken body
  // (tikv/pd#7767 shows one in the year 2510): its lag would be negative and look healthy.
  if (oldest != nullptr && gc->gc_safe_point > oldest->safe_point) {
    lag.invalid = "gc_safe_point " + TsoTime(gc_ms) + " is after " + oldest->service_id +
                  "'s service safe point " + TsoTime(PhysicalMs(oldest->safe_point)) +
                  ", which PD never allows";
  } else if (gc_ms - now_ms > kClockSkewMs) {
    lag.invalid = "gc_safe_point " + TsoTime(gc_ms) + " is in the future";
  }
  if (lag.invalid.empty()) {
    lag.lag_seconds = seconds_since(gc_ms);
    lag.safe_point_ms = gc_ms;
  } else if (oldest != nullptr) {
    lag.lag_seconds = lag.oldest_service_lag_seconds;
    lag.safe_point_ms = PhysicalMs(oldest->safe_point);
  }
  snapshot->pd_gc = std::move(lag);
}

void AddPdNodeSignals(const PdData& pd, Snapshot* snapshot) {
  AddPdGcLag(pd, snapshot);
  if (!pd.local_store_id) return;
  for (const PdStore& store : pd.stores) {
    if (store.id != *pd.local_store_id) continue;
    SlowStore& slow = snapshot->slow_store;
    slow.pd_score = store.slow_score;
    slow.pd_trend_cause_value = store.slow_trend_cause_value;
    slow.pd_trend_cause_rate = store.slow_trend_cause_rate;
    slow.pd_trend_result_value = store.slow_trend_result_value;
    slow.pd_trend_result_rate = store.slow_trend_result_rate;
    slow.pd_busy = store.busy;
    snapshot->pd_store_state = store.state;
  }
}

}  // namespace tikv_exporter
