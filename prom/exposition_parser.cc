#include "prom/exposition_parser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cmath>
#include <limits>
#include <functional>
#include <iterator>
#include <string>
#include <unordered_map>

#include "common/ascii.h"
#include "common/utf8.h"

namespace tikv_exporter {
namespace {

// Character classes as tables: the name scans run over every byte of every sample line.
constexpr std::array<bool, 256> CharTable(bool digits) {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
               (digits && c >= '0' && c <= '9');
  }
  return table;
}
constexpr std::array<bool, 256> kNameStart = CharTable(false);
constexpr std::array<bool, 256> kNameChar = CharTable(true);

bool IsNameStart(char c) { return kNameStart[static_cast<unsigned char>(c)]; }
bool IsNameChar(char c) { return kNameChar[static_cast<unsigned char>(c)]; }
bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimLeft(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsBlank(s[i])) ++i;
  return s.substr(i);
}

std::string_view TakeToken(std::string_view& s) {
  s = TrimLeft(s);
  size_t i = 0;
  while (i < s.size() && !IsBlank(s[i])) ++i;
  std::string_view token = s.substr(0, i);
  s = s.substr(i);
  return token;
}

// Go's strconv.ParseFloat as Prometheus uses it: decimal or exponent form, an optional sign,
// and the case-insensitive words Inf, Infinity and NaN.

bool ParseTimestamp(std::string_view token, int64_t* out) {
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), *out);
  return ec == std::errc() && end == token.data() + token.size();
}

std::string_view Snippet(std::string_view line) {
  constexpr size_t kMax = 80;
  return line.size() <= kMax ? line : line.substr(0, kMax);
}

// (Family, series hash) -> sample index, open addressing with linear probing in one array (a
// node-based multimap per family cost an allocation per sample). A slot answers only for the
// family that put it there; equal hashes within a family are told apart by the caller's `same`.
// Its array is the calling thread's and kept for the next parse (a poll parses on the same
// collector thread each time): a new array of this size is a fresh mmap whose pages fault in on
// every poll. Arrays beyond kKeptSlots are given back after the parse.
class SeriesIndex {
 public:
  explicit SeriesIndex(size_t series) : borrowed_(!storage_in_use), slots_(borrowed_ ? Storage() : own_) {
    storage_in_use = true;
    size_t size = 1024;
    while (size < series * 2) size *= 2;
    slots_.assign(size, Slot{});
    mask_ = size - 1;
  }
  ~SeriesIndex() {
    if (!borrowed_) return;
    if (slots_.size() > kKeptSlots) std::vector<Slot>().swap(slots_);
    storage_in_use = false;
  }
  SeriesIndex(const SeriesIndex&) = delete;
  SeriesIndex& operator=(const SeriesIndex&) = delete;

  template <typename Same>
  const uint32_t* Find(const void* family, uint64_t hash, Same same) const {
    for (size_t at = hash & mask_;; at = (at + 1) & mask_) {
      const Slot& slot = slots_[at];
      if (slot.index == kEmpty) return nullptr;
      if (slot.hash == hash && slot.family == family && same(slot.index)) return &slot.index;
    }
  }
  void Insert(const void* family, uint64_t hash, size_t index) {
    if ((used_ + 1) * 2 > slots_.size()) Grow();
    Place(Slot{hash, family, static_cast<uint32_t>(index)});
    ++used_;
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;  // indexes stay below ParseLimits' max_samples
  static constexpr size_t kKeptSlots = size_t{1} << 20;  // 24 MiB
  struct Slot {
    uint64_t hash = 0;
    const void* family = nullptr;
    uint32_t index = kEmpty;
  };
  static std::vector<Slot>& Storage() {
    thread_local std::vector<Slot> storage;
    return storage;
  }
  void Place(const Slot& slot) {
    size_t at = slot.hash & mask_;
    while (slots_[at].index != kEmpty) at = (at + 1) & mask_;
    slots_[at] = slot;
  }
  // Doubles the table (at most half full, so probes stay short) when the body had more series
  // than its size suggested.
  void Grow() {
    std::vector<Slot> old(slots_.begin(), slots_.end());
    slots_.assign(old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.index != kEmpty) Place(slot);
    }
  }
  // A second parser on a thread whose storage is in use (none today) gets an array of its own.
  static thread_local bool storage_in_use;
  std::vector<Slot> own_;
  const bool borrowed_;
  std::vector<Slot>& slots_;
  size_t mask_ = 0;
  size_t used_ = 0;
};

thread_local bool SeriesIndex::storage_in_use = false;

// Parses one document; holds the per-parse state so the free function stays reentrant.
class Parser {
 public:
  // A sample line is rarely shorter than 64 bytes: the series index is sized from the body.
  Parser(std::string_view text, const ParseLimits& limits)
      : text_(text), limits_(limits), series_(std::min(text.size() / 64, limits.max_samples)) {}

  StatusOr<ParseResult> Run() {
    size_t pos = 0;
    while (pos < text_.size()) {
      ++line_number_;
      size_t end = text_.find('\n', pos);
      bool has_newline = end != std::string_view::npos;
      if (!has_newline) end = text_.size();
      std::string_view line = text_.substr(pos, end - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      Status status = ParseLine(line);
      if (!status.ok()) return status;
      if (!has_newline) Warn("no final newline (the body may be truncated)");
      pos = end + 1;
    }
    return std::move(result_);
  }

 private:
  Status Fail(std::string_view what, std::string_view line) const {
    // The snippet reaches logs and the snapshot's last_error: never invalid UTF-8 there.
    return Status::Malformed("line " + std::to_string(line_number_) + ": " + std::string(what) +
                         ": \"" + ToValidUtf8(Snippet(line)) + "\"");
  }
  Status FailLimit(Limit limit, std::string_view what, std::string_view line) const {
    return Status::LimitHit(limit, Fail(what, line).message());
  }
  void Warn(std::string message) { result_.warnings.push_back({line_number_, std::move(message)}); }
  // Names are ASCII by their syntax; text (label values, HELP) must be UTF-8, and one bad byte
  // would make Prometheus reject the whole sidecar target, so it is repaired, not failed.
  void WarnInvalidUtf8(const std::string& where) {
    Warn("invalid UTF-8 in " + where + " (replaced with U+FFFD)");
  }

  Status ParseLine(std::string_view line) {
    std::string_view rest = TrimLeft(line);
    if (rest.empty()) return Status::Ok();
    if (rest[0] == '#') return ParseComment(rest.substr(1), line);
    return ParseSample(rest, line);
  }

  Status ParseComment(std::string_view rest, std::string_view line) {
    std::string_view keyword = TakeToken(rest);
    if (keyword != "HELP" && keyword != "TYPE") return Status::Ok();  // a plain comment
    std::string_view name = TakeToken(rest);
    if (name.empty() || !IsValidMetricName(name)) return Fail("invalid metric name", line);
    MetricFamily& family = result_.exposition.FindOrAdd(name);
    if (keyword == "HELP") {
      family.help = UnescapeHelp(rest.empty() ? rest : rest.substr(1));
      if (SanitizeUtf8(&family.help)) WarnInvalidUtf8("the HELP text of " + family.name);
      return Status::Ok();
    }
    std::string_view type_name = TakeToken(rest);
    if (!TrimLeft(rest).empty()) return Fail("unexpected text after the type", line);
    MetricType type;
    if (type_name == "counter") {
      type = MetricType::kCounter;
    } else if (type_name == "gauge") {
      type = MetricType::kGauge;
    } else if (type_name == "histogram") {
      type = MetricType::kHistogram;
    } else if (type_name == "summary") {
      type = MetricType::kSummary;
    } else if (type_name == "untyped") {
      type = MetricType::kUntyped;
    } else {
      return Fail("unknown metric type", line);
    }
    auto [it, first] = typed_.try_emplace(family.name, type);
    if (!first) {
      if (it->second != type) return Fail("second TYPE line with a different type", line);
      Warn("family " + family.name + " is exposed a second time");
    } else if (!family.samples.empty()) {
      return Fail("TYPE line after samples of the same family", line);
    }
    family.type = type;
    current_ = &family;
    return Status::Ok();
  }

  static bool IsValidMetricName(std::string_view name) {
    if (name.empty() || !IsNameStart(name[0])) return false;
    for (char c : name) {
      if (!IsNameChar(c)) return false;
    }
    return true;
  }

  static std::string UnescapeHelp(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\\' && i + 1 < text.size()) {
        char next = text[i + 1];
        if (next == 'n') {
          out.push_back('\n');
          ++i;
          continue;
        }
        if (next == '\\') {
          out.push_back('\\');
          ++i;
          continue;
        }
      }
      out.push_back(text[i]);
    }
    return out;
  }

  // The family a sample name belongs to: the histogram/summary it is a part of, or its own.
  MetricFamily& FamilyFor(std::string_view sample_name) {
    auto belongs = [&](const MetricFamily& family) {
      if (sample_name == family.name) return family.type != MetricType::kHistogram;
      if (family.type != MetricType::kHistogram && family.type != MetricType::kSummary) return false;
      if (sample_name.size() <= family.name.size() ||
          sample_name.substr(0, family.name.size()) != family.name) {
        return false;
      }
      std::string_view suffix = sample_name.substr(family.name.size());
      return suffix == "_sum" || suffix == "_count" ||
             (suffix == "_bucket" && family.type == MetricType::kHistogram);
    };
    if (current_ != nullptr && belongs(*current_)) return *current_;
    for (std::string_view suffix : {"_bucket", "_count", "_sum"}) {
      if (sample_name.size() > suffix.size() &&
          sample_name.substr(sample_name.size() - suffix.size()) == suffix) {
        MetricFamily* base =
            result_.exposition.Find(sample_name.substr(0, sample_name.size() - suffix.size()));
        if (base != nullptr && belongs(*base)) return *(current_ = base);
      }
    }
    current_ = &result_.exposition.FindOrAdd(sample_name);
    return *current_;
  }

  Status ParseSample(std::string_view rest, std::string_view line) {
    if (sample_count_ >= limits_.max_samples) {
      return FailLimit(Limit::kSeriesPerPoll, "more than " + std::to_string(limits_.max_samples) + " samples", line);
    }
    size_t i = 0;
    if (!IsNameStart(rest[0])) return Fail("invalid metric name", line);
    while (i < rest.size() && IsNameChar(rest[i])) ++i;
    Sample sample;
    sample.name = std::string(rest.substr(0, i));
    rest = rest.substr(i);
    if (!rest.empty() && rest[0] == '{') {
      // Parsed into a vector kept across samples, then moved in at its exact size: one allocation
      // per sample instead of one per doubling.
      labels_.clear();
      Status status = ParseLabels(rest, line);
      if (!status.ok()) return status;
      sample.labels.reserve(labels_.size());
      std::move(labels_.begin(), labels_.end(), std::back_inserter(sample.labels));
    }
    if (rest.empty() || !IsBlank(rest[0])) return Fail("expected a value after the name", line);
    std::string_view value_token = TakeToken(rest);
    if (!ParseSampleValue(value_token, &sample.value)) return Fail("invalid value", line);
    std::string_view timestamp_token = TakeToken(rest);
    if (!timestamp_token.empty()) {
      int64_t timestamp = 0;
      if (!ParseTimestamp(timestamp_token, &timestamp)) return Fail("invalid timestamp", line);
      sample.timestamp_ms = timestamp;
    }
    if (!TrimLeft(rest).empty()) return Fail("unexpected text after the sample", line);

    MetricFamily& family = FamilyFor(sample.name);
    if (family.type == MetricType::kHistogram && sample.name.size() > family.name.size() &&
        sample.name.ends_with("_bucket")) {
      double bound = 0;
      if (!ParseSampleValue(sample.LabelValue("le"), &bound)) {
        return Fail("histogram bucket without a valid \"le\" label", line);
      }
    }
    if (family.type == MetricType::kSummary && sample.name == family.name) {
      double quantile = 0;
      if (!ParseSampleValue(sample.LabelValue("quantile"), &quantile)) {
        return Fail("summary sample without a valid \"quantile\" label", line);
      }
    }
    AddDeduplicated(family, std::move(sample));
    return Status::Ok();
  }

  // Parses `{name="value",...}` from the front of `rest` into labels_, leaving what follows the
  // brace.
  Status ParseLabels(std::string_view& rest, std::string_view line) {
    size_t i = 1;  // past '{'
    auto skip_blanks = [&] {
      while (i < rest.size() && IsBlank(rest[i])) ++i;
    };
    while (true) {
      skip_blanks();
      if (i >= rest.size()) return Fail("unterminated label set", line);
      if (rest[i] == '}') {
        ++i;
        break;
      }
      size_t name_start = i;
      if (!(IsNameStart(rest[i]) && rest[i] != ':')) return Fail("invalid label name", line);
      while (i < rest.size() && IsNameChar(rest[i]) && rest[i] != ':') ++i;
      Label label;
      label.name = std::string(rest.substr(name_start, i - name_start));
      skip_blanks();
      if (i >= rest.size() || rest[i] != '=') return Fail("expected '=' after a label name", line);
      ++i;
      skip_blanks();
      if (i >= rest.size() || rest[i] != '"') return Fail("expected '\"' to open a label value", line);
      ++i;
      bool closed = false;
      while (i < rest.size()) {
        // Copy up to the next quote or backslash in one piece: most values have neither.
        size_t end = i;
        while (end < rest.size() && rest[end] != '"' && rest[end] != '\\') ++end;
        label.value.append(rest.data() + i, end - i);
        i = end;
        if (i >= rest.size()) break;
        if (rest[i++] == '"') {
          closed = true;
          break;
        }
        if (i >= rest.size()) break;
        char escaped = rest[i++];
        if (escaped == 'n') {
          label.value.push_back('\n');
        } else if (escaped == '\\' || escaped == '"') {
          label.value.push_back(escaped);
        } else {
          return Fail("invalid escape in a label value", line);
        }
      }
      if (!closed) return Fail("unterminated label value", line);
      if (label.value.size() > limits_.max_label_value_bytes) {
        return FailLimit(Limit::kLabelValueBytes, "label value longer than " + std::to_string(limits_.max_label_value_bytes) +
                        " bytes",
                    line);
      }
      if (SanitizeUtf8(&label.value)) WarnInvalidUtf8("the value of label " + label.name);
      for (const Label& existing : labels_) {
        if (existing.name == label.name) return Fail("duplicate label " + label.name, line);
      }
      if (labels_.size() >= limits_.max_labels_per_sample) {
        return FailLimit(Limit::kLabelsPerSeries, "more than " + std::to_string(limits_.max_labels_per_sample) + " labels", line);
      }
      labels_.push_back(std::move(label));
      skip_blanks();
      if (i < rest.size() && rest[i] == ',') {
        ++i;
        continue;
      }
      skip_blanks();
      if (i < rest.size() && rest[i] == '}') continue;
      return Fail("expected ',' or '}' in the label set", line);
    }
    rest = rest.substr(i);
    return Status::Ok();
  }

  // std::hash reads 8 bytes at a time; the multiply-xorshift keeps sums of hashes well mixed.
  static uint64_t Hash(std::string_view text, uint64_t seed) {
    uint64_t h = std::hash<std::string_view>{}(text) ^ (seed * 0x9e3779b97f4a7c15ULL);
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 32);
  }

  // Identifies a series whatever the order of its labels: the labels' hashes are summed, so no
  // sorted key string has to be built per sample. Equal hashes are compared label by label.
  static uint64_t SeriesHash(const Sample& sample) {
    uint64_t h = Hash(sample.name, 0);
    for (const Label& label : sample.labels) h += Hash(label.value, Hash(label.name, 1));
    return h;
  }

  static bool SameSeries(const Sample& a, const Sample& b) {
    if (a.name != b.name || a.labels.size() != b.labels.size()) return false;
    for (const Label& label : a.labels) {
      bool found = false;
      for (const Label& other : b.labels) {
        if (other.name == label.name) {
          found = other.value == label.value;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }

  void AddDeduplicated(MetricFamily& family, Sample sample) {
    const uint64_t hash = SeriesHash(sample);
    if (const uint32_t* index =
            series_.Find(&family, hash, [&](size_t i) { return SameSeries(family.samples[i], sample); })) {
      Warn("duplicate series " + sample.name + " (the last value is kept)");
      family.samples[*index] = std::move(sample);
      return;
    }
    series_.Insert(&family, hash, family.samples.size());
    ++sample_count_;
    family.samples.push_back(std::move(sample));
  }

  std::string_view text_;
  const ParseLimits& limits_;
  ParseResult result_;
  size_t line_number_ = 0;
  size_t sample_count_ = 0;
  MetricFamily* current_ = nullptr;
  std::unordered_map<std::string, MetricType> typed_;
  // Every series seen, by its family (which never moves: Exposition keeps families in a deque) and
  // hash -> its index in the family's samples.
  SeriesIndex series_;
  std::vector<Label> labels_;  // the labels of the sample being parsed
};

}  // namespace

bool ParseSampleValue(std::string_view token, double* out) {
  if (token.empty()) return false;
  bool negative = false;
  std::string_view body = token;
  if (body[0] == '+' || body[0] == '-') {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (EqualsIgnoringCase(body, "inf") || EqualsIgnoringCase(body, "infinity")) {
    *out = negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
    return true;
  }
  if (EqualsIgnoringCase(body, "nan")) {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (body.empty() || body[0] == '+' || body[0] == '-') return false;
  double value = 0;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (ec != std::errc() || end != body.data() + body.size()) return false;
  *out = negative ? -value : value;
  return true;
}

StatusOr<ParseResult> ParseExposition(std::string_view text, const ParseLimits& limits) {
  return Parser(text, limits).Run();
}

}  // namespace tikv_exporter
