#include "prom/exposition_parser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <cmath>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <limits>
#include <functional>
#include <iterator>
#include <string>
#include <unordered_map>

#include "common/ascii.h"
#include "common/utf8.h"
#include "prom/parsed_exposition.h"

namespace tikv_exporter {
namespace {

// Character classes as tables: the name scans run over every byte of every sample line.
constexpr std::array<bool, 256> CharTable(bool digits, bool colon) {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
               (digits && c >= '0' && c <= '9');
  }
  return table;
}
constexpr std::array<bool, 256> kNameStart = CharTable(false, true);
constexpr std::array<bool, 256> kNameChar = CharTable(true, true);
constexpr std::array<bool, 256> kLabelNameStart = CharTable(false, false);  // label names have no ':'
constexpr std::array<bool, 256> kLabelNameChar = CharTable(true, false);

bool IsNameStart(char c) { return kNameStart[static_cast<unsigned char>(c)]; }
bool IsNameChar(char c) { return kNameChar[static_cast<unsigned char>(c)]; }
bool IsLabelNameStart(char c) { return kLabelNameStart[static_cast<unsigned char>(c)]; }
bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// The two scans every sample line runs longest, sixteen bytes at a time where SSE2 is (every
// x86-64): a table lookup or two compares per byte were a fifth of a parse. Both may load bytes
// up to `readable_end` (at or past s's end: the body's end), so that a short run at the end of
// its line, as most label values are, is still scanned in one step (byte by byte, those tails
// were a sixtieth of a parse); what they find past s's end is ignored.

// The end of the run of metric-name characters ([a-zA-Z0-9_:]) in `s` from `i`.
size_t NameEnd(std::string_view s, size_t i, const char* readable_end) {
#if defined(__SSE2__)
  while (i < s.size() && s.data() + i + 16 <= readable_end) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    // x | 0x20 is a lowercase letter exactly when x is a letter. The compares are signed: a byte
    // of 0x80 or more is negative, outside every range.
    const __m128i lower = _mm_or_si128(x, _mm_set1_epi8(0x20));
    const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                         _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
    const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)),
                                        _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
    const __m128i mark = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('_')), _mm_cmpeq_epi8(x, _mm_set1_epi8(':')));
    const auto in_name = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), mark)));
    if (in_name != 0xFFFF) return std::min(s.size(), i + static_cast<size_t>(__builtin_ctz(~in_name)));
    i += 16;
  }
  if (i >= s.size()) return s.size();
#endif
  while (i < s.size() && IsNameChar(s[i])) ++i;
  return i;
}

// The offset of the first '"' or '\\' in `s` from `i`, or s.size(): the end of a label value's
// plain run.
size_t QuoteOrBackslash(std::string_view s, size_t i, const char* readable_end) {
#if defined(__SSE2__)
  while (i < s.size() && s.data() + i + 16 <= readable_end) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    const auto found = static_cast<unsigned>(_mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')))));
    if (found != 0) return std::min(s.size(), i + static_cast<size_t>(__builtin_ctz(found)));
    i += 16;
  }
  if (i >= s.size()) return s.size();
#endif
  while (i < s.size() && s[i] != '"' && s[i] != '\\') ++i;
  return i;
}

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

// Series hash -> sample index, open addressing with linear probing in one array of 8-byte slots
// (a node-based multimap per family cost an allocation per sample; the array is read at random,
// so the smaller it is, the fewer cache misses). Equal hashes are told apart by the caller's
// `same`, which also checks the family. Its array is the calling thread's and kept for the next
// parse (a poll parses on the same collector thread each time): a new array of this size is a
// fresh mmap whose pages fault in on every poll. Arrays beyond kKeptSlots are given back after
// the parse.
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
  const uint32_t* Find(uint64_t hash, Same same) const {
    const auto tag = static_cast<uint32_t>(hash);
    for (size_t at = tag & mask_;; at = (at + 1) & mask_) {
      const Slot& slot = slots_[at];
      if (slot.index == kEmpty) return nullptr;
      if (slot.tag == tag && same(slot.index)) return &slot.index;
    }
  }
  void Prefetch(uint64_t hash) const { __builtin_prefetch(&slots_[static_cast<uint32_t>(hash) & mask_]); }
  void Insert(uint64_t hash, size_t index) {
    if ((used_ + 1) * 2 > slots_.size()) Grow();
    Place(Slot{static_cast<uint32_t>(hash), static_cast<uint32_t>(index)});
    ++used_;
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;  // indexes stay below ParseLimits' max_samples
  static constexpr size_t kKeptSlots = size_t{1} << 21;  // 16 MiB
  // The hash's low 32 bits, which also place the slot (tables stay below 2^32 slots).
  struct Slot {
    uint32_t tag = 0;
    uint32_t index = kEmpty;
  };
  static std::vector<Slot>& Storage() {
    thread_local std::vector<Slot> storage;
    return storage;
  }
  void Place(const Slot& slot) {
    size_t at = slot.tag & mask_;
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

// Whether an `le` bound or a quantile is a valid value, remembering the last ones found valid: a
// histogram's buckets repeat the same dozen bounds in every series, and reading "0.0005" with
// from_chars each time was a tenth of a parse of a real TiKV body.
class ValidatedBounds {
 public:
  bool Valid(std::string_view token) {
    std::string_view& remembered = recent_[Slot(token)];
    if (!token.empty() && token == remembered) return true;
    double value = 0;
    if (!ParseSampleValue(token, &value)) return false;
    remembered = token;  // a view into the body, alive for the whole parse
    return true;
  }

 private:
  // A real TiKV body has ~170 distinct bounds: 64 slots indexed by three bytes missed nearly half
  // of its 8,000 lookups.
  static constexpr int kSlotBits = 10;
  static constexpr size_t kSlots = size_t{1} << kSlotBits;
  static size_t Slot(std::string_view token) {
    if (token.empty()) return 0;
    const auto byte = [&](size_t at) { return static_cast<uint64_t>(static_cast<unsigned char>(token[at])); };
    const size_t n = token.size();
    const uint64_t mixed = (n | byte(0) << 8 | byte(n / 2) << 16 | byte(n - 1) << 24 | byte(n > 1 ? n - 2 : 0) << 32 |
                            byte(n > 2 ? n - 3 : 0) << 40) * 0x9e3779b97f4a7c15ULL;
    return mixed >> (64 - kSlotBits);
  }
  std::array<std::string_view, kSlots> recent_{};
};

// Parses one document; holds the per-parse state so the free function stays reentrant.
class Parser {
 public:
  // A sample line is rarely shorter than 64 bytes: the series index and the result's pools are
  // sized from the body.
  Parser(ExpositionBuffers buffers, const ParseLimits& limits, std::shared_ptr<ExpositionBufferPool> pool)
      : expected_samples_(std::min(buffers.body.size() / 64, limits.max_samples)),
        out_(std::move(buffers), expected_samples_, std::move(pool)),
        text_(out_.body()),
        body_end_(text_.data() + text_.size()),
        ascii_end_(text_.data() + AsciiPrefixLength(text_)),
        limits_(limits),
        series_(expected_samples_) {}

  StatusOr<ParseResult> Run() && {
    size_t pos = 0;
    while (pos < text_.size()) {
      ++line_number_;
      size_t end = text_.find('\n', pos);
      bool has_newline = end != std::string_view::npos;
      if (!has_newline) end = text_.size();
      std::string_view line = text_.substr(pos, end - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!ParseLine(line)) return std::move(error_);
      if (!has_newline) Warn("no final newline (the body may be truncated)");
      pos = end + 1;
    }
    return ParseResult{std::move(out_).Finish(), std::move(warnings_)};
  }

 private:
  static constexpr uint32_t kNoFamily = UINT32_MAX;

  // The parse functions return false on a malformed line, the error kept in error_ (a Status
  // returned per sample line cost a twentieth of a parse).
  bool Fail(std::string_view what, std::string_view line) {
    // The snippet reaches logs and the snapshot's last_error: never invalid UTF-8 there.
    error_ = Status::Malformed(Where(what, line));
    return false;
  }
  bool FailLimit(Limit limit, std::string_view what, std::string_view line) {
    error_ = Status::LimitHit(limit, Where(what, line));
    return false;
  }
  std::string Where(std::string_view what, std::string_view line) const {
    return "line " + std::to_string(line_number_) + ": " + std::string(what) + ": \"" + ToValidUtf8(Snippet(line)) +
           "\"";
  }
  // Whether `text` lies in the body's ASCII run (text kept apart, e.g. unescaped, does not).
  bool InAsciiPrefix(std::string_view text) const {
    return std::less_equal<const char*>()(text_.data(), text.data()) &&
           std::less_equal<const char*>()(text.data() + text.size(), ascii_end_);
  }
  void Warn(std::string message) { warnings_.push_back({line_number_, std::move(message)}); }
  // Names are ASCII by their syntax; text (label values, HELP) must be UTF-8, and one bad byte
  // would make Prometheus reject the whole sidecar target, so it is repaired, not failed.
  // `what` and `whose` name the text in the warning ("the value of label", "version").
  // Inline for the all-ASCII case of every label value; the rest apart (as a call per value, the
  // check was a thirtieth of a parse).
  std::string_view RepairedUtf8(std::string_view text, std::string_view what, std::string_view whose) {
    if (InAsciiPrefix(text)) [[likely]] return text;
    return CheckedUtf8(text, what, whose);
  }
  [[gnu::noinline]] std::string_view CheckedUtf8(std::string_view text, std::string_view what, std::string_view whose) {
    if (IsValidUtf8(text)) return text;
    Warn("invalid UTF-8 in " + std::string(what) + " " + std::string(whose) + " (replaced with U+FFFD)");
    return out_.Keep(ToValidUtf8(text));
  }

  bool ParseLine(std::string_view line) {
    std::string_view rest = TrimLeft(line);
    if (rest.empty()) return true;
    if (rest[0] == '#') return ParseComment(rest.substr(1), line);
    return ParseSample(rest, line);
  }

  bool ParseComment(std::string_view rest, std::string_view line) {
    std::string_view keyword = TakeToken(rest);
    if (keyword != "HELP" && keyword != "TYPE") return true;  // a plain comment
    std::string_view name = TakeToken(rest);
    if (name.empty() || !IsValidMetricName(name)) return Fail("invalid metric name", line);
    const uint32_t index = FindOrAddFamily(name);
    ParsedFamily& family = out_.family(index);
    if (keyword == "HELP") {
      std::string_view help = rest.empty() ? rest : rest.substr(1);
      if (help.find('\\') != std::string_view::npos) help = out_.Keep(UnescapeHelp(help));
      family.help = RepairedUtf8(help, "the HELP text of", family.name);
      return true;
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
    if (typed_[index]) {
      if (family.type != type) return Fail("second TYPE line with a different type", line);
      Warn("family " + std::string(family.name) + " is exposed a second time");
    } else if (out_.family_has_samples(index)) {
      return Fail("TYPE line after samples of the same family", line);
    }
    typed_[index] = true;
    family.type = type;
    current_ = index;
    return true;
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

  // The family's index, created when absent, with its TYPE-seen flag.
  uint32_t FindOrAddFamily(std::string_view name) {
    const uint32_t index = out_.FindOrAddFamily(name);
    if (typed_.size() <= index) typed_.resize(index + 1, false);
    return index;
  }

  // Whether a sample named `sample_name` is a part of `family`: its own sample, or the
  // _bucket/_sum/_count of a histogram or summary.
  static bool Belongs(const ParsedFamily& family, std::string_view sample_name) {
    if (sample_name == family.name) return family.type != MetricType::kHistogram;
    if (family.type != MetricType::kHistogram && family.type != MetricType::kSummary) return false;
    if (sample_name.size() <= family.name.size() || !sample_name.starts_with(family.name)) return false;
    std::string_view suffix = sample_name.substr(family.name.size());
    return suffix == "_sum" || suffix == "_count" || (suffix == "_bucket" && family.type == MetricType::kHistogram);
  }

  // The family a sample name belongs to: the histogram/summary it is a part of, or its own.
  uint32_t FamilyFor(std::string_view sample_name) {
    if (current_ != kNoFamily && Belongs(out_.family(current_), sample_name)) return current_;
    for (std::string_view suffix : {"_bucket", "_count", "_sum"}) {
      if (sample_name.size() > suffix.size() && sample_name.ends_with(suffix)) {
        const uint32_t base = out_.FindFamily(sample_name.substr(0, sample_name.size() - suffix.size()));
        if (base != kNoFamily && Belongs(out_.family(base), sample_name)) return current_ = base;
      }
    }
    return current_ = FindOrAddFamily(sample_name);
  }

  bool ParseSample(std::string_view rest, std::string_view line) {
    if (sample_count_ >= limits_.max_samples) {
      return FailLimit(Limit::kSeriesPerPoll, "more than " + std::to_string(limits_.max_samples) + " samples", line);
    }
    if (!IsNameStart(rest[0])) return Fail("invalid metric name", line);
    const size_t name_end = NameEnd(rest, 0, body_end_);
    const std::string_view name = rest.substr(0, name_end);
    rest = rest.substr(name_end);
    labels_.clear();
    if (!rest.empty() && rest[0] == '{' && !ParseLabels(rest, line)) return false;
    // The series' slot is fetched while the rest of the line is read: the index is read at
    // random, and this load was the parse's most expensive cache miss.
    const uint64_t hash = SeriesHash(name, labels_);
    series_.Prefetch(hash);
    if (rest.empty() || !IsBlank(rest[0])) return Fail("expected a value after the name", line);
    std::string_view value_token = TakeToken(rest);
    double value = 0;
    if (!ParseSampleValue(value_token, &value)) return Fail("invalid value", line);
    std::optional<int64_t> timestamp_ms;
    std::string_view timestamp_token = TakeToken(rest);
    if (!timestamp_token.empty()) {
      int64_t timestamp = 0;
      if (!ParseTimestamp(timestamp_token, &timestamp)) return Fail("invalid timestamp", line);
      timestamp_ms = timestamp;
    }
    if (!TrimLeft(rest).empty()) return Fail("unexpected text after the sample", line);

    const uint32_t family_index = FamilyFor(name);
    const ParsedFamily& family = out_.family(family_index);
    if (family.type == MetricType::kHistogram && name.size() > family.name.size() && name.ends_with("_bucket") &&
        !bounds_.Valid(LabelValueIn(labels_, "le"))) {
      return Fail("histogram bucket without a valid \"le\" label", line);
    }
    if (family.type == MetricType::kSummary && name == family.name &&
        !bounds_.Valid(LabelValueIn(labels_, "quantile"))) {
      return Fail("summary sample without a valid \"quantile\" label", line);
    }
    AddDeduplicated(hash, family_index, name, value, timestamp_ms);
    return true;
  }

  // The text of a quoted label value starting at `rest[*i]` (just past the opening quote), up to
  // its closing quote, which *i is left past. A view into the body unless it has escapes.
  bool ParseLabelValue(std::string_view rest, size_t* i, std::string_view line, std::string_view* value) {
    const size_t end = QuoteOrBackslash(rest, *i, body_end_);
    if (end < rest.size() && rest[end] == '"') {  // no escape: the common case
      *value = rest.substr(*i, end - *i);
      *i = end + 1;
      return true;
    }
    std::string unescaped(rest.substr(*i, end - *i));
    size_t at = end;
    while (at < rest.size()) {
      // Copy up to the next quote or backslash in one piece.
      const size_t stop = QuoteOrBackslash(rest, at, body_end_);
      unescaped.append(rest.data() + at, stop - at);
      at = stop;
      if (at >= rest.size()) break;
      if (rest[at++] == '"') {
        *value = out_.Keep(std::move(unescaped));
        *i = at;
        return true;
      }
      if (at >= rest.size()) break;
      char escaped = rest[at++];
      if (escaped == 'n') {
        unescaped.push_back('\n');
      } else if (escaped == '\\' || escaped == '"') {
        unescaped.push_back(escaped);
      } else {
        return Fail("invalid escape in a label value", line);
      }
    }
    return Fail("unterminated label value", line);
  }

  // Parses `{name="value",...}` from the front of `rest` into labels_, leaving what follows the
  // brace.
  bool ParseLabels(std::string_view& rest, std::string_view line) {
    size_t i = 1;  // past '{'
    auto skip_blanks = [&] {
      while (i < rest.size() && IsBlank(rest[i])) ++i;
    };
    // Whether the next byte, blanks allowed before it, is `c`. The byte is tried before any
    // blank, which real label sets never have (skipping blanks at every step, in case, was a
    // twentieth of a parse).
    auto at = [&](char c) {
      if (i < rest.size() && rest[i] == c) return true;
      skip_blanks();
      return i < rest.size() && rest[i] == c;
    };
    while (true) {
      skip_blanks();
      if (i >= rest.size()) return Fail("unterminated label set", line);
      if (rest[i] == '}') {
        ++i;
        break;
      }
      size_t name_start = i;
      if (!IsLabelNameStart(rest[i])) return Fail("invalid label name", line);
      // Byte by byte: label names are short ("le", "type"), shorter than a 16-byte step repays.
      while (i < rest.size() && kLabelNameChar[static_cast<unsigned char>(rest[i])]) ++i;
      LabelView label;
      label.name = rest.substr(name_start, i - name_start);
      if (!at('=')) return Fail("expected '=' after a label name", line);
      ++i;
      if (!at('"')) return Fail("expected '\"' to open a label value", line);
      ++i;
      if (!ParseLabelValue(rest, &i, line, &label.value)) return false;
      if (label.value.size() > limits_.max_label_value_bytes) {
        return FailLimit(Limit::kLabelValueBytes, "label value longer than " + std::to_string(limits_.max_label_value_bytes) +
                        " bytes",
                    line);
      }
      label.value = RepairedUtf8(label.value, "the value of label", label.name);
      for (const LabelView& existing : labels_) {
        if (existing.name == label.name) return Fail("duplicate label " + std::string(label.name), line);
      }
      if (labels_.size() >= limits_.max_labels_per_sample) {
        return FailLimit(Limit::kLabelsPerSeries, "more than " + std::to_string(limits_.max_labels_per_sample) + " labels", line);
      }
      labels_.push_back(label);
      if (at(',')) {
        ++i;
        continue;
      }
      if (at('}')) continue;
      return Fail("expected ',' or '}' in the label set", line);
    }
    rest = rest.substr(i);
    return true;
  }

  // A multiply-xorshift over 8 bytes at a time, inline (std::hash's out-of-line call was a tenth
  // of a parse): the text of names and label values is short.
  static uint64_t Hash(std::string_view text, uint64_t seed) {
    constexpr uint64_t kMul = 0x9e3779b97f4a7c15ULL;
    uint64_t h = (seed + text.size()) * kMul;
    size_t i = 0;
    for (; i + 8 <= text.size(); i += 8) {
      uint64_t word;
      std::memcpy(&word, text.data() + i, 8);
      h = (h ^ word) * kMul;
      h ^= h >> 29;
    }
    h = (h ^ Tail(text, i)) * 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 32);
  }

  // The bytes of `text` from `from` on (fewer than eight) as one word, read with fixed-size loads
  // inside the text: a memcpy of a variable length was a call, and its partial store then stalled
  // the load that followed. Overlapping bytes are fine: the length is in the seed.
  static uint64_t Tail(std::string_view text, size_t from) {
    const size_t n = text.size() - from;
    if (n == 0) return 0;
    const char* p = text.data();
    if (text.size() >= 8) {
      uint64_t word;
      std::memcpy(&word, p + text.size() - 8, 8);
      return word;
    }
    if (n >= 4) {
      uint32_t low, high;
      std::memcpy(&low, p, 4);
      std::memcpy(&high, p + n - 4, 4);
      return (uint64_t{high} << 32) | low;
    }
    return (uint64_t{static_cast<unsigned char>(p[0])} << 16) |
           (uint64_t{static_cast<unsigned char>(p[n / 2])} << 8) | static_cast<unsigned char>(p[n - 1]);
  }

  // Identifies a series whatever the order of its labels: the labels' hashes are summed, so no
  // sorted key string has to be built per sample. Equal hashes are compared label by label.
  static uint64_t SeriesHash(std::string_view name, std::span<const LabelView> labels) {
    uint64_t h = Hash(name, 0);
    for (const LabelView& label : labels) h += Hash(label.value, Hash(label.name, 1));
    return h;
  }

  static bool SameLabels(std::span<const LabelView> a, std::span<const LabelView> b) {
    if (a.size() != b.size()) return false;
    for (const LabelView& label : a) {
      auto same = [&](const LabelView& other) { return other.name == label.name && other.value == label.value; };
      if (std::none_of(b.begin(), b.end(), same)) return false;
    }
    return true;
  }

  void AddDeduplicated(uint64_t hash, uint32_t family, std::string_view name, double value,
                       std::optional<int64_t> timestamp_ms) {
    if (const uint32_t* index = series_.Find(hash, [&](size_t i) {
          return out_.SampleFamily(i) == family && out_.SampleName(i) == name &&
                 SameLabels(out_.SampleLabels(i), labels_);
        })) {
      Warn("duplicate series " + std::string(name) + " (the last value is kept)");
      out_.ReplaceSample(*index, labels_, value, timestamp_ms);
      return;
    }
    series_.Insert(hash, out_.AddSample(family, name, labels_, value, timestamp_ms));
    ++sample_count_;
  }

  const size_t expected_samples_;
  ParsedExpositionBuilder out_;
  const std::string_view text_;  // the body out_ owns
  const char* const body_end_;  // how far the scans may load: the body's last byte's end
  // The end of the body's leading ASCII run: a real body is ASCII throughout, so its label values
  // need no UTF-8 check of their own (checked one at a time, they were a twentieth of a parse).
  const char* const ascii_end_;
  const ParseLimits& limits_;
  std::vector<ParseWarning> warnings_;
  size_t line_number_ = 0;
  size_t sample_count_ = 0;
  uint32_t current_ = kNoFamily;
  std::vector<bool> typed_;  // by family: a TYPE line was seen
  // Every series seen, by its family and hash -> its index among the samples.
  SeriesIndex series_;
  std::vector<LabelView> labels_;  // the labels of the sample being parsed
  ValidatedBounds bounds_;
  Status error_;  // why the parse failed, once a parse function returned false
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
  // Most values are counts: up to 15 digits are exact in a double, with no from_chars call.
  if (!body.empty() && body.size() <= 15 && body[0] >= '0' && body[0] <= '9') {
    uint64_t digits = 0;
    size_t i = 0;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') digits = digits * 10 + (body[i++] - '0');
    if (i == body.size()) {
      *out = negative ? -static_cast<double>(digits) : static_cast<double>(digits);
      return true;
    }
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

StatusOr<ParseResult> ParseExposition(std::string body, const ParseLimits& limits) {
  ExpositionBuffers buffers;
  buffers.body = std::move(body);
  return ParseExposition(std::move(buffers), limits, nullptr);
}

StatusOr<ParseResult> ParseExposition(ExpositionBuffers buffers, const ParseLimits& limits,
                                      std::shared_ptr<ExpositionBufferPool> pool) {
  return Parser(std::move(buffers), limits, std::move(pool)).Run();
}

}  // namespace tikv_exporter
