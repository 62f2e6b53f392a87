#!/usr/bin/env bash
# Builds cairn_<version>_<arch>.deb from a built binary, offline, with
# dpkg-deb. `make deb` runs it for build/cairn; `make dist` can run it for
# binaries of other architectures.
#
#   packaging/deb.sh [--binary PATH] [--arch ARCH] [--out DIR]
#
# Defaults: build/cairn, `dpkg --print-architecture`, the binary's directory.
# The version is kVersion in src/util/version.h. Prints the .deb's path.
set -euo pipefail

cd "$(dirname "$0")/.."
binary=build/cairn arch='' out=''
while [ $# -gt 0 ]; do
  case $1 in
    --binary) binary=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: packaging/deb.sh [--binary PATH] [--arch ARCH] [--out DIR]" >&2; exit 2 ;;
  esac
done
[ -x "$binary" ] || { echo "deb.sh: no executable at $binary (run make first)" >&2; exit 1; }
arch=${arch:-$(dpkg --print-architecture)}
out=${out:-$(dirname "$binary")}
version=$(sed -nE 's/.*kVersion\[\] = "([^"]+)".*/\1/p' src/util/version.h)
[ -n "$version" ] || { echo "deb.sh: no kVersion in src/util/version.h" >&2; exit 1; }

tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
# mktemp made it 0700; it becomes the root directory of the archive.
chmod 0755 "$tree"
# dpkg-deb takes the modes as they are in the tree; a umask must not decide them.
umask 022

# Bookworm's packages still ship units in /lib/systemd/system (merged-/usr
# systems reach it as /usr/lib/systemd/system too).
install -D -m 0755 "$binary" "$tree/usr/bin/cairn"
install -D -m 0755 packaging/cairn-backup "$tree/usr/libexec/cairn/cairn-backup"
install -D -m 0755 packaging/cairn-restore "$tree/usr/sbin/cairn-restore"
install -D -m 0644 packaging/cairn.service "$tree/lib/systemd/system/cairn.service"
install -D -m 0644 packaging/cairn-backup.service "$tree/lib/systemd/system/cairn-backup.service"
install -D -m 0644 packaging/cairn-backup.timer "$tree/lib/systemd/system/cairn-backup.timer"
# Owner-only: an operator may put JWT_SECRET in it; systemd reads it as root.
install -D -m 0600 packaging/cairn.env "$tree/etc/default/cairn"
install -D -m 0644 packaging/nginx/cairn.conf "$tree/usr/share/doc/cairn/examples/nginx-cairn.conf"
install -D -m 0644 docs/operations.md "$tree/usr/share/doc/cairn/operations.md"
install -D -m 0644 docs/scaling.md "$tree/usr/share/doc/cairn/scaling.md"
install -D -m 0644 README.md "$tree/usr/share/doc/cairn/README.md"

install -d -m 0755 "$tree/DEBIAN"
install -m 0755 packaging/postinst packaging/prerm packaging/postrm "$tree/DEBIAN/"
echo /etc/default/cairn >"$tree/DEBIAN/conffiles"
# The binary is static: no Depends. systemd runs it; ca-certificates is the
# CA bundle https webhook deliveries check receivers against.
cat >"$tree/DEBIAN/control" <<CONTROL
Package: cairn
Version: $version
Architecture: $arch
Maintainer: Cairn maintainers <cairn@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$tree" | cut -f1)
Section: web
Priority: optional
Recommends: systemd, ca-certificates
Suggests: nginx | nginx-light
Description: self-hosted JSON REST API server on one SQLite file
 Cairn is one statically linked executable that serves a JSON REST API
 (accounts, sessions, API keys, a payments sandbox, webhooks, live events)
 and keeps everything in one SQLite database. This package runs it under
 systemd as a sandboxed dynamic user with its data in /var/lib/cairn, and
 takes a daily backup with a systemd timer.
CONTROL

mkdir -p "$out"
deb="$out/cairn_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$tree" "$deb" >/dev/null
echo "$deb"
