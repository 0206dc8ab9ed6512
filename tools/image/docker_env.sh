# shellcheck shell=bash
# Sourced by tools/image/build_image.sh and tests/image/image_test.sh: a Docker engine that answers
# and the debian:12 / debian:12-slim base images, on a machine that may have neither running.
#   ensure_dockerd LOG_FILE   starts Debian's dockerd in the background unless `docker info` answers
#   ensure_base_images        makes debian:12 and debian:12-slim with mmdebstrap where absent
# Both need root (as the test suite runs here); `$DOCKER` is the client to call.

# `docker build` with RUN --mount needs BuildKit: Docker 23+ clients delegate it to the buildx
# plugin, and a client without the plugin refuses the build. Debian's docker.io client (20.10)
# has BuildKit built in, so it is used whenever the `docker` on the PATH has no buildx.
if docker buildx version >/dev/null 2>&1; then
  DOCKER=docker
elif [ -x /usr/bin/docker ]; then
  DOCKER=/usr/bin/docker
else
  DOCKER=docker
fi
export DOCKER DOCKER_BUILDKIT=1

ensure_dockerd() {
  local log="$1"
  if "$DOCKER" info >/dev/null 2>&1; then return 0; fi
  echo "docker_env: starting dockerd (log: $log)"
  # setsid: the daemon outlives this script and is not killed with the test's process group; later
  # runs on this machine reuse it and its build cache.
  setsid dockerd >"$log" 2>&1 </dev/null &
  local waited=0
  until "$DOCKER" info >/dev/null 2>&1; do
    if [ "$waited" -ge 60 ]; then
      echo "docker_env: dockerd did not answer within 60 s; the end of $log:" >&2
      tail -n 20 "$log" >&2
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

# No image registry is reachable here, so the bases are made from Debian's own mirror, with the same
# suites as the official images (bookworm, -updates, -security). A user with a registry pulls them.
# debian:12-slim is minbase with the documentation excluded the way the official slim image
# excludes it (dpkg path-exclude): the same size, made by another tool (mmdebstrap, not
# debuerreotype), so not byte for byte the same.
bootstrap_base() {
  local tag="$1"; shift
  if "$DOCKER" image inspect "$tag" >/dev/null 2>&1; then return 0; fi
  local tarball
  tarball="$(mktemp --suffix=.tar)"
  echo "docker_env: making $tag with mmdebstrap"
  # The merged-usr hook makes /usr merged the way the official images have it; without it
  # mmdebstrap installs the usrmerge package, which brings a full perl (about 50 MB).
  mmdebstrap --quiet --variant=minbase --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr "$@" \
    bookworm "$tarball" \
    "deb http://deb.debian.org/debian bookworm main" \
    "deb http://deb.debian.org/debian bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main"
  "$DOCKER" import --change 'CMD ["bash"]' "$tarball" "$tag" >/dev/null
  rm -f "$tarball"
}

# Both at once: each spends most of its time waiting for the mirror.
ensure_base_images() {
  local full slim failed=0
  bootstrap_base debian:12 &
  full=$!
  bootstrap_base debian:12-slim \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' &
  slim=$!
  wait "$full" || failed=1
  wait "$slim" || failed=1
  return "$failed"
}
