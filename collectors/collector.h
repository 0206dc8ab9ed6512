#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include "collectors/source.h"
#include "common/status.h"

namespace tikv_exporter {

using Clock = std::chrono::steady_clock;

// What one poll gathered from every source: its consumer's type (snapshot/poll_data.h). The set
// only passes it to deliveries; no collector sees it.
struct PollData;

// What the set runs: one upstream source (TiKV status server, PD, RocksDB LOG). The composition
// root makes one from a SourceCollector<T> and the place its data goes (snapshot/poll_data.h).
// Run() is called from one worker thread of the set at a time.
class Collector {
 public:
  // Stores a successful result into the poll's PollData. Called by the set on the poll thread,
  // after the collector has returned: no collector ever touches PollData itself.
  using Delivery = std::function<void(PollData*)>;

  virtual ~Collector() = default;

  // Which source this collects: its `collector` label and the `source` of tikv_exporter_up.
  virtual Source source() const = 0;
  std::string_view Name() const { return SourceName(source()); }

  // Gathers one poll's data, returning by `deadline`. A failed status means the source is down
  // for this poll.
  virtual StatusOr<Delivery> Run(Clock::time_point deadline) = 0;
};

// A collector of one source, knowing only its own data type T: implementations own their
// connections and return their data; where it goes is not theirs to know.
template <typename T>
class SourceCollector {
 public:
  virtual ~SourceCollector() = default;
  virtual Source source() const = 0;
  // One poll's data, gathered by `deadline` (or an error saying why the source is down).
  virtual StatusOr<std::shared_ptr<const T>> Collect(Clock::time_point deadline) = 0;
};

}  // namespace tikv_exporter
