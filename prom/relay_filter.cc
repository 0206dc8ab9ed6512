#include "prom/relay_filter.h"

#include <algorithm>
#include <map>

namespace tikv_exporter {
namespace {

bool AnyMatch(const std::vector<std::string>& patterns, std::string_view name) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& pattern) { return GlobMatch(pattern, name); });
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point: linear in practice, no recursion depth.
  size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Exposition FilterForRelay(const ParsedExposition& scrape, const RelayRules& rules) {
  Exposition relayed;
  if (!rules.enabled()) return relayed;
  for (const ParsedFamily& family : scrape.families()) {
    if (!AnyMatch(rules.keep, family.name) || AnyMatch(rules.drop, family.name)) continue;
    MetricFamily& out = relayed.FindOrAdd(family.name);
    out.type = family.type;
    out.help = std::string(family.help);
    // Series made identical by the dropped labels are summed, in first-seen order.
    std::map<std::string, size_t> index;
    for (const ParsedSample& sample : family.samples) {
      Sample kept{std::string(sample.name), {}, sample.value, sample.timestamp_ms};
      for (const LabelView& label : sample.labels) {
        if (std::find(rules.drop_labels.begin(), rules.drop_labels.end(), label.name) == rules.drop_labels.end()) {
          kept.labels.push_back({std::string(label.name), std::string(label.value)});
        }
      }
      if (rules.drop_labels.empty()) {  // nothing can become identical
        out.samples.push_back(std::move(kept));
        continue;
      }
      std::string key = kept.name;
      for (const Label& label : kept.labels) key += '\xff' + label.name + '\xfe' + label.value;
      auto [it, inserted] = index.try_emplace(key, out.samples.size());
      if (inserted) {
        out.samples.push_back(std::move(kept));
      } else {
        out.samples[it->second].value += kept.value;
      }
    }
  }
  return relayed;
}

}  // namespace tikv_exporter
