// The verdict banner, the source strip, the PD cluster table and the RocksDB level tables.
/* global el, $, isNum, fmtNum, fmtBytes, fmtTime, fmtAge */

const LEVELS = ["ok", "warning", "critical", "no_data"];
const VERDICT_TITLES = {ok: "Healthy", warning: "Needs attention", critical: "Unhealthy", unknown: "No verdict yet"};
const MAX_REASONS = 20, MAX_CHECKS = 64;

const LEVEL_COLORS = {ok: "#15803d", warning: "#b45309", critical: "#b91c1c", unknown: "#6b7280"};
const BASE_TITLE = document.title;

function knownLevel(level) { return LEVELS.includes(level) ? level : "unknown"; }

// The browser tab tells the verdict: a coloured dot as the icon, the level in the title.
function showLevelInTab(level) {
  document.title = (level === "unknown" ? "" : level.toUpperCase() + " · ") + BASE_TITLE;
  let icon = document.querySelector("link[rel=icon]");
  if (!icon) { icon = el("link", {rel: "icon"}); document.head.appendChild(icon); }
  const svg = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><circle cx='8' cy='8' r='7' fill='" +
              (LEVEL_COLORS[level] || LEVEL_COLORS.unknown) + "'/></svg>";
  icon.setAttribute("href", "data:image/svg+xml," + encodeURIComponent(svg));
}

// The node's verdict (the snapshot's "health"): badge, reasons worst first, one chip per check.
// Hidden while the snapshot carries none.
function renderVerdict(health, timestampMs) {
  const box = $("verdict");
  if (!health || typeof health.level !== "string") {
    box.hidden = true;
    box.setAttribute("data-level", "none");
    return;
  }
  const level = knownLevel(health.level);
  showLevelInTab(level === "no_data" ? "unknown" : level);
  box.hidden = false;
  box.setAttribute("data-level", level);
  $("verdict-badge").textContent = level === "unknown" ? "?" : level.toUpperCase();
  $("verdict-title").textContent = VERDICT_TITLES[level] || VERDICT_TITLES.unknown;
  $("verdict-title").appendChild(el("small", {}, "as of " + fmtTime(timestampMs)));
  const checks = Array.isArray(health.checks) ? health.checks.slice(0, MAX_CHECKS) : [];
  const reasons = Array.isArray(health.reasons) ? health.reasons.slice(0, MAX_REASONS) : [];
  const list = $("verdict-reasons");
  list.textContent = "";
  for (const reason of reasons) list.appendChild(el("li", {}, String(reason)));
  if (!reasons.length) {
    const passing = checks.filter(c => c && c.level === "ok").length;
    const noData = checks.filter(c => c && c.level === "no_data").length;
    list.appendChild(el("li", {class: "quiet"}, passing + " checks pass" +
                                                (noData ? ", " + noData + " without data on this node" : "")));
  }
  const chips = $("verdict-checks");
  chips.textContent = "";
  for (const check of checks) {
    if (!check || typeof check.name !== "string") continue;
    const chipLevel = knownLevel(check.level);
    const chip = el("span", {class: "chip " + chipLevel, "data-check": check.name, "data-level": chipLevel},
                    check.name.replaceAll("_", " "));
    const detail = [check.reason, isNum(check.value) ? "value " + fmtNum(check.value) : "",
                    isNum(check.warning_threshold) ? "warning at " + fmtNum(check.warning_threshold) : "",
                    isNum(check.critical_threshold) ? "critical at " + fmtNum(check.critical_threshold) : ""];
    chip.setAttribute("title", detail.filter(Boolean).join(" · ") || chipLevel);
    chips.appendChild(chip);
  }
}

// One pill per source (TiKV, PD, RocksDB): up or down, when it last answered, its error.
function renderSources(sources) {
  const strip = $("sources");
  strip.textContent = "";
  let allUp = true;
  for (const [name, h] of Object.entries(sources || {})) {
    allUp = allUp && h.up;
    const when = h.last_success_ms ? fmtTime(h.last_success_ms) : "never";
    const pill = el("div", {class: "source " + (h.up ? "up" : "down"), "data-source": name, "data-up": String(!!h.up)});
    pill.appendChild(el("b", {}, name + (h.up ? " up" : " DOWN")));
    pill.appendChild(el("small", {}, "last answer " + when + (h.last_error ? " — " + h.last_error : "")));
    strip.appendChild(pill);
  }
  strip.setAttribute("data-state", allUp ? "green" : "red");
}

function cell(row, text, cls) { const td = el("td", cls ? {class: cls} : {}, text); row.appendChild(td); return td; }

// A bar with the used share of the disk; amber from 80 %, red from 90 %.
function usedBar(store) {
  const td = el("td", {class: "used"});
  if (!isNum(store.used_ratio)) { td.textContent = "—"; return td; }
  const pct = Math.min(100, Math.max(0, store.used_ratio * 100));
  const bar = el("div", {class: "bar" + (pct >= 90 ? " critical" : pct >= 80 ? " warning" : "")});
  bar.appendChild(el("div", {class: "fill", style: "width:" + pct.toFixed(1) + "%"}));
  td.appendChild(bar);
  td.appendChild(el("span", {class: "pct"}, pct.toFixed(1) + " %"));
  if (isNum(store.capacity_bytes) && isNum(store.available_bytes)) {
    td.appendChild(el("small", {}, fmtBytes(store.capacity_bytes - store.available_bytes) + " of " + fmtBytes(store.capacity_bytes)));
  }
  return td;
}

// The stores of the latest PD poll (GET /api/v1/cluster); hidden while PD is off or silent.
function renderCluster(cluster, now) {
  const section = $("cluster");
  if (!cluster || !Array.isArray(cluster.stores)) { section.hidden = true; return; }
  section.hidden = false;
  const up = cluster.stores.filter(s => s.state === "Up").length;
  $("cluster-meta").textContent = "cluster " + cluster.cluster_id + " · " + cluster.stores_total + " stores, " +
                                  up + " Up in this list · from " + cluster.pd_endpoint;
  const body = $("cluster-rows");
  body.textContent = "";
  for (const s of cluster.stores) {
    const row = el("tr", {"data-store-id": String(s.id), "data-local": String(!!s.local), class: s.local ? "local" : ""});
    const id = cell(row, String(s.id), "num");
    if (s.local) id.appendChild(el("span", {class: "tag"}, "this node"));
    if (s.engine && s.engine !== "tikv") id.appendChild(el("span", {class: "tag engine"}, s.engine));
    const address = cell(row, s.address);
    if (s.version) address.appendChild(el("small", {}, "v" + String(s.version).replace(/^v/, "")));
    const stateClass = s.state === "Up" ? "ok" : s.state === "Offline" || s.state === "Disconnected" ? "warning" : "critical";
    cell(row, "").appendChild(el("span", {class: "state " + stateClass, "data-state": s.state}, s.state));
    row.appendChild(usedBar(s));
    cell(row, isNum(s.region_count) ? fmtNum(s.region_count) : "—", "num");
    cell(row, isNum(s.leader_count) ? fmtNum(s.leader_count) : "—", "num");
    const slow = cell(row, isNum(s.slow_score) ? fmtNum(s.slow_score) : "—", "num");
    if (isNum(s.slow_score) && s.slow_score >= 80) slow.classList.add("critical-text");
    if (s.busy) slow.appendChild(el("span", {class: "tag warn"}, "busy"));
    cell(row, isNum(s.last_heartbeat_ms) ? fmtAge(now - s.last_heartbeat_ms) + " ago" : "—", "num");
    body.appendChild(row);
  }
  $("cluster-left-out").textContent = cluster.stores_left_out > 0
      ? cluster.stores_left_out + " more stores are not listed (the page lists at most " + cluster.stores.length + ")" : "";
}

// Files and size per level and column family from the latest stats dump (GET /api/v1/rocksdb):
// the LOG's, or TiKV's debug service's answer; hidden while the collector is off or has none.
function renderLevels(rocksdb) {
  const section = $("levels");
  if (!rocksdb || !Array.isArray(rocksdb.column_families)) { section.hidden = true; return; }
  section.hidden = false;
  const origin = rocksdb.source === "debug_service" ? "TiKV's debug service at " : "the LOG's stats dump of ";
  $("levels-meta").textContent = "from " + origin + fmtTime(rocksdb.read_ms) +
      (rocksdb.cfs_left_out > 0 ? " · " + rocksdb.cfs_left_out + " more column families not shown" : "");
  const names = [];
  for (const cf of rocksdb.column_families) {
    for (const l of cf.levels || []) if (!names.includes(l.level) && l.level !== "Sum") names.push(l.level);
  }
  names.sort();
  names.push("Sum");
  const head = $("levels-head");
  head.textContent = "";
  const hr = el("tr");
  hr.appendChild(el("th", {}, "column family"));
  for (const n of names) hr.appendChild(el("th", {class: "num"}, n === "Sum" ? "total" : n));
  head.appendChild(hr);
  const body = $("levels-rows");
  body.textContent = "";
  for (const cf of rocksdb.column_families) {
    const row = el("tr", {"data-cf": cf.name});
    cell(row, cf.name);
    const byLevel = new Map((cf.levels || []).map(l => [l.level, l]));
    for (const n of names) {
      const l = byLevel.get(n);
      const td = cell(row, "", "num level" + (n === "Sum" ? " sum" : ""));
      if (!l || (l.files === 0 && n !== "Sum")) { td.textContent = "·"; td.classList.add("empty"); continue; }
      td.setAttribute("data-level", n);
      td.setAttribute("data-files", String(l.files));
      td.appendChild(el("b", {}, fmtNum(l.files) + (l.files === 1 ? " file" : " files")));
      td.appendChild(el("small", {}, fmtBytes(l.size_bytes) + (isNum(l.score) && n !== "Sum" ? " · score " + fmtNum(l.score) : "")));
    }
    body.appendChild(row);
  }
}
