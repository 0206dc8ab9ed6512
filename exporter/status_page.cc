#include "exporter/status_page.h"

#include "exporter/status_page_scripts.h"

namespace tikv_exporter {
namespace {

constexpr const char* kStyle = R"CSS(<style>
:root{--ok:#15803d;--warning:#b45309;--critical:#b91c1c;--muted:#6b7280;--line:#e5e7eb;--card:#fff}
*{box-sizing:border-box}[hidden]{display:none!important}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#111827;background:#f3f4f6}
header{background:#111827;color:#f9fafb;padding:.7em 1.5em;display:flex;flex-wrap:wrap;align-items:baseline;gap:.4em 1.2em}
header h1{font-size:1.15em;margin:0}header .where{color:#d1d5db}
header nav{margin-left:auto;display:flex;gap:1em}header a{color:#93c5fd;text-decoration:none}
main{padding:1em 1.5em;max-width:1500px;margin:0 auto}
h2{font-size:1em;margin:1.4em 0 .5em;text-transform:uppercase;letter-spacing:.05em;color:#374151}
h2 small{text-transform:none;letter-spacing:0;font-weight:400;color:var(--muted);margin-left:.6em}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px}
#verdict{display:flex;flex-direction:column;gap:.8em;padding:1em 1.2em;border-left:8px solid var(--muted)}
#verdict[data-level=ok]{border-left-color:var(--ok)}#verdict[data-level=warning]{border-left-color:var(--warning);background:#fffbeb}
#verdict[data-level=critical]{border-left-color:var(--critical);background:#fef2f2}
.verdict-head{display:flex;gap:1.2em;align-items:center}
#verdict-badge{font-size:1.6em;font-weight:800;letter-spacing:.06em;color:#fff;background:var(--muted);border-radius:8px;padding:.35em .8em;min-width:7.5em;text-align:center}
#verdict[data-level=ok] #verdict-badge{background:var(--ok)}#verdict[data-level=warning] #verdict-badge{background:var(--warning)}
#verdict[data-level=critical] #verdict-badge{background:var(--critical)}
#verdict-title{font-size:1.25em;font-weight:700}#verdict-title small{font-size:.65em;font-weight:400;color:var(--muted);margin-left:.8em}
#verdict-reasons{margin:.2em 0 0;padding-left:1.2em}#verdict-reasons li{margin:.1em 0}
.quiet{color:var(--muted)}
.chips{display:flex;flex-wrap:wrap;gap:.35em}
.chip{font-size:.8em;padding:.15em .6em;border-radius:999px;border:1px solid;cursor:default}
.chip.ok{color:var(--ok);border-color:#86efac;background:#f0fdf4}
.chip.warning{color:#fff;border-color:var(--warning);background:var(--warning)}
.chip.critical{color:#fff;border-color:var(--critical);background:var(--critical)}
.chip.no_data,.chip.unknown{color:#9ca3af;border-color:#e5e7eb;background:#f9fafb}
#sources{display:flex;gap:.5em;flex-wrap:wrap;margin:.8em 0}
.source{padding:.3em .8em;border-radius:6px;color:#fff;font-size:.9em}
.source.up{background:var(--ok)}.source.down{background:var(--critical)}
.source small{margin-left:.6em;opacity:.9}
table{width:100%;border-collapse:collapse}
th{text-align:left;font-weight:600;color:var(--muted);font-size:.8em;text-transform:uppercase;padding:.5em .7em;border-bottom:1px solid var(--line)}
td{padding:.45em .7em;border-bottom:1px solid var(--line);vertical-align:middle}
tr:last-child td{border-bottom:0}
td small{display:block;color:var(--muted);font-size:.8em}
.num{text-align:right;font-variant-numeric:tabular-nums}
tr.local{background:#eff6ff}tr.local td:first-child{box-shadow:inset 4px 0 #2563eb}
.tag{display:inline-block;margin-left:.5em;font-size:.75em;padding:0 .45em;border-radius:4px;background:#2563eb;color:#fff;vertical-align:1px}
.tag.engine{background:#7c3aed}.tag.warn{background:var(--warning)}
.state{font-size:.8em;font-weight:600;padding:.1em .55em;border-radius:4px;color:#fff}
.state.ok{background:var(--ok)}.state.warning{background:var(--warning)}.state.critical{background:var(--critical)}
.critical-text{color:var(--critical);font-weight:700}
td.used{min-width:220px}
.bar{display:inline-block;width:120px;height:10px;background:#e5e7eb;border-radius:5px;overflow:hidden;vertical-align:middle}
.bar .fill{height:100%;background:#2563eb}.bar.warning .fill{background:var(--warning)}.bar.critical .fill{background:var(--critical)}
.pct{margin-left:.6em;font-variant-numeric:tabular-nums}
td.level b{font-weight:600}td.empty{color:#d1d5db}td.sum{background:#f9fafb}
.table-card{padding:.2em .4em;overflow-x:auto}
#cluster-left-out:empty{display:none}#cluster-left-out{margin:.5em .7em;color:var(--muted)}
#charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:1em;align-items:start}
figure{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.7em .8em;position:relative}
figcaption{font-weight:600;margin-bottom:.2em}
figure svg{width:100%;height:auto;display:block;cursor:crosshair}
svg .grid{stroke:#eef0f3}svg .axis{stroke:#9ca3af}
svg text{font-size:11px;fill:#6b7280;font-family:inherit}
svg .ylabel{text-anchor:end;dominant-baseline:middle}
svg .empty{text-anchor:middle;font-size:13px}
svg .crosshair{stroke:#111827;stroke-width:1;stroke-dasharray:3 3}
.legend{display:flex;flex-wrap:wrap;gap:.2em 1em;font-size:.85em}
.legend i,.readout i{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.35em;vertical-align:-1px}
.readout{position:absolute;top:2.4em;background:rgba(17,24,39,.92);color:#f9fafb;border-radius:6px;padding:.4em .6em;font-size:.8em;pointer-events:none;min-width:10em}
.readout[data-visible=false]{display:none}
.readout .when{font-weight:700;margin-bottom:.2em}.readout b{float:right;margin-left:1em;font-variant-numeric:tabular-nums}
details{margin:1.5em 0}summary{cursor:pointer;color:var(--muted)}
pre{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.8em;white-space:pre-wrap}
</style>
)CSS";

constexpr const char* kSkeleton = R"HTML(
<section id="verdict" class="card" data-level="none" hidden>
  <div class="verdict-head"><div id="verdict-badge"></div>
    <div><div id="verdict-title"></div><ul id="verdict-reasons"></ul></div></div>
  <div id="verdict-checks" class="chips"></div>
</section>
<div id="sources" data-state="unknown">waiting for the first snapshot…</div>
<section id="cluster" hidden><h2>Cluster (PD)<small id="cluster-meta"></small></h2>
  <div class="card table-card"><table><thead><tr><th class="num">store</th><th>address</th><th>state</th>
    <th>capacity used</th><th class="num">regions</th><th class="num">leaders</th><th class="num">slow score</th>
    <th class="num">heartbeat</th></tr></thead><tbody id="cluster-rows"></tbody></table>
  <p id="cluster-left-out"></p></div>
</section>
<section id="levels" hidden><h2>RocksDB levels<small id="levels-meta"></small></h2>
  <div class="card table-card"><table><thead id="levels-head"></thead><tbody id="levels-rows"></tbody></table></div>
</section>
<h2>Trends<small>hover a chart for the values at that moment</small></h2>
<div id="charts"></div>
)HTML";

// The refresh loop and the charts' definitions; uses the helpers, panels and charts above it.
constexpr const char* kMain = R"JS(
const MAX_POINTS = 720;
const PANELS_EVERY_MS = 5000;
const state = {since: 0, snapshots: [], updates: 0, panelsAt: 0};
const CHARTS = [
  {id: "qps", title: "Requests by type", unit: "rate",
   series: s => Object.entries(s.qps_by_type || {})},
  {id: "latency", title: "Request latency", unit: "ms",
   series: s => s.latency_ms ? [["avg", s.latency_ms.avg], ["p99", s.latency_ms.p99]] : []},
  {id: "raft", title: "Raft write path p99 by stage", unit: "ms", empty: "this TiKV exports no raft write-path histograms",
   series: s => Object.entries(s.raft_write_p99_seconds || {}).map(([k, v]) => [k.replaceAll("_", " "), v * 1000])},
  {id: "pools", title: "Thread-pool busy (CPU per thread)", unit: "ratio", minMax: 1,
   empty: "this TiKV exports no thread CPU",
   series: s => Object.entries(s.thread_pool_cpu || {}).map(([k, v]) => [k, v.share_of_threads])},
  {id: "headroom", title: "Disk headroom before TiKV refuses writes", unit: "bytes", empty: "no disk capacity from TiKV",
   series: s => s.disk_headroom ? [["headroom", s.disk_headroom.bytes_before_write_refusal],
                                   ["reserve", s.disk_headroom.reserve_bytes]] : []},
  {id: "storage", title: "Storage", unit: "bytes",
   series: s => s.storage_size ? [["used", s.storage_size.used_bytes], ["capacity", s.storage_size.capacity_bytes],
                                  ["available", s.storage_size.available_bytes]] : []},
  {id: "compaction", title: "Pending compaction", unit: "bytes",
   series: s => isNum(s.compaction_pending_bytes) ? [["pending", s.compaction_pending_bytes]] : []},
  {id: "cache", title: "Block-cache hit ratio (kv)", unit: "ratio", minMax: 1,
   series: s => Object.entries(((s.block_cache_hit_ratio || {}).kv) || {})},
];

async function fetchJson(path) {
  const response = await fetch(path);
  return response.ok ? response.json() : null;
}

async function updatePanels(now) {
  const [cluster, rocksdb] = await Promise.all([fetchJson("/api/v1/cluster").catch(() => null),
                                                fetchJson("/api/v1/rocksdb").catch(() => null)]);
  renderCluster(cluster, now);
  renderLevels(rocksdb);
}

// A synthetic hover for tests and screenshots: "#hover=<chart>@<fraction of the plot width>".
function replayHover() {
  const m = /^#hover=([a-z]+)@([0-9.]+)$/.exec(location.hash);
  const chart = m && charts.get(m[1]);
  if (!chart || !chart.data || !chart.data.series.length) return;
  const rect = chart.svg.getBoundingClientRect();
  const x = rect.left + (ML + Math.min(1, Number(m[2])) * PW) / W * rect.width;
  chart.svg.dispatchEvent(new MouseEvent("mousemove", {clientX: x, clientY: rect.top + rect.height / 2, bubbles: true}));
}

async function update() {
  try {
    // Pages of at most 1000 snapshots: follow next_since until the newest.
    let body;
    do {
      body = await fetchJson("/api/v1/snapshots?limit=1000&since=" + state.since);
      for (const s of (body && body.snapshots) || []) {
        state.snapshots.push(s);
        state.since = s.timestamp_ms;
      }
    } while (body && body.next_since !== undefined);
    if (state.snapshots.length > MAX_POINTS) state.snapshots.splice(0, state.snapshots.length - MAX_POINTS);
    const latest = state.snapshots[state.snapshots.length - 1];
    if (latest) {
      renderVerdict(latest.health, latest.timestamp_ms);
      renderSources(latest.sources);
    }
    for (const spec of CHARTS) renderChart(spec, state.snapshots);
    drawHover();
    replayHover();
    const now = Date.now();
    if (now - state.panelsAt >= PANELS_EVERY_MS) {
      state.panelsAt = now;
      await updatePanels(now);
    }
    state.updates++;
    document.body.setAttribute("data-updates", String(state.updates));
  } catch (e) {
    const strip = $("sources");
    strip.textContent = "the exporter does not answer: " + e;
    strip.setAttribute("data-state", "red");
  }
}
update();
setInterval(update, 1000);
)JS";

}  // namespace

const std::string& StatusPageAssets() {
  static const std::string kAssets = std::string(kStyle) + kSkeleton + "<script>\n\"use strict\";" +
                                     StatusHelpersScript() + StatusPanelsScript() + StatusChartsScript() + kMain +
                                     "</script>\n";
  return kAssets;
}

}  // namespace tikv_exporter
