#include "exporter/status_page.h"

namespace tikv_exporter {

const std::string& StatusPageAssets() {
  static const std::string kAssets = R"PAGE(<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
#health{display:flex;gap:.6em;flex-wrap:wrap;margin:.8em 0}
.source{padding:.4em .8em;border-radius:.4em;color:#fff;font-weight:600}
.source.up{background:#2e7d32}.source.down{background:#c62828}
.source small{display:block;font-weight:400;opacity:.9}
#charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:1em}
figure{margin:0;background:#fff;border:1px solid #ddd;border-radius:.4em;padding:.6em}
figcaption{font-weight:600;margin-bottom:.3em}
svg{width:100%;height:160px}
.legend span{margin-right:.8em;font-size:.85em}
</style>
<h2>Sources</h2>
<div id="health" data-state="unknown">waiting for the first snapshot…</div>
<h2>Charts</h2>
<div id="charts"></div>
<script>
"use strict";
const MAX_POINTS = 720;
const COLORS = ["#1565c0","#ef6c00","#2e7d32","#6a1b9a","#c62828","#00838f","#9e9d24","#4e342e"];
const state = {since: 0, snapshots: [], updates: 0};
const CHARTS = [
  {id: "qps", title: "QPS by request type", unit: "req/s",
   series: s => Object.entries(s.qps_by_type || {})},
  {id: "latency", title: "Latency (ms)", unit: "ms",
   series: s => s.latency_ms ? [["avg", s.latency_ms.avg], ["p99", s.latency_ms.p99]] : []},
  {id: "storage", title: "Storage (GiB)", unit: "GiB",
   series: s => s.storage_size ? [["used", s.storage_size.used_bytes / 2**30],
                                  ["capacity", s.storage_size.capacity_bytes / 2**30]] : []},
  {id: "compaction", title: "Pending compaction (MiB)", unit: "MiB",
   series: s => s.compaction_pending_bytes !== undefined ? [["pending", s.compaction_pending_bytes / 2**20]] : []},
  {id: "cache", title: "Block cache hit ratio (kv)", unit: "",
   series: s => Object.entries(((s.block_cache_hit_ratio || {}).kv) || {})},
];

function el(tag, attrs, text) {
  const e = document.createElementNS(tag === "svg" || tag === "polyline" ? "http://www.w3.org/2000/svg" : "http://www.w3.org/1999/xhtml", tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function renderHealth(latest) {
  const strip = document.getElementById("health");
  strip.textContent = "";
  let allUp = true;
  for (const [name, h] of Object.entries(latest.sources || {})) {
    allUp = allUp && h.up;
    const when = h.last_success_ms ? new Date(h.last_success_ms).toLocaleTimeString() : "never";
    const box = el("div", {class: "source " + (h.up ? "up" : "down"), "data-source": name, "data-up": String(h.up)},
                   name + (h.up ? " up" : " DOWN"));
    box.appendChild(el("small", {}, "last success " + when + (h.last_error ? " — " + h.last_error : "")));
    strip.appendChild(box);
  }
  strip.setAttribute("data-state", allUp ? "green" : "red");
}

function renderChart(spec) {
  const byName = new Map();
  for (const s of state.snapshots) {
    for (const [name, value] of spec.series(s)) {
      if (value === undefined || value === null || Number.isNaN(value)) continue;
      if (!byName.has(name)) byName.set(name, []);
      byName.get(name).push([s.timestamp_ms, value]);
    }
  }
  let fig = document.getElementById("chart-" + spec.id);
  if (!fig) {
    fig = el("figure", {id: "chart-" + spec.id});
    document.getElementById("charts").appendChild(fig);
  }
  fig.textContent = "";
  fig.appendChild(el("figcaption", {}, spec.title));
  const all = [...byName.values()].flat();
  const svg = el("svg", {viewBox: "0 0 400 150", preserveAspectRatio: "none"});
  let points = 0;
  if (all.length) {
    const t0 = Math.min(...all.map(p => p[0])), t1 = Math.max(...all.map(p => p[0]));
    const v1 = Math.max(...all.map(p => p[1])) || 1;
    let i = 0;
    const legend = el("div", {class: "legend"});
    for (const [name, pts] of byName) {
      const color = COLORS[i++ % COLORS.length];
      const coords = pts.map(([t, v]) => ((t1 > t0 ? (t - t0) / (t1 - t0) : 1) * 398 + 1).toFixed(1) + "," +
                                        (148 - (v / v1) * 140).toFixed(1)).join(" ");
      svg.appendChild(el("polyline", {points: coords, fill: "none", stroke: color, "stroke-width": "1.5"}));
      const last = pts[pts.length - 1][1];
      legend.appendChild(el("span", {style: "color:" + color}, name + " " + (Math.abs(last) < 10 ? last.toFixed(3) : last.toFixed(1))));
      points = Math.max(points, pts.length);
    }
    fig.appendChild(svg);
    fig.appendChild(legend);
  } else {
    fig.appendChild(svg);
    fig.appendChild(el("div", {class: "legend"}, "no data yet"));
  }
  fig.setAttribute("data-points", String(points));
}

async function update() {
  try {
    const response = await fetch("/api/v1/snapshots?since=" + state.since);
    const body = await response.json();
    for (const s of body.snapshots) {
      state.snapshots.push(s);
      state.since = s.timestamp_ms;
    }
    if (state.snapshots.length > MAX_POINTS) state.snapshots.splice(0, state.snapshots.length - MAX_POINTS);
    if (state.snapshots.length) renderHealth(state.snapshots[state.snapshots.length - 1]);
    CHARTS.forEach(renderChart);
    state.updates++;
    document.body.setAttribute("data-updates", String(state.updates));
  } catch (e) {
    const strip = document.getElementById("health");
    strip.textContent = "the exporter does not answer: " + e;
    strip.setAttribute("data-state", "red");
  }
}
update();
setInterval(update, 1000);
</script>
)PAGE";
  return kAssets;
}

}  // namespace tikv_exporter
