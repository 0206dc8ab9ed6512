#!/usr/bin/env bash
# Builds tikv-exporter_<version>_<arch>.deb from a built binary, with dpkg-deb from a staging
# tree (no debhelper): the binary in /usr/bin, the example config as a conffile in
# /etc/tikv-exporter/ (its RocksDB log path set to TiUP's TiKV data dir), the systemd unit,
# copyright and changelog. The files it packages live in tools/deploy/debian/.
#
#   tools/deploy/build_deb.sh BINARY OUT_DIR     prints the .deb's path
#
# The version is the binary's own (`--version`) and must head debian/changelog.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BINARY OUT_DIR" >&2
  exit 2
fi
binary=$1
out_dir=$2
repo=$(cd "$(dirname "$0")/../.." && pwd)
debian=$repo/tools/deploy/debian
# TiUP's default TiKV data dir (global data_dir /tidb-data, instance tikv-<port>); the unit's
# ReadOnlyPaths= names the same directory.
tiup_log_path=/tidb-data/tikv-20160/rocksdb.info

version=$("$binary" --version | awk '{print $2}')
changelog_version=$(sed -n '1s/^tikv-exporter (\([^)]*\)).*/\1/p' "$debian/changelog")
if [ "$version" != "$changelog_version" ]; then
  echo "build_deb: the binary is version $version but $debian/changelog starts with" \
       "$changelog_version: add a changelog entry" >&2
  exit 1
fi
arch=$(dpkg --print-architecture)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
pkg=$stage/pkg
doc=$pkg/usr/share/doc/tikv-exporter

install -D -m 0755 "$binary" "$pkg/usr/bin/tikv-exporter"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$pkg/usr/bin/tikv-exporter"
install -D -m 0644 "$debian/tikv-exporter.service" "$pkg/lib/systemd/system/tikv-exporter.service"
install -D -m 0644 "$debian/copyright" "$doc/copyright"
gzip -9n < "$debian/changelog" > "$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

config=$pkg/etc/tikv-exporter/tikv-exporter.toml
install -D -m 0644 "$repo/config/tikv-exporter.toml" "$config"
sed -i "s|^log_path = \"[^\"]*\"|log_path = \"$tiup_log_path\"|" "$config"
if ! grep -q "^log_path = \"$tiup_log_path\"" "$config"; then
  echo "build_deb: config/tikv-exporter.toml has no log_path line to point at TiUP's data dir" >&2
  exit 1
fi

mkdir -p "$pkg/DEBIAN"
install -m 0644 "$debian/conffiles" "$pkg/DEBIAN/conffiles"
install -m 0755 "$debian/postinst" "$debian/prerm" "$debian/postrm" "$pkg/DEBIAN/"

# dpkg-shlibdeps reads the shared libraries' package names from a source tree's debian/control.
mkdir -p "$stage/src/debian"
printf 'Source: tikv-exporter\n\nPackage: tikv-exporter\nArchitecture: any\n' \
  > "$stage/src/debian/control"
shlibs=$(cd "$stage/src" && dpkg-shlibdeps -O "$pkg/usr/bin/tikv-exporter" 2>/dev/null |
         sed -n 's/^shlibs:Depends=//p')
if [ -z "$shlibs" ]; then
  echo "build_deb: dpkg-shlibdeps found no dependencies for $binary" >&2
  exit 1
fi
installed_size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@INSTALLED_SIZE@|$installed_size|" \
    -e "s|@SHLIBS_DEPENDS@|$shlibs|" "$debian/control.in" > "$pkg/DEBIAN/control"

mkdir -p "$out_dir"
deb=$out_dir/tikv-exporter_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb"
