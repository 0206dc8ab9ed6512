#include "web/landing_page.h"

#include <fmt/format.h>

#include <string_view>
#include <utility>

#include "web/status_page.h"
#include "web/web_assets.h"

namespace tikv_exporter {
namespace {

std::string HtmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string Bytes(double bytes) {
  constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  size_t unit = 0;
  while (bytes >= 1024 && unit + 1 < std::size(kUnits)) {
    bytes /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

std::string Ms(const std::optional<double>& seconds) {
  return seconds ? fmt::format("{:.2f} ms", *seconds * 1000) : "n/a";
}

}  // namespace

std::string DescribeSnapshot(const Snapshot& s) {
  std::string text;
  if (!s.health.checks.empty()) {
    text += fmt::format("Verdict: {}.\n", NameOf(kHealthLevelNames, s.health.level));
    for (const std::string& reason : s.health.Reasons()) text += fmt::format("  - {}\n", reason);
  }
  for (const auto& [source, health] : s.sources) {
    text += health.up ? fmt::format("Source {} is up.\n", SourceName(source))
                      : fmt::format("Source {} is DOWN: {}\n", SourceName(source), health.last_error);
  }
  if (!s.tikv_version.empty()) text += fmt::format("TiKV version {}.\n", s.tikv_version);
  if (s.qps && s.window_seconds) {
    text += fmt::format("Over the last {:.1f} s TiKV served {:.1f} requests/s; latency average {}, "
                        "p50 {}, p95 {}, p99 {}.\n",
                        *s.window_seconds, *s.qps, Ms(s.latency_average_seconds),
                        Ms(s.latency_seconds.p50), Ms(s.latency_seconds.p95),
                        Ms(s.latency_seconds.p99));
  } else if (s.storage.capacity_bytes) {
    text += "Rates need two successful polls: QPS and latency appear after the next poll.\n";
  }
  const StorageSize& st = s.storage;
  if (st.capacity_bytes && st.available_bytes) {
    text += fmt::format("Storage: {} available of {} ({:.1f}% free)", Bytes(*st.available_bytes),
                        Bytes(*st.capacity_bytes),
                        *st.capacity_bytes > 0 ? 100.0 * *st.available_bytes / *st.capacity_bytes : 0.0);
    if (st.used_bytes) text += fmt::format(", {} used (from {})", Bytes(*st.used_bytes), st.used_source);
    text += ".\n";
  }
  if (auto pending = s.TotalCompactionPendingBytes()) {
    text += fmt::format("Pending compaction: {}.\n", Bytes(*pending));
  }
  auto source = [&](const char* signal) {
    auto it = s.signal_sources.find(signal);
    return it == s.signal_sources.end() ? std::string("tikv") : it->second;
  };
  for (const auto& [db, blocks] : s.block_cache_hit_ratio) {
    auto all = blocks.find("all");
    if (all != blocks.end()) {
      text += fmt::format("Block cache hit ratio ({}): {:.1f}% (from {}).\n", db, all->second * 100,
                          db == "kv" ? source("block_cache") : "tikv");
    }
  }
  for (const auto& [db, seconds] : s.write_stall_seconds) {
    if (seconds > 0) text += fmt::format("Writes stalled for {:.3f} s in the window ({}).\n", seconds, db);
  }
  return text;
}

std::string RenderLandingPage(const Snapshot& snapshot, const std::string& version, const std::string& revision,
                              const std::string& tikv_address) {
  // web/assets/landing.html with its {{name}} places filled; every value but the status page's
  // own assets is escaped.
  const std::pair<std::string_view, std::string> values[] = {
      {"tikv_address", HtmlEscape(tikv_address)},
      {"version", HtmlEscape(version)},
      {"revision", HtmlEscape(revision)},
      {"status_page", StatusPageAssets()},
      {"snapshot_in_words", HtmlEscape(DescribeSnapshot(snapshot))},
  };
  const std::string_view shell = web_assets::kLandingHtml;
  std::string page;
  size_t at = 0;
  while (true) {
    const size_t open = shell.find("{{", at);
    page.append(shell.substr(at, open == std::string_view::npos ? std::string_view::npos : open - at));
    if (open == std::string_view::npos) break;
    const size_t close = shell.find("}}", open);
    if (close == std::string_view::npos) {
      page.append(shell.substr(open));
      break;
    }
    const std::string_view name = shell.substr(open + 2, close - open - 2);
    for (const auto& [place, value] : values) {
      if (place == name) page += value;
    }
    at = close + 2;
  }
  return page;
}

}  // namespace tikv_exporter
