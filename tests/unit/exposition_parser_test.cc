#include "prom/exposition_parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "prom/exposition_writer.h"
#include "common/utf8.h"
#include "tests/unit/test_files.h"

namespace tikv_exporter {
namespace {

using testing::Fixture;
using testing::ReadFile;

const ParsedSample* FindSample(const ParsedExposition& e, const std::string& family, const std::string& name,
                         std::initializer_list<std::pair<const char*, const char*>> labels) {
  const ParsedFamily* f = e.Find(family);
  if (f == nullptr) return nullptr;
  for (const ParsedSample& s : f->samples) {
    if (s.name != name) continue;
    bool match = true;
    for (const auto& [k, v] : labels) match = match && s.LabelValue(k) == v;
    if (match) return &s;
  }
  return nullptr;
}

TEST(ExpositionParser, ParsesTheFullV53Dump) {
  const std::string text = ReadFile(Fixture("tikv-v5.3.0-alpha-metrics.prom"));
  StatusOr<ParseResult> result = ParseExposition(text);
  ASSERT_TRUE(result.ok()) << result.status().message();
  const ParsedExposition& e = result->exposition;
  // metric-names.md: 178 TYPE lines and 15,759 sample lines in this dump.
  EXPECT_EQ(e.families().size(), 178u);
  EXPECT_EQ(e.SampleCount(), 15759u);
  EXPECT_TRUE(result->warnings.empty());

  const ParsedFamily* grpc = e.Find("tikv_grpc_msg_duration_seconds");
  ASSERT_NE(grpc, nullptr);
  EXPECT_EQ(grpc->type, MetricType::kHistogram);
  const ParsedSample* bucket = FindSample(e, "tikv_grpc_msg_duration_seconds",
                                    "tikv_grpc_msg_duration_seconds_bucket",
                                    {{"type", "kv_get"}, {"le", "0.0005"}});
  ASSERT_NE(bucket, nullptr);
  EXPECT_EQ(bucket->value, 1144);
  const ParsedSample* info = FindSample(e, "tikv_server_info", "tikv_server_info", {});
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->LabelValue("version"), "v5.3.0-alpha");
  EXPECT_EQ(info->value, 1634094877);
  const ParsedSample* dirty = FindSample(e, "tikv_allocator_stats", "tikv_allocator_stats", {{"type", "dirty"}});
  ASSERT_NE(dirty, nullptr);
  EXPECT_EQ(dirty->value, -1249664);
}

TEST(ExpositionParser, ToleratesTheTruncatedV50DumpAndSaysWhere) {
  const std::string text = ReadFile(Fixture("tikv-v5.0-nightly-metrics-truncated.prom"));
  StatusOr<ParseResult> result = ParseExposition(text);
  ASSERT_TRUE(result.ok()) << result.status().message();
  // The dump ends with a duplicate of its last sample on line 6459 and no final newline
  // (promtool: "line 6459: unexpected end of input stream"). Both are reported with the line.
  ASSERT_EQ(result->warnings.size(), 2u);
  EXPECT_EQ(result->warnings[0].line, 6459u);
  EXPECT_NE(result->warnings[0].message.find("duplicate series tikv_server_report_failure_msg_total"),
            std::string::npos);
  EXPECT_EQ(result->warnings[1].line, 6459u);
  EXPECT_NE(result->warnings[1].message.find("no final newline"), std::string::npos);
  // metric-names.md: 144 families, 6,171 sample lines, one of which is the duplicate.
  EXPECT_EQ(result->exposition.families().size(), 144u);
  EXPECT_EQ(result->exposition.SampleCount(), 6170u);
  const ParsedSample* miss = FindSample(result->exposition, "tikv_engine_cache_efficiency",
                                  "tikv_engine_cache_efficiency", {{"db", "kv"}, {"type", "block_cache_miss"}});
  ASSERT_NE(miss, nullptr);
  EXPECT_EQ(miss->value, 31);
}

TEST(ExpositionParser, ParsesThePdDump) {
  StatusOr<ParseResult> result = ParseExposition(ReadFile(Fixture("pd-v5.3.0-alpha-metrics.prom")));
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->exposition.families().size(), 164u);  // upstreams: 164 families
}

TEST(ExpositionParser, HandlesEveryPartOfTheFormat) {
  const std::string text =
      "# A plain comment\n"
      "# HELP http_requests_total The total \\\\ number\\nof requests.\n"
      "# TYPE http_requests_total counter\n"
      "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
      "http_requests_total{method=\"post\",code=\"400\",} 3 1395066363000\n"
      "\n"
      "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\",error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\"} 1.458255915e9\n"
      "metric_without_timestamp_and_labels 12.47\n"
      "something_weird{problem=\"division by zero\"} +Inf -3982045\n"
      "negative_inf -Inf\n"
      "not_a_number NaN\n"
      "# TYPE http_request_duration_seconds histogram\n"
      "http_request_duration_seconds_bucket{le=\"0.05\"} 24054\n"
      "http_request_duration_seconds_bucket{le=\"+Inf\"} 144320\n"
      "http_request_duration_seconds_sum 53423\n"
      "http_request_duration_seconds_count 144320\n"
      "# TYPE rpc_duration_seconds summary\n"
      "rpc_duration_seconds{quantile=\"0.5\"} 4773\n"
      "rpc_duration_seconds_sum 1.7560473e+07\n"
      "rpc_duration_seconds_count 2693\n"
      "\t spaced_out \t 1 \r\n";
  StatusOr<ParseResult> result = ParseExposition(text);
  ASSERT_TRUE(result.ok()) << result.status().message();
  const ParsedExposition& e = result->exposition;
  const ParsedFamily* requests = e.Find("http_requests_total");
  ASSERT_NE(requests, nullptr);
  EXPECT_EQ(requests->type, MetricType::kCounter);
  EXPECT_EQ(requests->help, "The total \\ number\nof requests.");
  ASSERT_EQ(requests->samples.size(), 2u);
  EXPECT_EQ(requests->samples[0].timestamp_ms, 1395066363000);
  EXPECT_EQ(requests->samples[1].LabelValue("code"), "400");

  const ParsedSample* msdos = FindSample(e, "msdos_file_access_time_seconds", "msdos_file_access_time_seconds", {});
  ASSERT_NE(msdos, nullptr);
  EXPECT_EQ(msdos->LabelValue("path"), "C:\\DIR\\FILE.TXT");
  EXPECT_EQ(msdos->LabelValue("error"), "Cannot find file:\n\"FILE.TXT\"");
  EXPECT_EQ(msdos->value, 1.458255915e9);
  const ParsedSample* weird = FindSample(e, "something_weird", "something_weird", {});
  ASSERT_NE(weird, nullptr);
  EXPECT_TRUE(std::isinf(weird->value) && weird->value > 0);
  EXPECT_EQ(weird->timestamp_ms, -3982045);
  EXPECT_TRUE(std::isinf(e.Find("negative_inf")->samples[0].value));
  EXPECT_LT(e.Find("negative_inf")->samples[0].value, 0);
  EXPECT_TRUE(std::isnan(e.Find("not_a_number")->samples[0].value));

  const ParsedFamily* histogram = e.Find("http_request_duration_seconds");
  ASSERT_NE(histogram, nullptr);
  EXPECT_EQ(histogram->type, MetricType::kHistogram);
  EXPECT_EQ(histogram->samples.size(), 4u);
  const ParsedFamily* summary = e.Find("rpc_duration_seconds");
  ASSERT_NE(summary, nullptr);
  EXPECT_EQ(summary->type, MetricType::kSummary);
  EXPECT_EQ(summary->samples.size(), 3u);
  EXPECT_EQ(e.Find("spaced_out")->samples[0].value, 1);
  EXPECT_EQ(e.Find("spaced_out")->type, MetricType::kUntyped);
}

TEST(ExpositionParser, AcceptsBlanksAroundEveryPartOfALabelSet) {
  StatusOr<ParseResult> result = ParseExposition("x{ a = \"1\" ,\tb\t=\t\"2\"\t, } 3\ny{a=\"1\" } 4\nz{ } 5\n");
  ASSERT_TRUE(result.ok()) << result.status().message();
  const ParsedSample& x = result->exposition.Find("x")->samples[0];
  ASSERT_EQ(x.labels.size(), 2u);
  EXPECT_EQ(x.LabelValue("a"), "1");
  EXPECT_EQ(x.LabelValue("b"), "2");
  EXPECT_EQ(x.value, 3);
  EXPECT_EQ(result->exposition.Find("y")->samples[0].LabelValue("a"), "1");
  EXPECT_TRUE(result->exposition.Find("z")->samples[0].labels.empty());
}

struct MalformedCase {
  const char* text;
  const char* expected;  // part of the error
};

class MalformedInput : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedInput, FailsWithTheLineNumber) {
  StatusOr<ParseResult> result = ParseExposition(GetParam().text);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find(GetParam().expected), std::string::npos)
      << result.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MalformedInput,
    ::testing::Values(
        MalformedCase{"ok 1\nbad{a=\"1\" 2\n", "line 2: expected ',' or '}'"},
        MalformedCase{"ok 1\n\nbad{a=\"1} 2\n", "line 3: unterminated label value"},
        // The value's scan loads past its line: a quote on the next line does not close it.
        MalformedCase{"bad{a=\"1} 2\nok{b=\"2\"} 3\n", "line 1: unterminated label value"},
        MalformedCase{"bad{a=\"12345678901234567890} 2\nok{b=\"2\"} 3\n", "line 1: unterminated label value"},
        MalformedCase{"x{a:b=\"c\"} 1\n", "line 1: expected '=' after a label name"},
        MalformedCase{"x{:a=\"c\"} 1\n", "line 1: invalid label name"},
        MalformedCase{"x{a=\"1\" b=\"2\"} 1\n", "line 1: expected ',' or '}'"},
        MalformedCase{"x{a=1} 2\n", "line 1: expected '\"' to open a label value"},
        MalformedCase{"x 12abc\n", "line 1: invalid value"},
        MalformedCase{"x\n", "line 1: expected a value"},
        MalformedCase{"x 1 2 3\n", "line 1: unexpected text after the sample"},
        MalformedCase{"x 1 1.5\n", "line 1: invalid timestamp"},
        MalformedCase{"9x 1\n", "line 1: invalid metric name"},
        MalformedCase{"x{9a=\"b\"} 1\n", "line 1: invalid label name"},
        MalformedCase{"x{a=\"b\",a=\"c\"} 1\n", "line 1: duplicate label a"},
        MalformedCase{"x{a=\"\\q\"} 1\n", "line 1: invalid escape"},
        MalformedCase{"# TYPE x countr\n", "line 1: unknown metric type"},
        MalformedCase{"x 1\n# TYPE x counter\n", "line 2: TYPE line after samples"},
        MalformedCase{"# TYPE x gauge\n# TYPE x counter\n", "line 2: second TYPE line with a different type"},
        MalformedCase{"# TYPE h histogram\nh_bucket{le=\"x\"} 1\n", "line 2: histogram bucket without a valid \"le\""},
        MalformedCase{"# TYPE h histogram\nh_bucket 1\n", "line 2: histogram bucket without a valid \"le\""},
        MalformedCase{"# TYPE s summary\ns 1\n", "line 2: summary sample without a valid \"quantile\""},
        MalformedCase{"<html>\x01\x02 not { prometheus\n", "line 1: invalid metric name"},
        MalformedCase{"x{a=\"unterminated", "line 1: unterminated label value"},
        // Names stay ASCII: a UTF-8 or invalid byte in one is a syntax error, not a repair.
        MalformedCase{"\xC3\xA9x 1\n", "line 1: invalid metric name"},
        MalformedCase{"x\xFF 1\n", "line 1: expected a value after the name"},
        MalformedCase{"x{\xC3\xA9=\"b\"} 1\n", "line 1: invalid label name"},
        MalformedCase{"x{a\xFF=\"b\"} 1\n", "line 1: expected '=' after a label name"},
        MalformedCase{"# TYPE x\xFF gauge\n", "line 1: invalid metric name"}));

TEST(ExpositionParser, EnforcesItsLimits) {
  ParseLimits limits;
  limits.max_samples = 2;
  EXPECT_TRUE(ParseExposition("a 1\nb 2\n", limits).ok());
  StatusOr<ParseResult> too_many = ParseExposition("a 1\nb 2\nc 3\n", limits);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.status().message().find("line 3: more than 2 samples"), std::string::npos);

  limits = ParseLimits{};
  limits.max_labels_per_sample = 1;
  EXPECT_FALSE(ParseExposition("a{x=\"1\",y=\"2\"} 1\n", limits).ok());
  limits = ParseLimits{};
  limits.max_label_value_bytes = 3;
  EXPECT_FALSE(ParseExposition("a{x=\"1234\"} 1\n", limits).ok());
}

TEST(ExpositionParser, KeepsTheLastOfDuplicateSeries) {
  StatusOr<ParseResult> result = ParseExposition("a{x=\"1\"} 1\na{x=\"1\"} 2\n");
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->exposition.Find("a")->samples.size(), 1u);
  EXPECT_EQ(result->exposition.Find("a")->samples[0].value, 2);
  ASSERT_EQ(result->warnings.size(), 1u);
  EXPECT_EQ(result->warnings[0].line, 2u);
}

TEST(ExpositionParser, MergesAFamilyExposedTwice) {
  // TiKV issue 12670: /metrics returned its whole output twice.
  const std::string once = "# HELP a A.\n# TYPE a counter\na{x=\"1\"} 1\n# TYPE b gauge\nb 2\n";
  StatusOr<ParseResult> result = ParseExposition(once + once);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->exposition.families().size(), 2u);
  EXPECT_EQ(result->exposition.SampleCount(), 2u);
  EXPECT_FALSE(result->warnings.empty());
}

TEST(ExpositionParser, ReplacesInvalidUtf8InLabelValuesAndHelpWithAWarningPerLine) {
  const std::string r = std::string(kReplacementCharacter);
  std::string text = "# HELP tikv_server_info Bad \xFF help.\n# TYPE tikv_server_info gauge\n";
  // A byte that is never UTF-8, an overlong NUL, a lone surrogate (U+D800), on lines 3 to 5.
  const std::pair<const char*, const char*> versions[] = {{"a", "\xFF"}, {"b", "\xC0\x80"}, {"c", "v\xED\xA0\x80"}};
  for (const auto& [hash, version] : versions) {
    text += "tikv_server_info{hash=\"" + std::string(hash) + "\",version=\"" + version + "\"} 1\n";
  }
  text += "tikv_ok{zone=\"\xE6\x97\xA5\",escaped=\"\\\\\xF0\x9F\x98\x80\"} 1\n";
  StatusOr<ParseResult> result = ParseExposition(text);
  ASSERT_TRUE(result.ok()) << result.status().message();
  const ParsedFamily* info = result->exposition.Find("tikv_server_info");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->help, "Bad " + r + " help.");
  ASSERT_EQ(info->samples.size(), 3u);
  EXPECT_EQ(info->samples[0].LabelValue("version"), r);
  EXPECT_EQ(info->samples[1].LabelValue("version"), r + r);  // an overlong NUL: two subparts
  EXPECT_EQ(info->samples[2].LabelValue("version"), "v" + r + r + r);  // a lone surrogate
  EXPECT_EQ(info->samples[2].LabelValue("hash"), "c");
  // Valid UTF-8 (a CJK character, an emoji after an escape) is kept as it is, without a warning.
  EXPECT_EQ(result->exposition.Find("tikv_ok")->samples[0].LabelValue("zone"), "\xE6\x97\xA5");
  EXPECT_EQ(result->exposition.Find("tikv_ok")->samples[0].LabelValue("escaped"), "\\\xF0\x9F\x98\x80");
  ASSERT_EQ(result->warnings.size(), 4u);
  const size_t lines[] = {1, 3, 4, 5};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(result->warnings[i].line, lines[i]);
    EXPECT_NE(result->warnings[i].message.find("invalid UTF-8"), std::string::npos);
    EXPECT_NE(result->warnings[i].message.find("U+FFFD"), std::string::npos);
  }
  EXPECT_NE(result->warnings[0].message.find("HELP text of tikv_server_info"), std::string::npos);
  EXPECT_NE(result->warnings[1].message.find("label version"), std::string::npos);
  EXPECT_TRUE(IsValidUtf8(WriteExposition(result->exposition.ToExposition())));
}

// A body is checked for UTF-8 once up to its first non-ASCII byte; label values after that byte
// are checked one by one, however long the ASCII run before it.
TEST(ExpositionParser, RepairsInvalidUtf8AfterALongAsciiRun) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "tikv_ascii{i=\"" + std::to_string(i) + "\"} 1\n";
  text += "tikv_late{zone=\"\xE6\x97\xA5\",bad=\"ab\xFF\"} 1\ntikv_last{v=\"\xC3\"} 2";
  StatusOr<ParseResult> result = ParseExposition(text);
  ASSERT_TRUE(result.ok()) << result.status().message();
  const std::string r = std::string(kReplacementCharacter);
  const ParsedSample& late = result->exposition.Find("tikv_late")->samples[0];
  EXPECT_EQ(late.LabelValue("zone"), "\xE6\x97\xA5");
  EXPECT_EQ(late.LabelValue("bad"), "ab" + r);
  EXPECT_EQ(result->exposition.Find("tikv_last")->samples[0].LabelValue("v"), r) << "a cut sequence at the end";
  EXPECT_EQ(result->exposition.Find("tikv_ascii")->samples.size(), 500u);
}

// Series told apart by one byte anywhere in a label of any length are distinct; the same labels
// in another order are the same series.
TEST(ExpositionParser, TellsApartSeriesThatDifferInOneByte) {
  std::string text;
  std::set<std::string> distinct;
  size_t lines = 0;
  for (size_t length = 1; length <= 20; ++length) {
    for (size_t at : {size_t{0}, length / 2, length - 1}) {
      std::string value(length, 'a');
      value[at] = 'b';
      for (const std::string& v : {value, std::string(length, 'a')}) {
        const std::string labels = "{n=\"" + std::to_string(length) + "\",v=\"" + v + "\"}";
        text += "tikv_x" + labels + " 1\n";
        distinct.insert(labels);
        ++lines;
      }
    }
  }
  StatusOr<ParseResult> result = ParseExposition(text);
  ASSERT_TRUE(result.ok()) << result.status().message();
  size_t repeats = 0;
  for (const ParseWarning& warning : result->warnings) repeats += warning.message.starts_with("duplicate series");
  EXPECT_EQ(result->exposition.Find("tikv_x")->samples.size(), distinct.size());
  EXPECT_EQ(repeats, lines - distinct.size());

  StatusOr<ParseResult> reordered = ParseExposition("tikv_y{a=\"1\",bb=\"22\"} 1\ntikv_y{bb=\"22\",a=\"1\"} 2\n");
  ASSERT_TRUE(reordered.ok());
  EXPECT_EQ(reordered->exposition.Find("tikv_y")->samples.size(), 1u);
  EXPECT_EQ(reordered->exposition.Find("tikv_y")->samples[0].value, 2);
}

// Bucket bounds already found valid are remembered, but a new bound is always read.
TEST(ExpositionParser, ChecksEveryNewBucketBound) {
  std::string text = "# TYPE h histogram\n";
  for (int series = 0; series < 50; ++series) {
    for (const char* le : {"0.005", "0.01", "+Inf"}) {
      text += "h_bucket{s=\"" + std::to_string(series) + "\",le=\"" + le + "\"} 1\n";
    }
  }
  EXPECT_TRUE(ParseExposition(text).ok());
  for (const char* bad : {"0.005x", "0.0051.", "0.01 ", "Inff", ""}) {
    StatusOr<ParseResult> result = ParseExposition(text + "h_bucket{s=\"x\",le=\"" + bad + "\"} 1\n");
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_NE(result.status().message().find("line 152: histogram bucket without a valid \"le\""), std::string::npos)
        << result.status().message();
  }
}

// Names and label values are scanned sixteen bytes at a time: every length around those steps,
// and a quote, an escape or a byte that ends a name at every position, read as a byte-wise scan
// would.
TEST(ExpositionParser, ScansNamesAndValuesOfEveryLengthAroundItsSteps) {
  for (size_t length = 1; length <= 40; ++length) {
    std::string name = "n";
    for (size_t i = 1; i < length; ++i) name += "aZ9_:"[i % 5];
    std::string value(length, 'v');
    value[length / 2] = '"';  // escaped below
    std::string escaped;
    for (char c : value) escaped += c == '"' ? std::string("\\\"") : std::string(1, c);
    StatusOr<ParseResult> result = ParseExposition(name + "{label=\"" + escaped + "\"} 7\n" + name + "_plain 8\n");
    ASSERT_TRUE(result.ok()) << length << ": " << result.status().message();
    const ParsedFamily* family = result->exposition.Find(name);
    ASSERT_NE(family, nullptr) << name;
    EXPECT_EQ(family->samples[0].LabelValue("label"), value) << length;
    EXPECT_EQ(result->exposition.Find(name + "_plain")->samples[0].value, 8);
    for (size_t at = 1; at < length; ++at) {
      std::string broken = name;
      broken[at] = '-';  // ends the name: what follows is no value
      EXPECT_FALSE(ParseExposition(broken + " 1\n").ok()) << broken;
      broken[at] = static_cast<char>(0xC3);
      EXPECT_FALSE(ParseExposition(broken + " 1\n").ok()) << length << " at " << at;
    }
  }
}

TEST(ExpositionParser, ErrorSnippetsAreValidUtf8) {
  StatusOr<ParseResult> result = ParseExposition("ok 1\n\xFF\xC0\x80 bad\n");
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(IsValidUtf8(result.status().message())) << result.status().message();
  EXPECT_NE(result.status().message().find("line 2: invalid metric name"), std::string::npos);
}

TEST(ExpositionWriter, RoundTripsTheV53Dump) {
  StatusOr<ParseResult> first = ParseExposition(ReadFile(Fixture("tikv-v5.3.0-alpha-metrics.prom")));
  ASSERT_TRUE(first.ok());
  std::string written = WriteExposition(first->exposition.ToExposition());
  StatusOr<ParseResult> second = ParseExposition(written);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(WriteExposition(second->exposition.ToExposition()), written);
  EXPECT_EQ(second->exposition.SampleCount(), 15759u);
}

}  // namespace
}  // namespace tikv_exporter
