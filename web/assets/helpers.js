// The status page's shared helpers: el(), units (bytes, ms, %, req/s), time labels.
// The page joins helpers.js, panels.js, charts.js and main.js into one classic script (in that
// order); what a file uses from an earlier one is declared in its `global` comment, so ESLint
// checks every name. Values from the exporter are shown with textContent or setAttribute, never
// parsed as HTML.

const SVG_NS = "http://www.w3.org/2000/svg";
const SVG_TAGS = new Set(["svg", "polyline", "line", "text", "rect", "g"]);

// An element with attributes and text; text is never parsed as HTML.
function el(tag, attrs, text) {
  const e = SVG_TAGS.has(tag) ? document.createElementNS(SVG_NS, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function $(id) { return document.getElementById(id); }

function isNum(v) { return typeof v === "number" && Number.isFinite(v); }

// 3 significant digits at most, no exponent: 0.0123, 1.23, 12.3, 123, 1,234.
function fmtNum(v) {
  const a = Math.abs(v);
  const digits = a === 0 || a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return v.toLocaleString("en-US", {maximumFractionDigits: digits});
}

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
function byteScale(max) {
  let i = 0;
  while (i + 1 < BYTE_UNITS.length && Math.abs(max) >= 1024 ** (i + 1)) i++;
  return {div: 1024 ** i, suffix: " " + BYTE_UNITS[i]};
}
function fmtBytes(v) { const s = byteScale(v); return fmtNum(v / s.div) + s.suffix; }

// How each unit scales for a given magnitude: values are divided by `div` and shown with `suffix`.
const UNITS = {
  bytes: byteScale,
  ms: max => max >= 1000 ? {div: 1000, suffix: " s"} : max < 1 && max > 0 ? {div: 0.001, suffix: " µs"} : {div: 1, suffix: " ms"},
  ratio: () => ({div: 0.01, suffix: " %"}),
  rate: max => max >= 1e6 ? {div: 1e6, suffix: "M/s"} : max >= 1e3 ? {div: 1e3, suffix: "k/s"} : {div: 1, suffix: "/s"},
};
function fmtUnit(unit, v) { const s = UNITS[unit](Math.abs(v)); return fmtNum(v / s.div) + s.suffix; }

function pad2(n) { return String(n).padStart(2, "0"); }
function fmtTime(ms) { const d = new Date(ms); return pad2(d.getHours()) + ":" + pad2(d.getMinutes()) + ":" + pad2(d.getSeconds()); }
function fmtAge(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? s + " s" : s < 7200 ? Math.round(s / 60) + " min" : Math.round(s / 3600) + " h";
}

// About `count` round steps (1, 2, 5 × 10^k) from 0 to at least `max`.
function niceTicks(max, count) {
  if (!(max > 0)) max = 1;
  const raw = max / count, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw);
  const ticks = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(v);
  return ticks;
}
