// The refresh loop and the charts' definitions: polls /api/v1/snapshots every second, the
// cluster and RocksDB panels every 5 s.
/* global $, isNum, renderVerdict, renderSources, renderCluster, renderLevels, renderChart, drawHover, charts, ML, PW, W */

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
