#include "exporter/metrics_cache.h"

#include <utility>

namespace tikv_exporter {
namespace {

size_t FormatIndex(ExpositionFormat format) { return format == ExpositionFormat::kOpenMetrics ? 1 : 0; }

}  // namespace

std::shared_ptr<const MetricsCache::Rendered> MetricsCache::PollPartLocked(const std::shared_ptr<const PollState>& state,
                                                                           const SelfMetrics& self,
                                                                           const RenderOptions& options,
                                                                           ExpositionFormat format) {
  Entry& entry = entries_[FormatIndex(format)];
  if (entry.rendered && entry.state == state && entry.store_series == options.pd_store_series) return entry.rendered;
  auto rendered = std::make_shared<Rendered>();
  rendered->text = RenderPollMetrics(*state, build_, self, options, format);
  rendered->head = DeflatePart(rendered->text.head, /*final=*/false);
  rendered->tail = DeflatePart(rendered->text.tail, /*final=*/true);
  entry = Entry{state, options.pd_store_series, std::move(rendered)};
  ++renders_;
  return entry.rendered;
}

void MetricsCache::Prepare(const std::shared_ptr<const PollState>& state, const SelfMetrics& self,
                           const RenderOptions& options) {
  MutexLock lock(mutex_);
  for (ExpositionFormat format : {ExpositionFormat::kText, ExpositionFormat::kOpenMetrics}) {
    if (!std::exchange(asked_[FormatIndex(format)], false)) continue;
    PollPartLocked(state, self, options, format);
  }
}

MetricsAnswer MetricsCache::Answer(const std::shared_ptr<const PollState>& state, const SelfMetrics& self,
                                   const RenderOptions& options, ExpositionFormat format, bool gzip) {
  std::shared_ptr<const Rendered> poll;
  {
    MutexLock lock(mutex_);
    asked_[FormatIndex(format)] = true;
    poll = PollPartLocked(state, self, options, format);
  }
  std::string own = RenderSelfMetrics(self, format);
  MetricsAnswer answer;
  if (gzip && poll->head && poll->tail) {
    if (const std::optional<DeflatedPart> middle = DeflatePart(own, /*final=*/false)) {
      answer.gzipped = JoinGzip({&*poll->head, &*middle, &*poll->tail});
      return answer;  // the text is not needed: 10,000 PD stores make it megabytes to copy
    }
  }
  // The poll's parts stay in the cache's entry, which these pointers keep alive while sent.
  answer.text = {std::shared_ptr<const std::string>(poll, &poll->text.head),
                 std::make_shared<const std::string>(std::move(own)),
                 std::shared_ptr<const std::string>(poll, &poll->text.tail)};
  return answer;
}

uint64_t MetricsCache::poll_renders() const {
  MutexLock lock(mutex_);
  return renders_;
}

}  // namespace tikv_exporter
