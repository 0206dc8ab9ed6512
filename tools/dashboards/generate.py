#!/usr/bin/env python3
"""Writes the Grafana dashboards in dashboards/ (run from the repository root).

`generate.py --check` exits 1 when a committed dashboard differs from what this script makes, so
the JSON and its source cannot drift apart.
"""
import json
import re
import sys
from pathlib import Path

NODE = 'tikv_cluster=~"$cluster",instance=~"$instance"'
CLUSTER = 'tikv_cluster=~"$cluster"'


def lbl(name, op, value):
    return f'{name}{op}"{value}"'


def sel(metric, extra="", scope=NODE):
    labels = scope + ("," + extra if extra else "")
    return f"{metric}{{{labels}}}"


def provisioned_datasource():
    """(name, uid) of the data source dashboards/provisioning/datasources/prometheus.yml provisions:
    the Data source picker starts on it, so a provisioned dashboard shows data at once whichever
    data source is the default. (tools/dashboards/import_copies.py binds the one picked at import.)"""
    text = Path("dashboards/provisioning/datasources/prometheus.yml").read_text()
    name = re.search(r"^\s*-\s*name:\s*(\S+)", text, re.MULTILINE).group(1)
    uid = re.search(r"^\s*uid:\s*(\S+)", text, re.MULTILINE).group(1)
    return name, uid


def templating():
    def query(name, label, query_text, multi):
        return {
            "name": name, "label": label, "type": "query",
            "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "definition": query_text, "query": {"query": query_text, "refId": name},
            "refresh": 2, "includeAll": True, "allValue": ".*", "multi": multi,
            "current": {"selected": True, "text": "All", "value": "$__all"}, "sort": 1,
        }
    datasource_name, datasource_uid = provisioned_datasource()
    return {"list": [
        {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
         "current": {"selected": True, "text": datasource_name, "value": datasource_uid}, "hide": 0},
        query("cluster", "Cluster", "label_values(tikv_exporter_up, tikv_cluster)", False),
        query("instance", "Sidecar", 'label_values(tikv_exporter_up{tikv_cluster=~"$cluster"}, instance)', True),
    ]}


def row(title):
    """A full-width row header; the panels after it belong to it."""
    return {"row": title}


def dashboard(uid, title, panels):
    """Lays panels out left to right, wrapping at Grafana's 24 columns. A panel is
    (title, unit, targets, kind) or (title, unit, targets, kind, extra), where extra may set its
    width "w" and height "h" (12 x 8 by default), "fieldConfig" defaults, "options" and a
    "description" (Grafana's (i) tooltip)."""
    laid_out = []
    x = y = row_height = 0
    for index, item in enumerate(panels):
        if isinstance(item, dict):
            y += row_height
            laid_out.append({"id": index + 1, "type": "row", "title": item["row"], "collapsed": False,
                             "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})
            x, y, row_height = 0, y + 1, 0
            continue
        title_, unit, targets, kind = item[:4]
        extra = item[4] if len(item) > 4 else {}
        w, h = extra.get("w", 12), extra.get("h", 8)
        if x + w > 24:
            x, y, row_height = 0, y + row_height, 0
        panel = {
            "id": index + 1, "type": kind, "title": title_,
            "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "gridPos": {"h": h, "w": w, "x": x, "y": y},
            "fieldConfig": {"defaults": {"unit": unit, **extra.get("fieldConfig", {})}, "overrides": []},
            "options": extra.get("options", {"legend": {"displayMode": "list", "placement": "bottom"}}),
            "targets": [{"refId": chr(ord("A") + i), "expr": expr, "legendFormat": legend}
                        for i, (expr, legend) in enumerate(targets)],
        }
        if "description" in extra:
            panel["description"] = extra["description"]
        laid_out.append(panel)
        x, row_height = x + w, max(row_height, h)
    return {
        "uid": uid, "title": title, "tags": ["tikv", "tikv-exporter"], "timezone": "browser",
        "schemaVersion": 39, "version": 1, "editable": True, "refresh": "30s",
        "time": {"from": "now-1h", "to": "now"}, "templating": templating(),
        "annotations": {"list": []}, "panels": laid_out,
    }


# The verdict's encoding (tikv_exporter_health_level, tikv_exporter_health_check_level).
LEVELS = {
    "mappings": [{"type": "value", "options": {
        "0": {"text": "ok", "color": "green", "index": 0},
        "1": {"text": "warning", "color": "orange", "index": 1},
        "2": {"text": "critical", "color": "red", "index": 2}}}],
    "color": {"mode": "thresholds"},
    "thresholds": {"mode": "absolute", "steps": [
        {"color": "green", "value": None}, {"color": "orange", "value": 1}, {"color": "red", "value": 2}]},
    "min": 0, "max": 2,
}


def health_row():
    """The node dashboard's first row: the verdict, which checks fail, and the signals behind the
    checks that most often fail."""
    return [
        row("Why is this node unhealthy"),
        ("Verdict", "none", [(f"max by (instance) ({sel('tikv_exporter_health_level')})", "{{instance}}")], "stat",
         {"w": 6, "h": 12, "fieldConfig": LEVELS, "options": {
             "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
             "colorMode": "background", "graphMode": "none", "textMode": "value_and_name",
             "orientation": "horizontal", "justifyMode": "auto"}}),
        ("Checks (GET /api/v1/health has the reasons)", "none",
         [(f"max by (instance, check) ({sel('tikv_exporter_health_check_level')})", "{{instance}} {{check}}")],
         "state-timeline",
         {"w": 18, "h": 12, "fieldConfig": {**LEVELS, "custom": {"fillOpacity": 80, "lineWidth": 0}}, "options": {
             "showValue": "never", "mergeValues": True, "alignValue": "left", "rowHeight": 0.9,
             "legend": {"displayMode": "list", "placement": "bottom", "showLegend": False},
             "tooltip": {"mode": "single", "sort": "none"}}}),
        ("Raft write path p99 by stage", "s",
         [(sel("tikv_exporter_raft_write_duration_seconds", 'quantile="0.99"'), "{{instance}} {{stage}}")],
         "timeseries", {"w": 8}),
        ("Thread-pool busy ratio and CPU quota used", "percentunit", [
            (sel("tikv_exporter_thread_pool_busy_ratio", 'pool!="other"'), "{{instance}} {{pool}}"),
            (f"sum by (instance) ({sel('tikv_exporter_thread_pool_cpu_seconds_per_second')}) / "
             f"max by (instance) ({sel('tikv_exporter_tikv_cpu_cores_quota')})", "{{instance}} share of CPU quota")],
         "timeseries", {"w": 8}),
        ("Disk headroom before TiKV refuses writes", "bytes", [
            (sel("tikv_exporter_disk_headroom_bytes"), "{{instance}} headroom"),
            (sel("tikv_exporter_disk_reserve_bytes"), "{{instance}} reserve")], "timeseries", {"w": 8}),
        row("Load and storage"),
    ]


def node_overview():
    return dashboard("tikv-exporter-node", "TiKV sidecar / Node overview", health_row() + [
        ("QPS by request type", "reqps", [(f"sum by (instance, type) ({sel('tikv_exporter_qps')})", "{{instance}} {{type}}")], "timeseries"),
        ("Node QPS", "reqps", [(f"sum by (instance) ({sel('tikv_exporter_qps')})", "{{instance}}")], "timeseries"),
        ("Latency average", "s", [(sel("tikv_exporter_latency_average_seconds"), "{{instance}}")], "timeseries"),
        ("Latency p99", "s", [(sel("tikv_exporter_latency_seconds", 'quantile="0.99"'), "{{instance}}")], "timeseries"),
        ("Latency p99 by request type", "s", [(sel("tikv_exporter_type_latency_seconds", 'quantile="0.99"'), "{{instance}} {{type}}")], "timeseries"),
        ("Storage used vs capacity", "bytes", [(sel("tikv_exporter_storage_size_bytes", 'type=~"used|capacity"'), "{{instance}} {{type}}")], "timeseries"),
        ("Available space", "percentunit", [(f"{sel('tikv_exporter_storage_size_bytes', lbl('type', '=', 'available'))} / ignoring(type) {sel('tikv_exporter_storage_size_bytes', lbl('type', '=', 'capacity'))}", "{{instance}}")], "timeseries"),
        ("Pending compaction", "bytes", [(sel("tikv_exporter_compaction_pending_bytes"), "{{instance}} {{db}}")], "timeseries"),
        ("Source health (1 = up)", "bool", [(sel("tikv_exporter_up"), "{{instance}} {{source}}")], "timeseries"),
        ("Snapshot age", "s", [(f"time() - {sel('tikv_exporter_snapshot_timestamp_seconds')}", "{{instance}}")], "timeseries"),
        ("Collector duration", "s", [(sel("tikv_exporter_collector_duration_seconds"), "{{instance}} {{collector}}")], "timeseries"),
        ("Cluster QPS (recording rule)", "reqps", [(f"tikv_exporter:cluster_qps:sum{{{CLUSTER}}}", "{{tikv_cluster}}")], "timeseries"),
    ])


def rocksdb():
    # The statistics series carry db = kv, or raft for a raftdb (raft-engine off, debug service only).
    return dashboard("tikv-exporter-rocksdb", "TiKV sidecar / RocksDB", [
        ("SST files per level", "short", [(f"sum by (instance, db, level) ({sel('tikv_exporter_rocksdb_level_files', lbl('level', '!=', 'Sum'))})", "{{instance}} {{db}} {{level}}")], "timeseries"),
        ("Level size", "bytes", [(f"sum by (instance, db, level) ({sel('tikv_exporter_rocksdb_level_size_bytes', lbl('level', '!=', 'Sum'))})", "{{instance}} {{db}} {{level}}")], "timeseries"),
        ("Write amplification (all levels)", "short", [(sel("tikv_exporter_rocksdb_level_write_amplification", 'level="Sum"'), "{{instance}} {{db}} {{cf}}")], "timeseries"),
        ("Compaction score", "short", [(sel("tikv_exporter_rocksdb_level_score", 'level!="Sum"'), "{{instance}} {{db}} {{cf}} {{level}}")], "timeseries"),
        ("Block cache hit ratio", "percentunit", [(sel("tikv_exporter_block_cache_hit_ratio"), "{{instance}} {{db}} {{block}}")], "timeseries"),
        ("Bloom filter useful ratio", "percentunit", [(sel("tikv_exporter_bloom_filter_useful_ratio"), "{{instance}} {{db}}")], "timeseries"),
        ("Write-stall time per window", "s", [(sel("tikv_exporter_write_stall_seconds"), "{{instance}} {{db}}")], "timeseries"),
        ("Write stalls by cause (15 min)", "short", [(f"sum by (instance, db, cause) (increase({sel('tikv_exporter_rocksdb_write_stalls_total', lbl('cause', '!~', 'total_delays|total_stops'))}[15m]))", "{{instance}} {{db}} {{cause}}")], "timeseries"),
        ("Compaction time (15 min)", "s", [(f"sum by (instance, db, cf) (increase({sel('tikv_exporter_rocksdb_compaction_seconds_total', lbl('level', '=', 'Sum'))}[15m]))", "{{instance}} {{db}} {{cf}}")], "timeseries"),
        ("Compaction flow (15 min)", "bytes", [
            (f"sum by (instance, db) (increase({sel('tikv_exporter_rocksdb_compaction_read_bytes_total', lbl('level', '=', 'Sum'))}[15m]))", "{{instance}} {{db}} read"),
            (f"sum by (instance, db) (increase({sel('tikv_exporter_rocksdb_compaction_written_bytes_total', lbl('level', '=', 'Sum'))}[15m]))", "{{instance}} {{db}} written")], "timeseries"),
        ("Pending compaction", "bytes", [(sel("tikv_exporter_compaction_pending_bytes"), "{{instance}} {{db}}")], "timeseries"),
        ("Stall warnings in the LOG (15 min)", "short", [(f"increase({sel('tikv_exporter_rocksdb_log_stall_warnings_total')}[15m])", "{{instance}} {{kind}}")], "timeseries",
         {"description": "LOG source only: \"Stalling/Stopping writes\" records of the kv RocksDB's info LOG. "
                         "No data while the statistics come from TiKV's debug service, which has no such records: "
                         "see \"Write stalls by cause\" and \"Stalled share of uptime\" instead."}),
        ("Stalled share of uptime", "percentunit", [(sel("tikv_exporter_rocksdb_stall_ratio"), "{{instance}} {{db}}")], "timeseries"),
        ("Age of the latest stats dump", "s", [(f"time() - {sel('tikv_exporter_rocksdb_last_dump_timestamp_seconds')}", "{{instance}}")], "timeseries"),
    ])


def cluster():
    pd = lambda metric, extra="": sel(metric, extra, CLUSTER)
    return dashboard("tikv-exporter-cluster", "TiKV sidecar / Cluster (PD)", [
        ("Stores by state", "short", [(f"max by (state) ({pd('tikv_exporter_pd_stores')})", "{{state}}")], "timeseries"),
        ("Store capacity", "bytes", [(f"max by (store_id) ({pd('tikv_exporter_pd_store_size_bytes', lbl('type', '=', 'capacity'))})", "store {{store_id}}")], "timeseries"),
        ("Store used", "bytes", [(f"max by (store_id) ({pd('tikv_exporter_pd_store_size_bytes', lbl('type', '=', 'used'))})", "store {{store_id}}")], "timeseries"),
        ("Store available", "percentunit", [(f"max by (store_id) ({pd('tikv_exporter_pd_store_size_bytes', lbl('type', '=', 'available'))}) / max by (store_id) ({pd('tikv_exporter_pd_store_size_bytes', lbl('type', '=', 'capacity'))})", "store {{store_id}}")], "timeseries"),
        ("Regions per store", "short", [(f"max by (store_id) ({pd('tikv_exporter_pd_store_regions')})", "store {{store_id}}")], "timeseries"),
        ("Leaders per store", "short", [(f"max by (store_id) ({pd('tikv_exporter_pd_store_leaders')})", "store {{store_id}}")], "timeseries"),
        ("Region and leader score", "short", [
            (f"max by (store_id) ({pd('tikv_exporter_pd_store_region_score')})", "region score {{store_id}}"),
            (f"max by (store_id) ({pd('tikv_exporter_pd_store_leader_score')})", "leader score {{store_id}}")], "timeseries"),
        ("Heartbeat age", "s", [(f"max by (store_id) ({pd('tikv_exporter_pd_store_heartbeat_age_seconds')})", "store {{store_id}}")], "timeseries"),
        ("Unhealthy regions", "short", [(f"max by (kind) ({pd('tikv_exporter_pd_unhealthy_regions')})", "{{kind}}")], "timeseries"),
        ("PD member health (1 = healthy)", "bool", [(f"max by (member) ({pd('tikv_exporter_pd_member_healthy')})", "{{member}}")], "timeseries"),
        ("PD leader present", "bool", [(f"max({pd('tikv_exporter_pd_leader_present')})", "leader")], "timeseries"),
        ("Hot write flow on each node's store", "Bps", [(sel("tikv_exporter_pd_local_hot_flow_bytes_per_second", 'kind="write"'), "{{instance}} {{role}}")], "timeseries"),
        ("Config drift (1 = differs)", "bool", [(sel("tikv_exporter_config_drift"), "{{instance}} {{section}}.{{key}}")], "timeseries"),
        ("Cluster storage used (recording rule)", "percentunit", [(f"tikv_exporter:cluster_capacity_used:ratio{{{CLUSTER}}}", "{{tikv_cluster}}")], "timeseries"),
    ])


def main():
    out = Path("dashboards")
    check = "--check" in sys.argv
    stale = []
    for name, board in (("node-overview", node_overview()), ("rocksdb", rocksdb()), ("cluster", cluster())):
        text = json.dumps(board, indent=2, sort_keys=True) + "\n"
        path = out / f"{name}.json"
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.write_text(text)
    if stale:
        print("stale dashboards (run tools/dashboards/generate.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
