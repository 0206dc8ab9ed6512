"""Times Python's prometheus_client text parser on one exposition file (the peer of our parser).

Usage: /usr/bin/python3 python_parse.py FILE SECONDS
Prints one JSON object: bytes, series, runs, seconds per run (median of the runs) and
cpu_seconds per run (process CPU time ÷ runs; the machine is shared, wall time overstates).
"""
import json
import statistics
import sys
import time

from prometheus_client.parser import text_string_to_metric_families


def parse_once(text):
    series = 0
    for family in text_string_to_metric_families(text):
        series += len(family.samples)
    return series


def main():
    path, budget = sys.argv[1], float(sys.argv[2])
    with open(path, encoding="utf-8") as f:
        text = f.read()
    times = []
    series = 0
    deadline = time.perf_counter() + budget
    cpu0 = time.process_time()
    while time.perf_counter() < deadline or len(times) < 3:
        start = time.perf_counter()
        series = parse_once(text)
        times.append(time.perf_counter() - start)
    cpu = (time.process_time() - cpu0) / len(times)
    print(json.dumps({"bytes": len(text.encode()), "series": series, "runs": len(times),
                      "seconds": statistics.median(times), "cpu_seconds": cpu}))


if __name__ == "__main__":
    main()
