#!/usr/bin/env bash
# The image as a user builds and runs it: tools/image/build_image.sh builds docker/Dockerfile
# (starting dockerd and making the Debian bases when this machine has none), then the container
# runs with --network host against tikv-sim (TiKV and one PD member) on the host, and this checks:
#   - /metrics served by the container shows TiKV and PD up, and the revision it was built from;
#   - /api/v1/health answers a verdict of ok (the simulator is healthy);
#   - Docker's HEALTHCHECK turns healthy;
#   - the process runs as uid/gid 10001, the uid deploy/kubernetes/ gives it, and the manifests
#     name the image this built;
#   - the runtime stage installs exactly the packages of the binary's libraries (+ curl).
#   image_test.sh TIKV_SIM   (run from the repository root, as root: it may start dockerd)
set -euo pipefail
sim="$1"
cd "$(dirname "$0")/../.."
source tools/image/docker_env.sh

version="$(sed -n 's/^project(tikv_exporter VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)"
tag="tikv-exporter:$version"
container="tikv-exporter-image-test-$$"
work="$(mktemp -d)"
sim_pid=""
cleanup() {
  "$DOCKER" rm -f "$container" >/dev/null 2>&1 || true
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

problems=0
fail() { echo "image_test: FAIL: $*"; problems=$((problems + 1)); }

bash tools/image/build_image.sh "$tag"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
tikv_port="$(free_port)"; control_port="$(free_port)"; pd_port="$(free_port)"; port="$(free_port)"
"$sim" --status-address "127.0.0.1:$tikv_port" --control-address "127.0.0.1:$control_port" \
  --pd-address "127.0.0.1:$pd_port" >"$work/sim.log" 2>&1 &
sim_pid=$!

# The container shares the host's network, so 127.0.0.1 is the host's simulator; a short poll
# interval so the first snapshot comes within seconds. The RocksDB LOG is not mounted here.
cat >"$work/tikv-exporter.toml" <<TOML
[tikv]
status_address = "127.0.0.1:$tikv_port"
pd_endpoints = ["127.0.0.1:$pd_port"]
[exporter]
listen_address = "127.0.0.1:$port"
poll_interval_ms = 1000
[collectors.rocksdb]
enabled = false
TOML
chmod 644 "$work/tikv-exporter.toml"
"$DOCKER" run -d --name "$container" --network host \
  -e TIKV_EXPORTER_HEALTH_URL="http://127.0.0.1:$port/-/healthy" \
  -v "$work/tikv-exporter.toml:/etc/tikv-exporter/tikv-exporter.toml:ro" "$tag" >/dev/null

base="http://127.0.0.1:$port"
metrics=""
for _ in $(seq 30); do
  metrics="$(curl -fsS "$base/metrics" 2>/dev/null || true)"
  if grep -q '^tikv_exporter_up{source="tikv"} 1' <<<"$metrics" \
     && grep -q '^tikv_exporter_up{source="pd"} 1' <<<"$metrics"; then break; fi
  sleep 1
done
for source in tikv pd; do
  grep -q "^tikv_exporter_up{source=\"$source\"} 1" <<<"$metrics" \
    || fail "/metrics does not show $source up within 30 s: $(grep '^tikv_exporter_up' <<<"$metrics" | tr '\n' ' ')"
done
revision="$(git rev-parse --short HEAD)"
grep -q "^tikv_exporter_build_info{revision=\"$revision\",version=\"$version\"} 1" <<<"$metrics" \
  || fail "build_info is not revision $revision, version $version: $(grep '^tikv_exporter_build_info' <<<"$metrics")"

verdict="$(curl -fsS "$base/api/v1/health" | python3 -c 'import json, sys; print(json.load(sys.stdin)["level"])' || true)"
[ "$verdict" = ok ] || fail "/api/v1/health: level '$verdict', expected ok (a healthy simulator)"

# The first health check runs one --interval (15 s) after the start.
health=""
for _ in $(seq 60); do
  health="$("$DOCKER" inspect --format '{{.State.Health.Status}}' "$container")"
  [ "$health" = starting ] || break
  sleep 1
done
[ "$health" = healthy ] || fail "HEALTHCHECK status '$health', expected healthy"

pid="$("$DOCKER" inspect --format '{{.State.Pid}}' "$container")"
# Real, effective, saved and filesystem ids, read from the kernel rather than from `docker exec`.
ids="$(awk '/^Uid:|^Gid:/ {print $2, $3, $4, $5}' "/proc/$pid/status" | tr '\n' ' ')"
[ "$ids" = "10001 10001 10001 10001 10001 10001 10001 10001 " ] || fail "process ids (uid; gid) are $ids, expected 10001"
manifest=deploy/kubernetes/tidb-cluster.yaml
grep -q "^ *image: $tag\$" "$manifest" || fail "$manifest does not run $tag"
grep -q "^ *runAsUser: 10001\b" "$manifest" || fail "$manifest does not run as uid 10001"

"$DOCKER" cp "$container:/usr/local/bin/tikv-exporter" "$work/tikv-exporter"
mapfile -t needed_libs < <(objdump -p "$work/tikv-exporter" | awk '/NEEDED/ {print $2}')
# dpkg -S inside the image: which of its packages holds each library (usr-merged paths match
# through the leading */). The script runs in the container's shell, hence the single quotes.
# shellcheck disable=SC2016
mapfile -t needed_packages < <("$DOCKER" run --rm --entrypoint sh "$tag" -c \
  'for lib in "$@"; do dpkg -S "*/$lib" | cut -d: -f1; done | sort -u' sh "${needed_libs[@]}")
python3 tests/image/runtime_packages.py docker/Dockerfile "${needed_packages[@]}" \
  || fail "the runtime stage's packages differ from the binary's libraries"

if [ "$problems" -ne 0 ]; then
  echo "image_test: the container's log:"; "$DOCKER" logs "$container" 2>&1 | tail -n 30
  echo "image_test: $problems problem(s)"
  exit 1
fi
"$DOCKER" image ls "$tag"
echo "image_test: ok"
