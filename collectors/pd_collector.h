#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/collector.h"
#include "collectors/http_fetcher.h"
#include "collectors/pd_data.h"

namespace tikv_exporter {

struct PdCollectorOptions {
  std::vector<std::string> endpoints;  // base URLs of the configured PD members
  // This node's TiKV status address ([tikv] status_address), to find its own store.
  std::string local_status_address;
  std::optional<uint64_t> local_store_id;  // overrides the address match when set
  int64_t region_ttl_ms = 60000;           // region-level calls at most this often
  size_t max_body_bytes = 64 << 20;
};

// Polls PD's HTTP API: /members (cluster id, leader), /health, /stores every poll, and the
// region-level /regions/check/<kind> counts and /hotspot/regions/{read,write} at most once per
// TTL. Any member may be down: it tries the member that answered last (or the leader it
// learned of) first, then the others, including members discovered through /members.
// Owns its fetchers; one Collect() at a time.
class PdCollector : public Collector {
 public:
  using FetcherFactory = std::function<std::unique_ptr<HttpFetcher>(const std::string& base_url)>;

  PdCollector(FetcherFactory factory, PdCollectorOptions options);
  PdCollector(const PdCollector&) = delete;
  PdCollector& operator=(const PdCollector&) = delete;

  std::string_view Name() const override { return "pd"; }
  Status Collect(Clock::time_point deadline, PollData* out) override;

  // The region-check kinds asked for; PD versions without one answer 404 and it is skipped.
  static const std::vector<std::string>& RegionCheckKinds();

 private:
  struct Endpoint {
    std::string base_url;
    std::unique_ptr<HttpFetcher> fetcher;
  };

  Status CollectFrom(Endpoint& endpoint, Clock::time_point deadline, PdData* data);
  void RefreshRegionData(HttpFetcher& fetcher, Clock::time_point deadline);
  void LearnMembers(const PdData& data);
  void MarkLocalStore(PdData* data) const;

  FetcherFactory factory_;
  PdCollectorOptions options_;
  std::vector<Endpoint> endpoints_;  // configured first, then discovered (bounded)
  size_t preferred_ = 0;
  PdRegionData region_cache_;
  int64_t region_attempt_ms_ = 0;  // the last refresh attempt, successful or not
};

}  // namespace tikv_exporter
