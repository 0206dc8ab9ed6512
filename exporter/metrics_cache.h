#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/mutex.h"
#include "exporter/metrics_renderer.h"
#include "server/gzip_parts.h"
#include "server/http_reply.h"

namespace tikv_exporter {

// One /metrics answer: its gzip form when it was asked for, otherwise (or when zlib failed) the
// text, as pieces shared with the cache (the poll's part is not copied per scrape).
struct MetricsAnswer {
  ReplyBytes text;      // empty when gzipped is not
  std::string gzipped;  // empty when not asked for, or when zlib failed
};

// Answers /metrics with a poll's part rendered (and deflated) once per poll and format: a scrape
// then costs the exporter's own series and copying bytes, whatever the size of the poll (10,000
// PD stores with store_series = "all" are megabytes of text). The output is RenderMetrics'
// exactly. Thread-safe: scrapers of a poll not rendered yet wait for the one rendering it.
class MetricsCache {
 public:
  explicit MetricsCache(BuildInfo build) : build_(std::move(build)) {}

  // /metrics for `state` (the latest poll) in `format`, also gzipped when `gzip`.
  MetricsAnswer Answer(const std::shared_ptr<const PollState>& state, const SelfMetrics& self,
                       const RenderOptions& options, ExpositionFormat format, bool gzip);

  // Renders `state`'s part in each format asked for since the last Prepare (on the poll thread,
  // after a poll), so that scrapes find it rendered. A format nobody asked for costs nothing.
  void Prepare(const std::shared_ptr<const PollState>& state, const SelfMetrics& self, const RenderOptions& options);

  // How many times a poll's part was rendered (once per poll, format and store_series).
  uint64_t poll_renders() const;

 private:
  struct Rendered {
    PollMetrics text;
    std::optional<DeflatedPart> head;  // nullopt when zlib failed: the answer is then not gzipped
    std::optional<DeflatedPart> tail;
  };
  struct Entry {
    std::shared_ptr<const PollState> state;  // held, so that the pointer names this poll
    StoreSeries store_series = StoreSeries::kWitnesses;
    std::shared_ptr<const Rendered> rendered;
  };

  // The entry of `format` for `state`, rendered now unless it already is.
  std::shared_ptr<const Rendered> PollPartLocked(const std::shared_ptr<const PollState>& state,
                                                 const SelfMetrics& self, const RenderOptions& options,
                                                 ExpositionFormat format) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const BuildInfo build_;
  mutable Mutex mutex_;
  Entry entries_[2] ABSL_GUARDED_BY(mutex_);  // by ExpositionFormat
  uint64_t renders_ ABSL_GUARDED_BY(mutex_) = 0;
  bool asked_[2] ABSL_GUARDED_BY(mutex_) = {false, false};  // by format, since the last Prepare
};

}  // namespace tikv_exporter
