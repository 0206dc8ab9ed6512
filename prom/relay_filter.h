#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "prom/exposition.h"
#include "prom/parsed_exposition.h"

namespace tikv_exporter {

// Which raw TiKV series the exporter re-exposes on its own /metrics ([collectors.tikv] relay,
// relay_drop, relay_drop_labels), so Prometheus need not scrape TiKV itself.
struct RelayRules {
  std::vector<std::string> keep;         // family-name globs (* and ?); empty = relay nothing
  std::vector<std::string> drop;         // family-name globs removed from what `keep` selected
  std::vector<std::string> drop_labels;  // label names removed from every relayed sample

  bool enabled() const { return !keep.empty(); }
};

// Shell-style glob: '*' any run of characters, '?' one character.
bool GlobMatch(std::string_view pattern, std::string_view text);

// The families of `scrape` that the rules select, with the dropped labels removed. Samples that
// become identical once labels are dropped are summed (as PromQL's `sum without (label)`), which
// keeps counters, gauges and histogram buckets meaningful. Pure function; thread-safe.
Exposition FilterForRelay(const ParsedExposition& scrape, const RelayRules& rules);

}  // namespace tikv_exporter
