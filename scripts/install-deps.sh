#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and running the demo need.
# Idempotent: does nothing when everything is already installed.
#
#   install-deps.sh            everything (`make deps`): build, tests, demo, image, packaging
#   install-deps.sh --product  only what building the `tikv-exporter` binary needs; the image's
#                              build stage (docker/Dockerfile) runs this, so the image and a
#                              developer's machine build from one list
#   install-deps.sh --bench    everything, plus the peers `make bench` measures our parser against:
#                              Go 1.19 and Debian's Go sources of VictoriaMetrics' and Prometheus'
#                              (expfmt) text parsers, built offline by tools/bench/run_benchmarks.py.
#                              About 60 packages, ~150 MB unpacked; CI (`make test`) never installs them.
set -euo pipefail

# What compiling and linking the product needs (CMakeLists.txt's find_package calls), and ccache,
# which the image's build stage uses with a cache mount.
product_packages=(
  build-essential cmake pkg-config ccache
  libboost1.81-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libcpp-httplib-dev libspdlog-dev libfmt-dev libtoml11-dev zlib1g-dev libssl-dev libcurl4-openssl-dev libcrypt-dev
  prometheus-cpp-dev libyaml-cpp-dev
)
# What the tests, the demo and the deployment checks add.
test_packages=(
  git ca-certificates curl openssl
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  librocksdb-dev
  prometheus wrk python3-prometheus-client
  chromium
  python3
  clang libclang-rt-14-dev
  # The package test (tests/packaging/): lintian, and systemd-analyze (verify, security) from systemd.
  lintian systemd
  # The image test (tests/image/): Debian's Docker engine, and mmdebstrap to make the debian:12
  # base images where no registry is reachable.
  docker.io mmdebstrap
)
# What `make bench` adds (its peers; see --bench above).
bench_packages=(
  golang-go
  golang-github-victoriametrics-victoriametrics-dev golang-github-victoriametrics-metricsql-dev
  golang-github-valyala-fastjson-dev
  golang-github-prometheus-common-dev
)

product_only=false
bench=false
case "${1:-}" in
  --product) product_only=true ;;
  --bench) bench=true ;;
  "") ;;
  *) echo "usage: $0 [--product | --bench]" >&2; exit 2 ;;
esac
packages=("${product_packages[@]}")
if ! $product_only; then packages+=("${test_packages[@]}"); fi
if $bench; then packages+=("${bench_packages[@]}"); fi

# The npm tools of the test suite: the Kubernetes manifest validators (tools/deploy/validate) and
# ESLint for the status page (web/). npm ci in a folder whose node_modules is missing or was
# installed from another package-lock.json.
install_npm_tools() {
  local dir lock_sum
  for dir in "$(dirname "$0")/../tools/deploy/validate" "$(dirname "$0")/../web"; do
    lock_sum="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
    if [ "$(cat "$dir/node_modules/.lock-sha256" 2>/dev/null)" != "$lock_sum" ]; then
      echo "install-deps: npm ci in ${dir#*/../}"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
      echo "$lock_sum" > "$dir/node_modules/.lock-sha256"
    fi
  done
}

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Debian's nodejs and npm, unless a node is already on the PATH (NodeSource's nodejs bundles npm
# and conflicts with Debian's npm package).
if ! $product_only && { ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; }; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  $product_only || install_npm_tools
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The prometheus package starts a system service; tests start their own instances on loopback.
if command -v systemctl >/dev/null 2>&1; then
  "${sudo_cmd[@]}" systemctl stop prometheus >/dev/null 2>&1 || true
fi
$product_only || install_npm_tools
