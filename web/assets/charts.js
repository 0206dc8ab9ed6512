// SVG time-series charts with axes, units, time labels and a hover readout shared by all charts.
/* global el, $, isNum, fmtNum, fmtUnit, fmtTime, niceTicks, UNITS */

// Geometry of every chart, in SVG user units (the SVG scales to the figure's width).
const W = 560, H = 220, ML = 64, MR = 14, MT = 14, MB = 28, PW = W - ML - MR, PH = H - MT - MB;
const COLORS = ["#2563eb", "#ea580c", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#6b7280"];
const MAX_SERIES = 8;
const TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];
const charts = new Map();  // id -> {fig, svg, line, readout, data}
let hoverT = null;         // the hovered snapshot's timestamp: every chart draws its line there
let hovered = null;       // the chart under the pointer: it shows the values

// Series of `spec` over `snapshots`: name -> [[t, v]], at most MAX_SERIES (the highest last).
function collect(spec, snapshots) {
  const byName = new Map();
  for (const s of snapshots) {
    for (const [name, value] of spec.series(s)) {
      if (!isNum(value)) continue;
      if (!byName.has(name)) byName.set(name, []);
      byName.get(name).push([s.timestamp_ms, value]);
    }
  }
  const all = [...byName.entries()];
  all.sort((a, b) => b[1][b[1].length - 1][1] - a[1][a[1].length - 1][1] || (a[0] < b[0] ? -1 : 1));
  const kept = all.slice(0, MAX_SERIES);
  kept.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  let vmax = spec.minMax || 0;
  for (const [, pts] of kept) for (const [, v] of pts) vmax = Math.max(vmax, v);
  // Every chart spans the same time, so that their lines and labels align.
  const t0 = snapshots.length ? snapshots[0].timestamp_ms : 0;
  const t1 = snapshots.length ? snapshots[snapshots.length - 1].timestamp_ms : 0;
  return {series: kept, leftOut: all.length - kept.length, t0, t1, vmax};
}

function xOf(d, t) { return ML + (d.t1 > d.t0 ? (t - d.t0) / (d.t1 - d.t0) : 1) * PW; }
function yOf(d, v) { return MT + PH - (v / d.ymax) * PH; }

function timeTicks(t0, t1) {
  const span = Math.max(1, (t1 - t0) / 1000);
  const step = (TIME_STEPS_S.find(s => span / s <= 5) || TIME_STEPS_S[TIME_STEPS_S.length - 1]) * 1000;
  const ticks = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) ticks.push(t);
  return {ticks, label: t => step >= 60000 ? fmtTime(t).slice(0, 5) : fmtTime(t)};
}

// The least top of the y axis per unit, so that an all-zero series gets round labels.
const UNIT_FLOOR = {bytes: 1024, ms: 1, ratio: 1, rate: 1};

function drawAxes(svg, spec, d) {
  const vmax = d.vmax || UNIT_FLOOR[spec.unit];
  const scale = UNITS[spec.unit](vmax);
  const yticks = niceTicks(vmax / scale.div, 4).map(v => v * scale.div);
  d.ymax = yticks[yticks.length - 1] || 1;
  for (const v of yticks) {
    const y = yOf(d, v).toFixed(1);
    svg.appendChild(el("line", {x1: ML, x2: W - MR, y1: y, y2: y, class: v === 0 ? "axis" : "grid"}));
    svg.appendChild(el("text", {x: ML - 6, y: y, class: "ylabel"}, fmtNum(v / scale.div) + scale.suffix));
  }
  const {ticks, label} = timeTicks(d.t0, d.t1);
  for (const t of ticks) {
    const x = xOf(d, t).toFixed(1);
    svg.appendChild(el("line", {x1: x, x2: x, y1: MT + PH, y2: MT + PH + 4, class: "axis"}));
    // A label at an edge of the plot is aligned to stay inside the chart.
    const anchor = x > W - MR - 24 ? "end" : x < ML + 24 ? "start" : "middle";
    svg.appendChild(el("text", {x: x, y: H - 8, class: "xlabel", "text-anchor": anchor}, label(t)));
  }
}

function createChart(spec) {
  const fig = el("figure", {id: "chart-" + spec.id});
  fig.appendChild(el("figcaption", {}, spec.title));
  const svg = el("svg", {viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": spec.title});
  const readout = el("div", {id: "readout-" + spec.id, class: "readout", "data-visible": "false"});
  fig.append(svg, readout, el("div", {class: "legend"}));
  $("charts").appendChild(fig);
  const chart = {fig, svg, readout, spec, data: null};
  svg.addEventListener("mousemove", e => hoverAt(chart, e));
  svg.addEventListener("mouseleave", () => { hoverT = null; hovered = null; drawHover(); });
  charts.set(spec.id, chart);
  return chart;
}

function renderChart(spec, snapshots) {
  const chart = charts.get(spec.id) || createChart(spec);
  const d = collect(spec, snapshots);
  chart.data = d;
  const {fig, svg} = chart;
  svg.textContent = "";
  const legend = fig.querySelector(".legend");
  legend.textContent = "";
  let points = 0;
  if (!d.series.length) {
    svg.setAttribute("viewBox", "0 0 " + W + " 60");  // a short band, not an empty plot
    svg.appendChild(el("text", {x: W / 2, y: 30, class: "empty"}, spec.empty || "no data yet"));
    chart.line = null;
  } else {
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    drawAxes(svg, spec, d);
    d.series.forEach(([name, pts], i) => {
      const color = COLORS[i % COLORS.length];
      const coords = pts.map(([t, v]) => xOf(d, t).toFixed(1) + "," + yOf(d, v).toFixed(1)).join(" ");
      svg.appendChild(el("polyline", {points: coords, fill: "none", stroke: color, "stroke-width": "1.8",
                                      "stroke-linejoin": "round", "data-series": name}));
      const item = el("span", {}, name + " ");
      item.prepend(el("i", {style: "background:" + color}));
      item.appendChild(el("b", {}, fmtUnit(spec.unit, pts[pts.length - 1][1])));
      legend.appendChild(item);
      points = Math.max(points, pts.length);
    });
    if (d.leftOut > 0) legend.appendChild(el("span", {class: "quiet"}, "+" + d.leftOut + " lower"));
    chart.line = el("line", {class: "crosshair", y1: MT, y2: MT + PH, x1: -10, x2: -10});
    svg.appendChild(chart.line);
  }
  fig.setAttribute("data-points", String(points));
}

// The snapshot nearest the pointer becomes the hovered time of every chart.
function hoverAt(chart, event) {
  const d = chart.data;
  if (!d || !d.series.length) return;
  const rect = chart.svg.getBoundingClientRect();
  const x = (event.clientX - rect.left) / rect.width * W;
  const t = d.t0 + Math.min(1, Math.max(0, (x - ML) / PW)) * (d.t1 - d.t0);
  let best = null;
  for (const [, pts] of d.series) {
    for (const [pt] of pts) if (best === null || Math.abs(pt - t) < Math.abs(best - t)) best = pt;
  }
  hoverT = best;
  hovered = chart;
  drawHover();
}

// Value of a series at time t: the point with that timestamp, or none.
function valueAt(pts, t) {
  let lo = 0, hi = pts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (pts[mid][0] === t) return pts[mid][1];
    if (pts[mid][0] < t) lo = mid + 1; else hi = mid - 1;
  }
  return undefined;
}

function drawHover() {
  for (const chart of charts.values()) {
    const {readout, data: d, line, spec} = chart;
    readout.textContent = "";
    const inside = hoverT !== null && d && d.series.length && hoverT >= d.t0 && hoverT <= d.t1;
    if (line) line.setAttribute("visibility", inside ? "visible" : "hidden");
    readout.setAttribute("data-visible", String(!!inside && chart === hovered));
    if (!inside) continue;
    const x = xOf(d, hoverT);
    line.setAttribute("x1", x.toFixed(1));
    line.setAttribute("x2", x.toFixed(1));
    if (chart !== hovered) continue;
    // Beside the line, on the side with more room; the SVG spans the figure less its padding.
    const f = (x / W).toFixed(4);
    readout.setAttribute("style", x > ML + PW / 2 ? "right:calc(.8em + (100% - 1.6em) * (1 - " + f + ") + 10px)"
                                                  : "left:calc(.8em + (100% - 1.6em) * " + f + " + 10px)");
    readout.setAttribute("data-time", String(hoverT));
    readout.appendChild(el("div", {class: "when"}, fmtTime(hoverT)));
    d.series.forEach(([name, pts], i) => {
      const v = valueAt(pts, hoverT);
      const row = el("div", {"data-series": name}, name + " ");
      row.prepend(el("i", {style: "background:" + COLORS[i % COLORS.length]}));
      row.appendChild(el("b", {}, v === undefined ? "—" : fmtUnit(spec.unit, v)));
      readout.appendChild(row);
    });
  }
}
