#!/usr/bin/env bash
# The threaded parts under ThreadSanitizer (`make tsan`, and a step of `make test`): builds the
# test binaries with g++ -fsanitize=thread (build type Tsan, build-tsan/) and runs the unit tests
# and the integration tests of the code with threads: the HTTP listener and its workers, the
# poller, reloads, the collector set, gRPC. A race fails the run. The exporter and the simulator
# run as child processes whose stderr the harness keeps in a log a passing test may never read,
# so every process writes its reports to one folder (log_path) and any report there fails the
# run too, printed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${TSAN_DIR:-$repo/build-tsan}
# Integration suites that exercise our threads (each named in README "Tests"); the rest poll the
# same code paths or check output formats, and the whole suite under TSan would not fit CI's time.
# RocksDbDebugService: the debug service's gRPC calls that hang or fail within a poll, the auto
# source switching under them, and PD's thread handing the store's address to RocksDB's.
suites="FrontDoor|Admission|ExporterIntegration|Reload|Shutdown|GrpcApi|GrpcBounds|PdIntegration|WebSecurity|\
RocksDbDebugService|Modes/RocksDbDebugServiceFaults"

cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Tsan >/dev/null
cmake --build "$build" -j"${JOBS:-2}" --target unit_tests parser_allocation_tests integration_tests

reports=$build/tsan-reports
rm -rf "$reports"
mkdir -p "$reports"
# ignore_noninstrumented_modules: see tests/tsan.supp.
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1:\
suppressions=$repo/tests/tsan.supp:log_path=$reports/report"
status=0
# Left out: a bound on how fast single-threaded parsing is, which TSan's 5-15x slow-down breaks.
ctest --test-dir "$build" -L unit -E '^ConfigTest\.AConfigAtTheBoundsParsesQuickly$' --output-on-failure \
  --timeout 600 -j2 || status=1
# Left out: bounds on rate accuracy (1 %), on a gRPC answer within 2 s after 5,000 unread calls
# and on a write stall seen within one RocksDB interval plus a second (two polls of 500 ms),
# which TSan's slow-down of the exporter and the simulator breaks, not a race.
slow="ExporterIntegration\.ReadsTheRealV53DumpThroughTheSimulator|GrpcApi\.UnreadCallsOnOneConnectionDoNotMultiplyThreads|\
RocksDbDebugService\.AWriteStallShowsWithinOneRocksDbInterval"
ctest --test-dir "$build" -R "^($suites)\." -E "^($slow)\$" --output-on-failure --timeout 600 -j2 || status=1
if compgen -G "$reports/report.*" >/dev/null; then
  echo "tsan: ThreadSanitizer reports (a race, or a lock-order inversion):"
  cat "$reports"/report.*
  status=1
fi
[ "$status" = 0 ] && echo "tsan: no race reported"
exit "$status"
