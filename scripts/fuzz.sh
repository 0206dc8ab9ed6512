#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (build-fuzz/) and runs each for SECONDS (default 60),
# seeded with the real fixtures in tests/fixtures/real and the shipped configs. A crash
# leaves its input in build-fuzz/crashes/<target>/ and fails the run.
# `fuzz.sh --smoke` (what `make test` runs) does a fixed number of runs with a fixed seed instead,
# so CI repeats the same inputs every time.
set -euo pipefail
limit=(-max_total_time="${1:-60}")
what="${1:-60}s"
if [ "${1:-}" = "--smoke" ]; then
  limit=(-runs=300 -seed=1)
  what="300 runs (seed 1)"
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
fixtures=${TIKV_EXPORTER_FIXTURES_DIR:-$repo/tests/fixtures/real}
build=$repo/build-fuzz
CC=clang CXX=clang++ cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTIKV_EXPORTER_FUZZ=ON -DTIKV_EXPORTER_BUILD_TESTS=OFF >/dev/null
targets=(fuzz_exposition_parser fuzz_pd_json fuzz_rocksdb_log fuzz_config fuzz_web_config
  fuzz_basic_auth_header fuzz_http_request)
cmake --build "$build" -j2 --target "${targets[@]}"
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
if [ -d "$fixtures" ]; then cp "$fixtures"/* "$seeds"/; fi
cp "$repo"/config/*.toml "$repo"/config/*.yml "$seeds"/
printf 'Basic YWxpY2U6Y29ycmVjdCBob3JzZQ==' >"$seeds"/authorization-basic  # alice:correct horse
for target in "${targets[@]}"; do
  corpus=$build/corpus/$target
  crashes=$build/crashes/$target
  mkdir -p "$corpus" "$crashes"
  echo "fuzz: $target for $what"
  "$build/bin/$target" "${limit[@]}" -max_len=2000000 -rss_limit_mb=2048 \
    -artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" "$seeds" 2>"$build/$target.log" \
    || { tail -40 "$build/$target.log"; echo "fuzz: $target FAILED (inputs in $crashes)"; exit 1; }
  grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "$build/$target.log" | tail -2
done
echo "fuzz: all targets ran $what without a crash"
