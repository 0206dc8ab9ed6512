#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "snapshot/poll_data.h"
#include "collectors/source.h"
#include "snapshot/config_drift.h"
#include "snapshot/snapshot.h"

namespace tikv_exporter {

// How one source fared, across polls (tikv_exporter_collector_* series).
struct CollectorStats {
  bool success = false;
  double duration_seconds = 0;
  int64_t last_success_ms = 0;  // wall clock; 0 = never
  std::string last_error;
};

// Everything one poll produced, published as a whole so a scrape never sees half a poll.
// Immutable once published.
struct PollState {
  Snapshot snapshot;
  std::map<Source, CollectorStats> collectors;
  std::shared_ptr<const TikvScrapeSummary> tikv;      // of the latest TiKV scrape when TiKV is up
  std::shared_ptr<const PdData> pd;                   // the latest PD data when PD is up
  std::shared_ptr<const RocksDbLogData> rocksdb;      // the LOG's dumps when the log is readable
  std::vector<SettingDrift> drift;  // declared settings against TiKV's live /config
  uint64_t polls_total = 0;
};

}  // namespace tikv_exporter
