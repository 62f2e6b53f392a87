#!/usr/bin/env bash
# Installs what Cairn's build and tests need, from Debian's packages only.
# Quick and silent when everything is already present; prints what it does
# otherwise. Usage: scripts/deps.sh [build|test|bench|dist|fuzz]
# `test` also installs the API tests' npm packages (tests/interop, from its
# package-lock.json): the JWT and OpenAPI interoperability checks' and the
# browser test's.
#
# cpp-httplib is taken as the single header from Debian's *source* package for
# trixie (0.18.x with Debian's security patches); bookworm's binary package is
# 0.11.4 with unfixed CVEs. The deb-src entry reuses the URI of the machine's
# own Debian source list, so no mirror address is written into this repository.
set -euo pipefail

cd "$(dirname "$0")/.."
want=${1:-build}

# libssl-dev: OpenSSL 3, with the static libssl.a and libcrypto.a, for https
# webhook deliveries.
build_pkgs=(g++ make libsqlite3-dev libsqlitecpp-dev picojson-dev libsodium-dev libssl-dev
            doctest-dev dpkg-dev)
# chromium: headless, for the web console's browser test (tests/browser/console.js).
# systemd: `systemd-analyze verify` and `security` on the .deb's units, and
# nginx-light: `nginx -t` on the sample proxy configuration
# (tests/api/packaging_test.cpp); neither is started.
test_pkgs=(chromium systemd nginx-light)
# python3: node-gyp, which compiles the auth benchmark peer's better-sqlite3.
# sqlite3: bench/integration.sh counts pending webhook deliveries.
# slowhttptest: bench/hostile.sh's slowloris and slow-body attacks.
bench_pkgs=(wrk nginx-light procps python3 sqlite3 slowhttptest)
# make dist: Debian's cross compilers for arm64 and armhf (each brings its
# target's C and C++ libraries), qemu-user-static to smoke-test what they
# build, and file to check it. The target's own -dev libraries are not
# installed: scripts/dist.sh unpacks them into a sysroot per architecture
# under the build directory (it says why), which needs only the foreign
# architectures known to apt.
dist_pkgs=(g++-aarch64-linux-gnu g++-arm-linux-gnueabihf qemu-user-static file)
dist_archs=(arm64 armhf)
# `make fuzz`: clang 14 with libFuzzer and the sanitizer runtimes
# (libclang-rt-14-dev, only recommended by clang-14), and llvm-14 for
# llvm-symbolizer, which turns crash stacks into file:line.
fuzz_pkgs=(clang-14 libclang-rt-14-dev llvm-14)

sudo_run() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing_pkgs() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

updated=0
apt_update_once() {
  [ "$updated" -eq 1 ] && return
  # One mirror index failing to download (a mirror mid-sync, often for a
  # foreign architecture's) makes apt-get update fail as a whole though
  # every other list was refreshed; an install that really lacks a list
  # still fails below, naming the package.
  sudo_run apt-get update -qq ||
    echo "deps: apt-get update reported errors (above); going on with the lists apt has" >&2
  updated=1
}

install_pkgs() {
  local miss
  miss=$(missing_pkgs "$@")
  [ -z "$miss" ] && return
  echo "deps: installing $(echo $miss)" >&2
  apt_update_once
  # shellcheck disable=SC2086
  sudo_run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $miss >/dev/null
}

# Makes apt know the foreign architectures' packages (dpkg --add-architecture
# installs nothing; it lets apt-get download fetch arm64 and armhf .debs).
add_archs() {
  local a added=0 known
  # Read first: grep -q ending the pipe early would fail it under pipefail.
  known=$(dpkg --print-foreign-architectures)
  for a in "$@"; do
    grep -qx "$a" <<<"$known" && continue
    echo "deps: adding dpkg architecture $a" >&2
    sudo_run dpkg --add-architecture "$a"
    added=1
  done
  [ "$added" -eq 1 ] || return 0
  updated=0
  apt_update_once
}

# The URI of the machine's existing Debian archive, read from its apt sources
# (deb822 .sources files or one-line .list files).
debian_uri() {
  local uri
  uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
        awk '{print $2}' | grep -E '/debian/?$' | head -n 1 || true)
  if [ -z "$uri" ]; then
    uri=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
          awk '{for(i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' |
          grep -E '/debian/?$' | head -n 1 || true)
  fi
  [ -n "$uri" ] || { echo "deps: no Debian archive URI found in /etc/apt sources" >&2; exit 1; }
  echo "$uri"
}

fetch_httplib() {
  local header=third_party/httplib/httplib.h
  if [ -f "$header" ] && grep -q 'CPPHTTPLIB_VERSION "0\.18\.' "$header"; then
    return
  fi
  local src=/etc/apt/sources.list.d/cairn-trixie-src.sources
  if [ ! -f "$src" ]; then
    echo "deps: adding deb-src for trixie ($src)" >&2
    sudo_run tee "$src" >/dev/null <<EOF
Types: deb-src
URIs: $(debian_uri)
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    updated=0
  fi
  apt_update_once
  echo "deps: fetching cpp-httplib source package (trixie)" >&2
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get source -qq cpp-httplib/trixie >/dev/null 2>&1) || {
    echo "deps: apt-get source cpp-httplib/trixie failed" >&2; rm -rf "$tmp"; exit 1; }
  local got
  got=$(find "$tmp" -maxdepth 2 -name httplib.h -path '*cpp-httplib-*' | head -n 1)
  [ -n "$got" ] || { echo "deps: httplib.h not found in the source package" >&2; rm -rf "$tmp"; exit 1; }
  if ! grep -q 'CPPHTTPLIB_VERSION "0\.18\.' "$got"; then
    echo "deps: cpp-httplib is not the 0.18 series: $(grep -m1 CPPHTTPLIB_VERSION "$got")" >&2
    rm -rf "$tmp"; exit 1
  fi
  mkdir -p third_party/httplib
  cp "$got" "$header"
  rm -rf "$tmp"
}

# promtool, Prometheus' linter for the /metrics test, from Debian's prometheus
# package. The package is unpacked into the git-ignored third_party/, not
# installed: installing it would add a Prometheus server and its service.
fetch_promtool() {
  local dir=third_party/promtool
  [ -x "$dir/usr/bin/promtool" ] && return
  apt_update_once
  echo "deps: fetching promtool (Debian's prometheus package, unpacked only)" >&2
  local tmp
  tmp=$(mktemp -d)
  chmod 755 "$tmp"  # apt's download sandbox user must be able to write here
  (cd "$tmp" && apt-get download -qq prometheus >/dev/null 2>&1) || {
    echo "deps: apt-get download prometheus failed" >&2; rm -rf "$tmp"; exit 1; }
  dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/root"
  mkdir -p "$dir/usr/bin"
  cp "$tmp/root/usr/bin/promtool" "$dir/usr/bin/promtool"
  rm -rf "$tmp"
}

# Node.js runs the Express benchmark peer and the JWT and OpenAPI interop checks, never the server. A machine that already has node and npm (from any source) keeps them;
# otherwise Debian's packages provide both.
node_pkgs() { command -v node >/dev/null && command -v npm >/dev/null || echo nodejs npm; }

# The auth benchmark peer's better-sqlite3 is compiled against the C++ headers
# of the node that runs it, under node's prefix (bench/run.sh explains why).
# Debian's nodejs keeps them in libnode-dev; NodeSource's ships them itself. A
# node elsewhere (nvm, a tarball) has its own, or bench/run.sh says what's missing.
node_header_pkgs() {
  command -v node >/dev/null || { echo libnode-dev; return; }
  local prefix
  prefix=$(node -p 'require("path").resolve(process.execPath, "..", "..")')
  [ "$prefix" = /usr ] && [ ! -f /usr/include/node/node_version.h ] && echo libnode-dev
  return 0
}

# tests/interop/node_modules, (re)installed exactly from the lock file when it
# is missing or older than package-lock.json. npm's hidden lock file inside
# node_modules is written last, so a half-finished install counts as missing.
interop_modules() {
  local dir=tests/interop
  local stamp=$dir/node_modules/.package-lock.json
  [ -f "$stamp" ] && [ ! "$dir/package-lock.json" -nt "$stamp" ] && return
  echo "deps: npm ci in $dir" >&2
  npm ci --prefix "$dir" --no-audit --no-fund >/dev/null
}

case "$want" in
  build) install_pkgs "${build_pkgs[@]}"; fetch_httplib ;;
  test) install_pkgs "${build_pkgs[@]}" "${test_pkgs[@]}" $(node_pkgs); fetch_httplib; fetch_promtool
        interop_modules ;;
  bench) install_pkgs "${build_pkgs[@]}" "${bench_pkgs[@]}" $(node_pkgs) $(node_header_pkgs); fetch_httplib ;;
  dist) install_pkgs "${build_pkgs[@]}" "${dist_pkgs[@]}"; add_archs "${dist_archs[@]}"
        fetch_httplib ;;
  fuzz) install_pkgs "${build_pkgs[@]}" "${fuzz_pkgs[@]}"; fetch_httplib ;;
  *) echo "usage: scripts/deps.sh [build|test|bench|dist|fuzz]" >&2; exit 2 ;;
esac
