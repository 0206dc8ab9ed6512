#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "prom/exposition.h"
#include "prom/exposition_parser.h"
#include "prom/exposition_writer.h"
#include "prom/family_builder.h"

namespace tikv_exporter::testing {

// Checks for the series a source adds to a `Families` builder (tests/unit/*_metrics_test.cc).

// One series as a string: `name{a="1",b="2"}` with the labels sorted by name (raw values, no
// escaping), so that two samples of the same series give the same key whatever their label order.
inline std::string SeriesKey(const Sample& sample) {
  std::vector<Label> labels = sample.labels;
  std::sort(labels.begin(), labels.end(),
            [](const Label& a, const Label& b) { return a.name < b.name; });
  std::string key = sample.name + "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    key += (i > 0 ? "," : "") + labels[i].name + "=\"" + labels[i].value + "\"";
  }
  return key + "}";
}

// Series key (as SeriesKey writes it) -> value.
using Series = std::map<std::string, double>;

// Every series of the named families (their _sum/_count samples included) with its value; a
// family that is absent or has no samples adds nothing.
inline Series SeriesOf(const Families& families, const std::vector<std::string_view>& names) {
  Series series;
  for (std::string_view name : names) {
    if (const MetricFamily* found = families.exposition().Find(name)) {
      for (const Sample& sample : found->samples) series[SeriesKey(sample)] = sample.value;
    }
  }
  return series;
}

// The names of the families that have at least one sample (those WriteExposition writes).
inline std::vector<std::string> WrittenFamilies(const Families& families) {
  std::vector<std::string> names;
  for (const MetricFamily& family : families.exposition().families()) {
    if (!family.samples.empty()) names.push_back(family.name);
  }
  return names;
}

// Every series of every family.
inline Series AllSeries(const Families& families) {
  const std::vector<std::string> names = WrittenFamilies(families);
  return SeriesOf(families, std::vector<std::string_view>(names.begin(), names.end()));
}

// The value of the series `key` (as SeriesKey writes it) in family `family`, or nullopt.
inline std::optional<double> ValueOf(const Families& families, std::string_view family,
                                     const std::string& key) {
  Series series = SeriesOf(families, {family});
  auto it = series.find(key);
  return it == series.end() ? std::nullopt : std::optional<double>(it->second);
}

// Runs `promtool check metrics` on `text`; returns its exit code (-1 when it could not run) and
// fills `output` with what it printed on stdout and stderr.
inline int PromtoolCheckMetrics(const std::string& text, std::string* output) {
  std::string path = (std::filesystem::temp_directory_path() / "metrics_test_XXXXXX").string();
  const int fd = mkstemp(path.data());
  if (fd < 0) return -1;
  const bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  int code = -1;
  if (written) {
    FILE* promtool = popen(("promtool check metrics < '" + path + "' 2>&1").c_str(), "r");
    if (promtool != nullptr) {
      char chunk[4096];
      for (size_t n; (n = fread(chunk, 1, sizeof(chunk), promtool)) > 0;) output->append(chunk, n);
      const int status = pclose(promtool);
      code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
  }
  std::filesystem::remove(path);
  return code;
}

// The written exposition of `families` passes `promtool check metrics` without a word and, read
// back, holds no series twice. Returns the text.
inline std::string ExpectWellFormed(const Families& families) {
  const std::string text = WriteExposition(families.exposition());
  EXPECT_FALSE(text.empty());
  std::string output;
  EXPECT_EQ(PromtoolCheckMetrics(text, &output), 0) << output << "\n" << text;
  EXPECT_EQ(output, "") << text;

  std::map<std::string, int> seen;
  for (const MetricFamily& family : families.exposition().families()) {
    for (const Sample& sample : family.samples) ++seen[SeriesKey(sample)];
  }
  for (const auto& [key, count] : seen)
    EXPECT_EQ(count, 1) << key << " is added " << count << " times";
  // Read back, the text holds every sample once: the parser warns about (and drops) a repeat.
  StatusOr<ParseResult> parsed = ParseExposition(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  if (!parsed.ok()) return text;
  for (const ParseWarning& warning : parsed->warnings)
    ADD_FAILURE() << "line " << warning.line << ": " << warning.message;
  EXPECT_EQ(parsed->exposition.SampleCount(), families.exposition().SampleCount());
  return text;
}

}  // namespace tikv_exporter::testing
