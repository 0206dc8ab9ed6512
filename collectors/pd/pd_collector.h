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
#include "collectors/tikv_grpc_address_hint.h"
#include "common/mutex.h"

namespace tikv_exporter {

// PD's region-level data and when it was last asked for. A config reload makes a new PdCollector;
// sharing this across them keeps a reload from refetching the region checks. Thread-safe (a
// collector left behind by a reload may still be running beside the new one).
struct PdRegionCache {
  Mutex mutex;
  PdRegionData data ABSL_GUARDED_BY(mutex);
  int64_t attempt_ms ABSL_GUARDED_BY(mutex) = 0;  // the last refresh attempt, successful or not
};

struct PdCollectorOptions {
  std::vector<std::string> endpoints;  // base URLs of the configured PD members
  // This node's TiKV status address ([tikv] status_address), to find its own store.
  std::string local_status_address;
  std::optional<uint64_t> local_store_id;  // overrides the address match when set
  int64_t region_ttl_ms = 60000;           // region-level calls at most this often
  bool tls_configured = false;             // [security] is set (for the hint on https:// members)
  size_t max_string_bytes = 4096;          // [exporter] max_label_value_bytes: PD strings are cut there
  size_t max_stores = 10000;               // PdMaxStores(): stores past it are left out
  std::optional<HostIdentity> host;        // this machine; ThisHost() when unset
  LogSink log;                             // member skipped or back, local store matched or not
  std::shared_ptr<PdRegionCache> region_cache;  // shared across reloads; null: the collector's own
  // Given the `address` (TiKV's gRPC port) of this node's store whenever it is found, for the
  // RocksDB collector's debug service; null when nobody asks.
  std::shared_ptr<TikvGrpcAddressHint> local_grpc_address;
};

// Polls PD through a PdClient (HTTP or gRPC): the cluster (members, stores) every poll, the
// region-level data (unhealthy regions, hot spots) at most once per TTL. Any member may be down
// or unreachable from here: PdMemberRotation says whom to ask in which order, and every attempt
// but the last gets at most half of the poll's remaining time, so one that hangs cannot keep the
// next one — a configured endpoint — from answering. Logs once which store is this node's (or why
// none is) whenever that changes. What a member answers is bounded before it is used
// (BoundPdData): an answer whose stores are all invalid fails that member like an error does,
// and invalid stores are logged once whenever their number changes.
// Owns its clients; one Collect() at a time (the collector set's worker thread for PD owns every
// member below; only the region cache is shared).
class PdCollector : public SourceCollector<PdData> {
 public:
  using ClientFactory = PdMemberRotation::ClientFactory;

  PdCollector(ClientFactory factory, PdCollectorOptions options);
  PdCollector(const PdCollector&) = delete;
  PdCollector& operator=(const PdCollector&) = delete;

  Source source() const override { return Source::kPd; }
  StatusOr<std::shared_ptr<const PdData>> Collect(Clock::time_point deadline) override;

 private:
  void MarkLocalStore(PdData* data);
  void NoteInvalidStores(const PdData& data);
  // Logs which region-level endpoints failed, once per change of that set.
  void NoteRegionFailures(const std::map<std::string, std::string>& failed);

  PdCollectorOptions options_;
  HostIdentity host_;
  PdMemberRotation members_;
  const std::shared_ptr<PdRegionCache> region_cache_;
  std::optional<LocalStoreMatch> logged_match_;  // the outcome last logged
  size_t logged_invalid_stores_ = 0;             // the number of invalid stores last logged
  std::set<std::string> logged_failures_;        // the failed region-level paths last logged
};

}  // namespace tikv_exporter
