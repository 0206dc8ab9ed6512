#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include "collectors/poll_data.h"
#include "collectors/source.h"
#include "common/status.h"

namespace tikv_exporter {

using Clock = std::chrono::steady_clock;

// One upstream source (TiKV status server, PD, RocksDB LOG), as the CollectorSet runs it.
// Implementations own their connections and derive from SourceCollector below rather than from
// this class directly. Run() is called from one worker thread of the set at a time.
class Collector {
 public:
  // Stores a successful result into its member of the poll's PollData. Called by the set on the
  // poll thread, after the collector has returned: no collector ever touches PollData itself.
  using Delivery = std::function<void(PollData*)>;

  virtual ~Collector() = default;

  // Which source this collects: its `collector` label and the `source` of tikv_exporter_up.
  virtual Source source() const = 0;
  std::string_view Name() const { return SourceName(source()); }

  // Gathers one poll's data, returning by `deadline`. A failed status means the source is down
  // for this poll.
  virtual StatusOr<Delivery> Run(Clock::time_point deadline) = 0;
};

// A collector of one data type T, kept in PollData at `kMember`: implementations write the typed
// Collect() and return their data; this adapter turns it into the Delivery the set applies once
// the poll's collectors have been joined. Tying the type to its member at compile time keeps a
// collector from filling another source's slot, and keeps PollData out of every collector.
template <typename T, std::shared_ptr<const T> PollData::*kMember>
class SourceCollector : public Collector {
 public:
  // One poll's data, gathered by `deadline` (or an error saying why the source is down).
  virtual StatusOr<std::shared_ptr<const T>> Collect(Clock::time_point deadline) = 0;

  StatusOr<Delivery> Run(Clock::time_point deadline) final {
    StatusOr<std::shared_ptr<const T>> result = Collect(deadline);
    if (!result.ok()) return result.status();
    return Delivery([data = std::move(*result)](PollData* out) { out->*kMember = data; });
  }
};

}  // namespace tikv_exporter
