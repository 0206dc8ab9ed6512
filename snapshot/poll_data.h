#pragma once

#include <memory>
#include <utility>

#include "collectors/collector.h"
#include "collectors/pd/pd_data.h"
#include "collectors/rocksdb/rocksdb_log_data.h"
#include "collectors/tikv/tikv_scrape.h"

namespace tikv_exporter {

// What one poll gathered from every source, for the assembly (poll_assembly.h). Each collector's
// delivery fills only its own member, after the set has joined the poll's collectors. Missing
// means down or disabled.
struct PollData {
  std::shared_ptr<const TikvScrape> tikv;
  std::shared_ptr<const PdData> pd;
  std::shared_ptr<const RocksDbLogData> rocksdb;
};

// A SourceCollector<T> whose data goes to PollData's `kMember`: tying the type to its member at
// compile time keeps one source's data out of another's slot.
template <typename T, std::shared_ptr<const T> PollData::*kMember>
class DeliveringCollector final : public Collector {
 public:
  explicit DeliveringCollector(std::unique_ptr<SourceCollector<T>> collector) : collector_(std::move(collector)) {}

  Source source() const override { return collector_->source(); }

  StatusOr<Delivery> Run(Clock::time_point deadline) override {
    StatusOr<std::shared_ptr<const T>> result = collector_->Collect(deadline);
    if (!result.ok()) return result.status();
    return Delivery([data = std::move(*result)](PollData* out) { out->*kMember = data; });
  }

 private:
  std::unique_ptr<SourceCollector<T>> collector_;
};

// Where each source's data goes, by its type.
inline std::unique_ptr<Collector> IntoPollData(std::unique_ptr<SourceCollector<TikvScrape>> collector) {
  return std::make_unique<DeliveringCollector<TikvScrape, &PollData::tikv>>(std::move(collector));
}
inline std::unique_ptr<Collector> IntoPollData(std::unique_ptr<SourceCollector<PdData>> collector) {
  return std::make_unique<DeliveringCollector<PdData, &PollData::pd>>(std::move(collector));
}
inline std::unique_ptr<Collector> IntoPollData(std::unique_ptr<SourceCollector<RocksDbLogData>> collector) {
  return std::make_unique<DeliveringCollector<RocksDbLogData, &PollData::rocksdb>>(std::move(collector));
}

}  // namespace tikv_exporter
