#!/usr/bin/env bash
# Builds the sidecar's image from docker/Dockerfile (`make image`), starting Docker's daemon and
# making the Debian base images first where this machine has none (tools/image/docker_env.sh).
#   build_image.sh [TAG]     TAG defaults to tikv-exporter:<the project's version>
# Prints how long the bases and the build took, and the image's size.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/image/docker_env.sh

version="$(sed -n 's/^project(tikv_exporter VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)"
tag="${1:-tikv-exporter:$version}"
revision="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

ensure_dockerd "${TIKV_EXPORTER_DOCKERD_LOG:-/tmp/tikv-exporter-dockerd.log}"
start=$SECONDS
ensure_base_images
bases_seconds=$((SECONDS - start))

start=$SECONDS
# --network host: the build stage's apt-get reaches the mirror the host reaches, without the
# bridge's NAT (which needs iptables rules this kind of machine may not allow).
"$DOCKER" build --network host --progress=plain --build-arg REVISION="$revision" \
  -f docker/Dockerfile -t "$tag" .
build_seconds=$((SECONDS - start))

size="$("$DOCKER" image inspect --format '{{.Size}}' "$tag")"
echo "build_image: $tag built in ${build_seconds} s (base images: ${bases_seconds} s)," \
     "$((size / 1000000)) MB"
