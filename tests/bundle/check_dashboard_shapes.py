#!/usr/bin/env python3
"""Checks both shapes of the Grafana dashboards, each by what Grafana does with it.

Provisioned (dashboards/*.json, read by the file provider the compose demo configures):
  - every datasource reference is the `datasource` variable, which starts on the uid that
    dashboards/provisioning/datasources/prometheus.yml provisions, and no `__inputs` (the file
    provider does not ask for inputs: a `${DS_...}` would stay unresolved);
  - the provider's path is where docker-compose.yml mounts dashboards/, and no dashboard sits in a
    sub-folder of it (the provider reads sub-folders too: a copy there would be loaded twice).
Import (dashboards-import/*.json, uploaded through Dashboards -> New -> Import):
  - `__inputs` declares DS_PROMETHEUS as a Prometheus data source, `__requires` names Grafana, the
    Prometheus plugin and every panel type used;
  - after the substitution the importer makes (each `${INPUT}` replaced by the picked uid) every
    datasource reference is that uid, and nothing else is left unresolved;
  - the same dashboards (uids, titles, panels and queries) as the provisioned files.
Grafana itself is not in Debian 12, so these are structural checks of the JSON.
Run from the repository root; prints one line per problem and exits 1 when there is any.
"""
import json
import re
import sys
from pathlib import Path

problems = []
PICKED_UID = "picked-at-import"


def datasource_refs(node, path="$"):
    """(path, value) of every `datasource` key in the dashboard."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "datasource":
                yield f"{path}.datasource", value
            else:
                yield from datasource_refs(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from datasource_refs(item, f"{path}[{index}]")


def provisioned_uid():
    text = Path("dashboards/provisioning/datasources/prometheus.yml").read_text()
    return re.search(r"^\s*uid:\s*(\S+)", text, re.MULTILINE).group(1)


def check_provisioned(path, board, uid):
    if "__inputs" in board:
        problems.append(f"{path}: has __inputs, which provisioning never resolves")
    for where, value in datasource_refs(board):
        if value != {"type": "prometheus", "uid": "${datasource}"}:
            problems.append(f"{path}: {where} is {value!r}, not the $datasource variable")
    variables = [v for v in board["templating"]["list"] if v["name"] == "datasource"]
    if not variables or variables[0].get("type") != "datasource" or variables[0].get("query") != "prometheus":
        problems.append(f"{path}: no `datasource` variable of Prometheus data sources")
    elif variables[0].get("current", {}).get("value") != uid:
        problems.append(f"{path}: the datasource variable starts on {variables[0].get('current')!r}, "
                        f"not the provisioned uid {uid!r}")


def check_provider_mount():
    provider = Path("dashboards/provisioning/dashboards/tikv-exporter.yml").read_text()
    provider_path = re.search(r"^\s*path:\s*(\S+)", provider, re.MULTILINE).group(1)
    compose = Path("docker/docker-compose.yml").read_text()
    if f"../dashboards:{provider_path}:" not in compose:
        problems.append(f"docker-compose.yml does not mount dashboards/ at the provider's path {provider_path}")
    nested = [str(p) for p in Path("dashboards").glob("*/**/*.json")]
    if nested:
        problems.append(f"dashboards/ holds dashboards in sub-folders, which the provider also loads: {nested}")


def imported(path):
    """The dashboard as Grafana's importer leaves it once DS_PROMETHEUS is picked."""
    board = json.loads(path.read_text())
    inputs = board.get("__inputs", [])
    text = path.read_text()
    for spec in inputs:
        text = text.replace("${" + spec["name"] + "}", PICKED_UID)
    return board, json.loads(text)


def check_import(path, provisioned):
    board, after = imported(path)
    inputs = board.get("__inputs", [])
    if [(i.get("name"), i.get("type"), i.get("pluginId")) for i in inputs] != [("DS_PROMETHEUS", "datasource", "prometheus")]:
        problems.append(f"{path}: __inputs is {inputs!r}, expected one Prometheus datasource input DS_PROMETHEUS")
    requires = {(r.get("type"), r.get("id")) for r in board.get("__requires", [])}
    panel_types = {("panel", p["type"]) for p in board["panels"] if p["type"] != "row"}
    for needed in {("grafana", "grafana"), ("datasource", "prometheus")} | panel_types:
        if needed not in requires:
            problems.append(f"{path}: __requires lacks {needed}")
    refs = list(datasource_refs(after))
    if not refs:
        problems.append(f"{path}: no datasource reference at all")
    for where, value in refs:
        if value != {"type": "prometheus", "uid": PICKED_UID}:
            problems.append(f"{path}: after import {where} is {value!r}, not the picked data source")
    leftover = sorted(set(re.findall(r"\$\{?(?:DS_\w+|datasource)\}?", json.dumps(after))))
    if leftover:
        problems.append(f"{path}: after import {leftover} remain unresolved")
    for key in ("uid", "title"):
        if board.get(key) != provisioned.get(key):
            problems.append(f"{path}: {key} {board.get(key)!r} differs from the provisioned {provisioned.get(key)!r}")
    queries = lambda b: [(p.get("title"), [t.get("expr") for t in p.get("targets", [])]) for p in b["panels"]]
    if queries(board) != queries(provisioned):
        problems.append(f"{path}: panels or queries differ from the provisioned dashboard")


def main():
    uid = provisioned_uid()
    check_provider_mount()
    provisioned = {p.name: json.loads(p.read_text()) for p in sorted(Path("dashboards").glob("*.json"))}
    copies = {p.name: p for p in sorted(Path("dashboards-import").glob("*.json"))}
    if not provisioned:
        problems.append("no dashboards in dashboards/")
    if set(copies) != set(provisioned):
        problems.append(f"dashboards-import/ holds {sorted(copies)}, dashboards/ {sorted(provisioned)}")
    for name, board in provisioned.items():
        check_provisioned(f"dashboards/{name}", board, uid)
        if name in copies:
            check_import(copies[name], board)
    for problem in problems:
        print(problem)
    print(f"dashboard shapes: {len(provisioned)} provisioned, {len(copies)} import copies, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
