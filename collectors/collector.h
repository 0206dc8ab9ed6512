#pragma once

#include <chrono>
#include <string_view>

#include "collectors/poll_data.h"
#include "common/status.h"

namespace tikv_exporter {

using Clock = std::chrono::steady_clock;

// One upstream source (TiKV status server, PD, RocksDB LOG). Implementations own their
// connections; Collect() is called from one poll thread at a time but different collectors
// run in parallel, so each writes only its own member of PollData.
class Collector {
 public:
  virtual ~Collector() = default;

  // The `collector` label value and the `source` of tikv_exporter_up.
  virtual std::string_view Name() const = 0;

  // Gathers one poll's data into this collector's member of `out`, returning by `deadline`.
  // A failed status means the source is down for this poll; `out` is then left untouched.
  virtual Status Collect(Clock::time_point deadline, PollData* out) = 0;
};

}  // namespace tikv_exporter
