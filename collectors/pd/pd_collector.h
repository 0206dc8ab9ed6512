#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "collectors/collector.h"
#include "collectors/pd/local_store_match.h"
#include "collectors/log_sink.h"
#include "collectors/pd/pd_client.h"
#include "collectors/pd/pd_data.h"
#include "collectors/pd/pd_member_rotation.h"

namespace tikv_exporter {

struct PdCollectorOptions {
  std::vector<std::string> endpoints;  // base URLs of the configured PD members
  // This node's TiKV status address ([tikv] status_address), to find its own store.
  std::string local_status_address;
  std::optional<uint64_t> local_store_id;  // overrides the address match when set
  int64_t region_ttl_ms = 60000;           // region-level calls at most this often
  bool tls_configured = false;             // [security] is set (for the hint on https:// members)
  std::optional<HostIdentity> host;        // this machine; ThisHost() when unset
  LogSink log;                             // member skipped or back, local store matched or not
};

// Polls PD through a PdClient (HTTP or gRPC): the cluster (members, stores) every poll, the
// region-level data (unhealthy regions, hot spots) at most once per TTL. Any member may be down
// or unreachable from here: PdMemberRotation says whom to ask in which order, and every attempt
// but the last gets at most half of the poll's remaining time, so one that hangs cannot keep the
// next one — a configured endpoint — from answering. Logs once which store is this node's (or why
// none is) whenever that changes.
// Owns its clients; one Collect() at a time.
class PdCollector : public SourceCollector<PdData, &PollData::pd> {
 public:
  using ClientFactory = PdMemberRotation::ClientFactory;

  PdCollector(ClientFactory factory, PdCollectorOptions options);
  PdCollector(const PdCollector&) = delete;
  PdCollector& operator=(const PdCollector&) = delete;

  Source source() const override { return Source::kPd; }
  StatusOr<std::shared_ptr<const PdData>> Collect(Clock::time_point deadline) override;

 private:
  void MarkLocalStore(PdData* data);
  // Logs which region-level endpoints failed, once per change of that set.
  void NoteRegionFailures(const std::map<std::string, std::string>& failed);

  PdCollectorOptions options_;
  HostIdentity host_;
  PdMemberRotation members_;
  PdRegionData region_cache_;
  int64_t region_attempt_ms_ = 0;                // the last refresh attempt, successful or not
  std::optional<LocalStoreMatch> logged_match_;  // the outcome last logged
  std::set<std::string> logged_failures_;        // the failed region-level paths last logged
};

}  // namespace tikv_exporter
