#include "prom/parsed_exposition.h"

#include <functional>
#include <utility>

namespace tikv_exporter {

struct ParsedExposition::Storage {
  ExpositionBuffers buffers;  // the body, labels and samples
  std::deque<std::string> kept;  // a deque: its strings never move while more are added
  std::vector<ParsedFamily> families;
  std::vector<uint32_t> index;  // open addressing over families: index + 1, 0 = empty
  std::shared_ptr<ExpositionBufferPool> pool;  // where `buffers` go when dropped, if anywhere

  ~Storage() {
    if (pool) pool->Give(std::move(buffers));
  }
};

namespace {

size_t NameHash(std::string_view name) { return std::hash<std::string_view>{}(name); }

// Finds `name` in an open-addressing table of family indexes (size a power of two, at most half
// full): the slot that holds it, or the empty slot where it belongs.
size_t Slot(const std::vector<uint32_t>& index, const std::vector<ParsedFamily>& families,
            std::string_view name) {
  const size_t mask = index.size() - 1;
  for (size_t at = NameHash(name) & mask;; at = (at + 1) & mask) {
    if (index[at] == 0 || families[index[at] - 1].name == name) return at;
  }
}

void Rebuild(std::vector<uint32_t>* index, const std::vector<ParsedFamily>& families) {
  size_t size = 16;
  while (size < families.size() * 2 + 2) size *= 2;
  index->assign(size, 0);
  for (size_t i = 0; i < families.size(); ++i) (*index)[Slot(*index, families, families[i].name)] = i + 1;
}

}  // namespace

size_t ExpositionBuffers::CapacityBytes() const {
  return body.capacity() + labels.capacity() * sizeof(LabelView) + samples.capacity() * sizeof(ParsedSample);
}

size_t ExpositionBuffers::UsedBytes() const {
  return body.size() + labels.size() * sizeof(LabelView) + samples.size() * sizeof(ParsedSample);
}

ExpositionBuffers ExpositionBufferPool::Take() {
  MutexLock lock(mutex_);
  if (!kept_) return {};
  ExpositionBuffers buffers = std::move(*kept_);
  kept_.reset();
  return buffers;
}

void ExpositionBufferPool::Give(ExpositionBuffers buffers) {
  // A set of under a MiB is kept whatever its last parse used: it costs next to nothing.
  const size_t capacity = buffers.CapacityBytes();
  if (capacity > max_kept_bytes_ || capacity > 4 * buffers.UsedBytes() + (size_t{1} << 20)) return;
  buffers.body.clear();
  buffers.labels.clear();
  buffers.samples.clear();
  MutexLock lock(mutex_);
  if (!kept_ || kept_->CapacityBytes() < capacity) kept_ = std::move(buffers);
}

std::string_view LabelValueIn(std::span<const LabelView> labels, std::string_view name) {
  for (const LabelView& label : labels) {
    if (label.name == name) return label.value;
  }
  return {};
}

ParsedExposition::ParsedExposition() : storage_(std::make_unique<Storage>()) { Rebuild(&storage_->index, {}); }
ParsedExposition::~ParsedExposition() = default;
ParsedExposition::ParsedExposition(ParsedExposition&&) noexcept = default;
ParsedExposition& ParsedExposition::operator=(ParsedExposition&&) noexcept = default;

const ParsedFamily* ParsedExposition::Find(std::string_view name) const {
  const uint32_t at = storage_->index[Slot(storage_->index, storage_->families, name)];
  return at == 0 ? nullptr : &storage_->families[at - 1];
}

std::span<const ParsedFamily> ParsedExposition::families() const { return storage_->families; }

size_t ParsedExposition::SampleCount() const { return storage_->buffers.samples.size(); }

ParsedExposition ParsedExposition::Subset(std::span<const std::string_view> names) const {
  std::vector<const ParsedFamily*> chosen;
  size_t text_bytes = 0;
  size_t label_count = 0;
  size_t sample_count = 0;
  for (std::string_view name : names) {
    const ParsedFamily* family = Find(name);
    if (family == nullptr) continue;
    chosen.push_back(family);
    text_bytes += family->name.size() + family->help.size();
    for (const ParsedSample& sample : family->samples) {
      text_bytes += sample.name.size();
      for (const LabelView& label : sample.labels) text_bytes += label.name.size() + label.value.size();
      label_count += sample.labels.size();
    }
    sample_count += family->samples.size();
  }
  // Reserved up front, so that no append moves what earlier views point at.
  ParsedExposition subset;
  Storage& out = *subset.storage_;
  ExpositionBuffers& pools = out.buffers;
  pools.body.reserve(text_bytes);
  pools.labels.reserve(label_count);
  pools.samples.reserve(sample_count);
  out.families.reserve(chosen.size());
  auto copy = [&pools](std::string_view text) {
    const size_t at = pools.body.size();
    pools.body.append(text);
    return std::string_view(pools.body).substr(at, text.size());
  };
  for (const ParsedFamily* family : chosen) {
    const size_t first_sample = pools.samples.size();
    for (const ParsedSample& sample : family->samples) {
      const size_t first_label = pools.labels.size();
      for (const LabelView& label : sample.labels) pools.labels.push_back({copy(label.name), copy(label.value)});
      pools.samples.push_back({copy(sample.name), std::span<const LabelView>(pools.labels).subspan(first_label),
                               sample.value, sample.timestamp_ms});
    }
    out.families.push_back({copy(family->name), family->type, copy(family->help),
                            std::span<const ParsedSample>(pools.samples).subspan(first_sample)});
  }
  Rebuild(&out.index, out.families);
  return subset;
}

Exposition ParsedExposition::ToExposition() const {
  Exposition owned;
  for (const ParsedFamily& family : families()) {
    MetricFamily& copy = owned.FindOrAdd(family.name);
    copy.type = family.type;
    copy.help = std::string(family.help);
    copy.samples.reserve(family.samples.size());
    for (const ParsedSample& sample : family.samples) {
      Sample& out = copy.samples.emplace_back();
      out.name = std::string(sample.name);
      out.value = sample.value;
      out.timestamp_ms = sample.timestamp_ms;
      for (const LabelView& label : sample.labels) {
        out.labels.push_back({std::string(label.name), std::string(label.value)});
      }
    }
  }
  return owned;
}

ParsedExpositionBuilder::ParsedExpositionBuilder(ExpositionBuffers buffers, size_t expected_samples,
                                                 std::shared_ptr<ExpositionBufferPool> pool) {
  ParsedExposition::Storage& s = *result_.storage_;
  s.buffers = std::move(buffers);
  s.buffers.samples.clear();
  s.buffers.labels.clear();
  s.buffers.samples.reserve(expected_samples);
  pending_.reserve(expected_samples);
  s.buffers.labels.reserve(expected_samples * 3);  // a real TiKV sample has two or three labels
  s.pool = std::move(pool);
  family_index_.assign(256, 0);
}

std::string_view ParsedExpositionBuilder::body() const { return result_.storage_->buffers.body; }

std::string_view ParsedExpositionBuilder::Keep(std::string text) {
  return result_.storage_->kept.emplace_back(std::move(text));
}

uint32_t ParsedExpositionBuilder::FindFamily(std::string_view name) const {
  const uint32_t at = family_index_[Slot(family_index_, result_.storage_->families, name)];
  return at == 0 ? UINT32_MAX : at - 1;
}

uint32_t ParsedExpositionBuilder::FindOrAddFamily(std::string_view name) {
  std::vector<ParsedFamily>& families = result_.storage_->families;
  const size_t slot = Slot(family_index_, families, name);
  if (family_index_[slot] != 0) return family_index_[slot] - 1;
  const auto index = static_cast<uint32_t>(families.size());
  families.push_back({name, MetricType::kUntyped, {}, {}});
  family_samples_.push_back(0);
  if (families.size() * 2 > family_index_.size()) {
    Rebuild(&family_index_, families);
  } else {
    family_index_[slot] = index + 1;
  }
  return index;
}

ParsedFamily& ParsedExpositionBuilder::family(uint32_t index) { return result_.storage_->families[index]; }

bool ParsedExpositionBuilder::family_has_samples(uint32_t index) const { return family_samples_[index] != 0; }

size_t ParsedExpositionBuilder::AddSample(uint32_t family, std::string_view name, std::span<const LabelView> labels,
                                          double value, std::optional<int64_t> timestamp_ms) {
  ExpositionBuffers& s = result_.storage_->buffers;
  const auto first_label = static_cast<uint32_t>(s.labels.size());
  s.labels.insert(s.labels.end(), labels.begin(), labels.end());
  s.samples.push_back({name, {}, value, timestamp_ms});
  pending_.push_back({family, first_label, static_cast<uint32_t>(labels.size())});
  ++family_samples_[family];
  return s.samples.size() - 1;
}

void ParsedExpositionBuilder::ReplaceSample(size_t index, std::span<const LabelView> labels, double value,
                                            std::optional<int64_t> timestamp_ms) {
  ExpositionBuffers& s = result_.storage_->buffers;
  // Same series, so the same number of labels (maybe in another order): overwritten in place.
  std::copy(labels.begin(), labels.end(), s.labels.begin() + pending_[index].first_label);
  s.samples[index].value = value;
  s.samples[index].timestamp_ms = timestamp_ms;
}

std::string_view ParsedExpositionBuilder::SampleName(size_t index) const {
  return result_.storage_->buffers.samples[index].name;
}

std::span<const LabelView> ParsedExpositionBuilder::SampleLabels(size_t index) const {
  const Pending& p = pending_[index];
  return std::span<const LabelView>(result_.storage_->buffers.labels).subspan(p.first_label, p.label_count);
}

uint32_t ParsedExpositionBuilder::SampleFamily(size_t index) const { return pending_[index].family; }

ParsedExposition ParsedExpositionBuilder::Finish() && {
  ParsedExposition::Storage& storage = *result_.storage_;
  ExpositionBuffers& s = storage.buffers;
  for (size_t i = 0; i < s.samples.size(); ++i) {
    s.samples[i].labels =
        std::span<const LabelView>(s.labels).subspan(pending_[i].first_label, pending_[i].label_count);
  }
  // Where each family's samples start once grouped; a family that another interrupted (TiKV issue
  // 12670 exposes some families twice) makes the grouping move samples, stably.
  std::vector<size_t> start(storage.families.size() + 1, 0);
  for (size_t f = 0; f < storage.families.size(); ++f) start[f + 1] = start[f] + family_samples_[f];
  bool grouped = true;
  std::vector<size_t> next(start.begin(), start.end() - 1);
  for (size_t i = 0; i < s.samples.size() && grouped; ++i) grouped = next[pending_[i].family]++ == i;
  if (!grouped) {
    std::vector<ParsedSample> sorted(s.samples.size());
    next.assign(start.begin(), start.end() - 1);
    for (size_t i = 0; i < s.samples.size(); ++i) sorted[next[pending_[i].family]++] = s.samples[i];
    s.samples = std::move(sorted);
  }
  for (size_t f = 0; f < storage.families.size(); ++f) {
    storage.families[f].samples = std::span<const ParsedSample>(s.samples).subspan(start[f], family_samples_[f]);
  }
  storage.index = std::move(family_index_);
  return std::move(result_);
}

}  // namespace tikv_exporter
