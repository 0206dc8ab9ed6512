#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/collector.h"
#include "collectors/pd_client.h"
#include "collectors/pd_data.h"

namespace tikv_exporter {

struct PdCollectorOptions {
  std::vector<std::string> endpoints;  // base URLs of the configured PD members
  // This node's TiKV status address ([tikv] status_address), to find its own store.
  std::string local_status_address;
  std::optional<uint64_t> local_store_id;  // overrides the address match when set
  int64_t region_ttl_ms = 60000;           // region-level calls at most this often
};

// Polls PD through a PdClient (HTTP or gRPC): the cluster (members, stores) every poll, the
// region-level data (unhealthy regions, hot spots) at most once per TTL. Any member may be down:
// it asks the member that answered last — or the leader it learned of — first, then the others,
// including members discovered through the member list (at most 16 endpoints).
// Owns its clients; one Collect() at a time.
class PdCollector : public Collector {
 public:
  using ClientFactory = std::function<std::unique_ptr<PdClient>(const std::string& base_url)>;

  PdCollector(ClientFactory factory, PdCollectorOptions options);
  PdCollector(const PdCollector&) = delete;
  PdCollector& operator=(const PdCollector&) = delete;

  std::string_view Name() const override { return "pd"; }
  Status Collect(Clock::time_point deadline, PollData* out) override;

 private:
  void LearnMembers(const PdData& data);
  void MarkLocalStore(PdData* data) const;

  ClientFactory factory_;
  PdCollectorOptions options_;
  std::vector<std::unique_ptr<PdClient>> clients_;  // configured first, then discovered
  size_t preferred_ = 0;
  PdRegionData region_cache_;
  int64_t region_attempt_ms_ = 0;  // the last refresh attempt, successful or not
};

}  // namespace tikv_exporter
