#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "prom/exposition.h"

namespace tikv_exporter {

// One scrape of an upstream's /metrics as parsed (prom/exposition_parser.h): every name, label
// and value is a view into the body the result owns, or, for the rare label value or HELP text
// that had escapes or invalid UTF-8, into text the result holds beside it. Parsing so allocates
// per family and per body, never per sample (a 1 MB TiKV body has ~16,000 samples and ~40,000
// labels). The exporter's own output is built with the owning model of prom/exposition.h.

struct LabelView {
  std::string_view name;
  std::string_view value;
};

// The value of label `name` among `labels`, or "" when there is none (as PromQL treats it).
std::string_view LabelValueIn(std::span<const LabelView> labels, std::string_view name);

struct ParsedSample {
  std::string_view name;  // the full sample name, e.g. "x_bucket" in family "x"
  std::span<const LabelView> labels;  // in exposition order
  double value = 0;
  std::optional<int64_t> timestamp_ms;

  std::string_view LabelValue(std::string_view label_name) const { return LabelValueIn(labels, label_name); }
};

struct ParsedFamily {
  std::string_view name;
  MetricType type = MetricType::kUntyped;
  std::string_view help;
  std::span<const ParsedSample> samples;  // a family's samples, in exposition order
};

// The large buffers of one parse: the body and the label and sample pools (together about 3.5
// times the body of a real TiKV scrape).
struct ExpositionBuffers {
  std::string body;
  std::vector<LabelView> labels;
  std::vector<ParsedSample> samples;

  size_t CapacityBytes() const;
  size_t UsedBytes() const;
};

// Keeps the buffers of a dropped scrape for the next parse. A buffer of megabytes that is
// allocated anew each poll is a fresh mapping whose every page faults when first written: about
// 1,000 faults per poll of the largest real dump, which were over half of the process's CPU per
// poll (perf). Reused, the same pages are written again, and a poll's cost stays linear in its
// body. Holds one set, of at most `max_kept_bytes`, and not one that its last parse used less
// than a quarter of: the buffers a one-off huge body grew go back to the system. Thread-safe:
// a scrape is dropped on the poller's thread while a collector's thread parses the next.
class ExpositionBufferPool {
 public:
  explicit ExpositionBufferPool(size_t max_kept_bytes) : max_kept_bytes_(max_kept_bytes) {}

  // The kept set, emptied with its capacity, or a new empty one.
  ExpositionBuffers Take();
  void Give(ExpositionBuffers buffers);

 private:
  const size_t max_kept_bytes_;
  Mutex mutex_;
  std::optional<ExpositionBuffers> kept_ ABSL_GUARDED_BY(mutex_);
};

// All families of one scrape, in the order they first appeared. Move-only: the views point into
// storage it owns, which a move keeps in place. Safe for concurrent reads.
class ParsedExposition {
 public:
  ParsedExposition();
  ParsedExposition(ParsedExposition&&) noexcept;
  ParsedExposition& operator=(ParsedExposition&&) noexcept;
  ParsedExposition(const ParsedExposition&) = delete;
  ParsedExposition& operator=(const ParsedExposition&) = delete;
  ~ParsedExposition();

  // Returns the family named `name`, or nullptr.
  const ParsedFamily* Find(std::string_view name) const;
  std::span<const ParsedFamily> families() const;
  size_t SampleCount() const;

  // A copy of just the families named `names` (those present), owning its own text: what a poll
  // keeps of a scrape for the next poll's rates, without keeping the whole body.
  ParsedExposition Subset(std::span<const std::string_view> names) const;

  // An owning copy, for code that edits or re-serves a parsed body (the simulator, tests).
  Exposition ToExposition() const;

 private:
  friend class ParsedExpositionBuilder;
  struct Storage;
  std::unique_ptr<Storage> storage_;
};

// Fills a ParsedExposition: the parser's side. Samples are added in body order with their family's
// index; Finish() groups each family's samples (they are already together in every real body,
// then nothing moves) and turns label ranges into spans. Not thread-safe.
class ParsedExpositionBuilder {
 public:
  // `expected_samples` sizes the pools (the parser guesses it from the body's size). The result
  // hands `buffers` to `pool`, when there is one, once it is dropped.
  ParsedExpositionBuilder(ExpositionBuffers buffers, size_t expected_samples,
                          std::shared_ptr<ExpositionBufferPool> pool);

  std::string_view body() const;
  // Keeps `text` (an unescaped or repaired string) for the result's lifetime; returns a view of it.
  std::string_view Keep(std::string text);

  // The index of family `name`, created (untyped, no help) when absent.
  uint32_t FindOrAddFamily(std::string_view name);
  // The index of family `name`, or UINT32_MAX.
  uint32_t FindFamily(std::string_view name) const;
  ParsedFamily& family(uint32_t index);
  bool family_has_samples(uint32_t index) const;

  // Appends a sample of family `family` whose labels are `labels` (copied into the pool); returns
  // its index. ReplaceSample overwrites a sample (a duplicate series keeps the last value).
  size_t AddSample(uint32_t family, std::string_view name, std::span<const LabelView> labels, double value,
                   std::optional<int64_t> timestamp_ms);
  void ReplaceSample(size_t index, std::span<const LabelView> labels, double value,
                     std::optional<int64_t> timestamp_ms);
  // The name and labels of sample `index` as added (valid until Finish).
  std::string_view SampleName(size_t index) const;
  std::span<const LabelView> SampleLabels(size_t index) const;
  uint32_t SampleFamily(size_t index) const;

  ParsedExposition Finish() &&;

 private:
  struct Pending {
    uint32_t family;
    uint32_t first_label;
    uint32_t label_count;
  };
  ParsedExposition result_;
  std::vector<Pending> pending_;  // per sample, parallel to the result's samples
  std::vector<uint32_t> family_index_;  // open addressing: family index + 1, 0 = empty
  std::vector<uint32_t> family_samples_;  // samples per family
};

}  // namespace tikv_exporter
