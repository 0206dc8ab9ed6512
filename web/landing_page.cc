#include "web/landing_page.h"

#include <fmt/format.h>

#include "web/status_page.h"

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
  std::string page = fmt::format(
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>tikv-exporter — {}</title>"
      "<meta name=\"viewport\" content=\"width=device-width\"></head><body>\n"
      "<header><h1>tikv-exporter {}</h1><span class=\"where\">watching TiKV at {} · revision {}</span>\n<nav>"
      "<a href=\"/metrics\">/metrics</a> <a href=\"/api/v1/snapshot\">/api/v1/snapshot</a> "
      "<a href=\"/api/v1/snapshots\">/api/v1/snapshots</a> <a href=\"/api/v1/cluster\">/api/v1/cluster</a> "
      "<a href=\"/api/v1/rocksdb\">/api/v1/rocksdb</a> <a href=\"/api/v1/health\">/api/v1/health</a> "
      "<a href=\"/-/healthy\">/-/healthy</a> "
      "<a href=\"/-/ready\">/-/ready</a></nav></header>\n<main>\n",
      HtmlEscape(tikv_address), HtmlEscape(version), HtmlEscape(tikv_address), HtmlEscape(revision));
  page += StatusPageAssets();
  page += "<details><summary>The snapshot in words, as of this page's load</summary><pre id=\"snapshot\">";
  page += HtmlEscape(DescribeSnapshot(snapshot));
  page += "</pre></details>\n</main></body></html>\n";
  return page;
}

}  // namespace tikv_exporter
