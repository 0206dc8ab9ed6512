#!/usr/bin/env python3
"""Static checks of what we ship besides the binary: dashboards, compose and Dockerfile.

Run from the repository root; prints one line per problem and exits 1 when there is any.
"""
import json
import re
import sys
from pathlib import Path

problems = []


def check_level_mappings(path, panel):
    """A panel of the health verdict must name its levels as /api/v1/health does."""
    if not any("health_level" in t["expr"] or "health_check_level" in t["expr"] for t in panel.get("targets", [])):
        return
    names = {}
    for mapping in panel["fieldConfig"]["defaults"].get("mappings", []):
        for value, result in mapping.get("options", {}).items():
            names[value] = result.get("text")
    if names != {"0": "ok", "1": "warning", "2": "critical"}:
        problems.append(f"{path}: panel {panel['title']!r} maps the verdict's levels as {names}")


def check_stall_causes(path, panel):
    """RocksDB >= 8 counts total_delays and total_stops beside the causes: summing every cause
    label would count each stall twice."""
    for target in panel.get("targets", []):
        expr = target["expr"]
        if "write_stalls_total" in expr and "by (instance, cause)" in expr and "total_delays|total_stops" not in expr:
            problems.append(f"{path}: panel {panel['title']!r} sums the total_delays/total_stops totals as causes")


def check_dashboards():
    for path in sorted(Path("dashboards").glob("*.json")):
        try:
            board = json.loads(path.read_text())
        except json.JSONDecodeError as error:
            problems.append(f"{path}: invalid JSON: {error}")
            continue
        ids = [panel["id"] for panel in board["panels"]]
        if len(ids) != len(set(ids)):
            problems.append(f"{path}: duplicate panel ids {ids}")
        variables = {v["name"] for v in board["templating"]["list"]}
        for needed in ("datasource", "cluster", "instance"):
            if needed not in variables:
                problems.append(f"{path}: no ${needed} template variable")
        for panel in board["panels"]:
            if panel["type"] == "row":  # a header: no query, no unit, its panels follow it
                if panel.get("panels"):
                    problems.append(f"{path}: row {panel['title']!r} hides panels (collapsed)")
                continue
            check_level_mappings(path, panel)
            check_stall_causes(path, panel)
            if not panel.get("fieldConfig", {}).get("defaults", {}).get("unit"):
                problems.append(f"{path}: panel {panel['title']!r} has no unit")
            if not panel.get("targets"):
                problems.append(f"{path}: panel {panel['title']!r} has no query")
        if board.get("schemaVersion", 0) < 36:
            problems.append(f"{path}: schemaVersion {board.get('schemaVersion')} is not a current Grafana schema")


def check_compose_and_dockerfile():
    compose = Path("docker/docker-compose.yml")
    text = compose.read_text()
    # Host paths of bind mounts and the build context/dockerfile, relative to docker/.
    for match in re.finditer(r"^\s*-\s*(\.{1,2}/[^:\s]+):", text, re.MULTILINE):
        if not (compose.parent / match.group(1)).exists():
            problems.append(f"{compose}: mounts {match.group(1)}, which does not exist")
    context = re.search(r"context:\s*(\S+)", text).group(1)
    dockerfile = re.search(r"dockerfile:\s*(\S+)", text).group(1)
    root = (compose.parent / context).resolve()
    if not (root / dockerfile).exists():
        problems.append(f"{compose}: dockerfile {dockerfile} not found in context {context}")
    for line in (root / dockerfile).read_text().splitlines():
        match = re.match(r"COPY\s+(?!--from)(.+)\s+\S+$", line.strip())
        if not match:
            continue
        for source in match.group(1).split():
            if not (root / source).exists():
                problems.append(f"{dockerfile}: COPY {source}, which does not exist")
    if "USER " not in (root / dockerfile).read_text():
        problems.append(f"{dockerfile}: runs as root")
    if "HEALTHCHECK" not in (root / dockerfile).read_text() or "/-/healthy" not in (root / dockerfile).read_text():
        problems.append(f"{dockerfile}: no healthcheck on /-/healthy")


check_dashboards()
check_compose_and_dockerfile()
for problem in problems:
    print(problem)
print(f"bundle: {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
