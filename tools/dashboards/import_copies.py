#!/usr/bin/env python3
"""Writes dashboards-import/: the dashboards of dashboards/ in the shape Grafana's UI imports
(Dashboards -> New -> Import), made from the provisioned files so both have one source.

A provisioned dashboard (dashboards/, read by Grafana's file provider) picks its data source with
the `datasource` variable. An imported one declares the data sources it needs in `__inputs`:
Grafana's import form asks for each and replaces `${DS_PROMETHEUS}` with the chosen one's uid, and
`__requires` tells it which Grafana and plugins the dashboard was made for. The copy:
  - declares the input DS_PROMETHEUS, a Prometheus data source;
  - points every reference to the `datasource` variable at ${DS_PROMETHEUS} instead, and drops that
    variable (nothing uses it any more);
  - requires Grafana at the version docker/docker-compose.yml runs, the Prometheus data source and
    each panel type the dashboard uses.
The copies live outside dashboards/ because Grafana's file provider reads its folder recursively:
a copy in it would be provisioned too, a second dashboard with the same uid.

  tools/dashboards/import_copies.py            rewrite dashboards-import/
  tools/dashboards/import_copies.py --check    exit 1 when a copy differs from its source

Run from the repository root, after tools/dashboards/generate.py.
"""
import copy
import json
import re
import sys
from pathlib import Path

SOURCE = Path("dashboards")
OUTPUT = Path("dashboards-import")
INPUT = "DS_PROMETHEUS"
VARIABLE_REF = {"type": "prometheus", "uid": "${datasource}"}
INPUT_REF = {"type": "prometheus", "uid": "${" + INPUT + "}"}
# Grafana's own names of the panel plugins the generator uses; an unknown type stops the script
# rather than guessing a name.
PANEL_NAMES = {"timeseries": "Time series", "stat": "Stat", "state-timeline": "State timeline",
               "gauge": "Gauge", "bargauge": "Bar gauge", "table": "Table", "text": "Text"}


def grafana_version():
    """The Grafana the compose demo runs (and the dashboards are checked against)."""
    compose = Path("docker/docker-compose.yml").read_text()
    return re.search(r"image:\s*grafana/grafana:(\S+)", compose).group(1)


def rebind(node, path="$"):
    """Replaces each reference to the `datasource` variable with the import input; any other
    datasource reference is an error, since the importer would leave it pointing nowhere."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "datasource":
                if value != VARIABLE_REF:
                    raise ValueError(f"{path}.datasource is {value!r}, not the $datasource variable")
                node[key] = dict(INPUT_REF)
            else:
                rebind(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            rebind(item, f"{path}[{index}]")


def import_copy(board, name):
    board = copy.deepcopy(board)
    board["templating"]["list"] = [v for v in board["templating"]["list"] if v["name"] != "datasource"]
    try:
        rebind(board)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None
    if "$datasource" in json.dumps(board) or "${datasource}" in json.dumps(board):
        raise ValueError(f"{name}: $datasource is still used outside a datasource reference")
    panel_types = sorted({p["type"] for p in board["panels"] if p["type"] != "row"})
    unknown = [t for t in panel_types if t not in PANEL_NAMES]
    if unknown:
        raise ValueError(f"{name}: panel types {unknown} have no name in PANEL_NAMES")
    board["__inputs"] = [{"name": INPUT, "label": "Prometheus", "description": "", "type": "datasource",
                          "pluginId": "prometheus", "pluginName": "Prometheus"}]
    board["__elements"] = {}
    board["__requires"] = (
        [{"type": "grafana", "id": "grafana", "name": "Grafana", "version": grafana_version()},
         {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"}]
        + [{"type": "panel", "id": t, "name": PANEL_NAMES[t], "version": ""} for t in panel_types])
    return board


def main():
    check = "--check" in sys.argv
    sources = sorted(SOURCE.glob("*.json"))
    expected = {}
    try:
        for path in sources:
            board = import_copy(json.loads(path.read_text()), str(path))
            expected[OUTPUT / path.name] = json.dumps(board, indent=2, sort_keys=True) + "\n"
    except ValueError as error:
        print(f"import_copies: {error}", file=sys.stderr)
        return 1
    if check:
        present = set(OUTPUT.glob("*.json"))
        stale = [str(p) for p, text in expected.items() if not p.exists() or p.read_text() != text]
        stale += [f"{p} (no source in {SOURCE}/)" for p in sorted(present - set(expected))]
        if stale:
            print("import_copies: stale (run tools/dashboards/import_copies.py): " + ", ".join(stale),
                  file=sys.stderr)
            return 1
        return 0
    OUTPUT.mkdir(exist_ok=True)
    for path in set(OUTPUT.glob("*.json")) - set(expected):
        path.unlink()
    for path, text in expected.items():
        path.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
