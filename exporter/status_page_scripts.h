#pragma once

namespace tikv_exporter {

// The status page's script, in parts (each a self-contained block of JavaScript without <script>
// tags; status_page.cc joins them). Every value from the exporter is shown with textContent or
// setAttribute, never parsed as HTML.

// Shared helpers: el(), units (bytes, ms, %, req/s), time labels.
const char* StatusHelpersScript();
// The verdict banner, the source strip, the PD cluster table and the RocksDB level tables.
const char* StatusPanelsScript();
// SVG time-series charts with axes, units, time labels and a hover readout shared by all charts.
const char* StatusChartsScript();

}  // namespace tikv_exporter
