#!/usr/bin/env bash
# The release files of `make dist`, in $BUILD/dist/:
#
#   cairn-<version>-linux-amd64   static, stripped executables
#   cairn-<version>-linux-arm64   (64-bit Raspberry Pi OS / Debian arm64: Pi 3, 4, 5)
#   cairn-<version>-linux-armv7   (32-bit armhf: Pi 2, 3, 4, 5)
#   each with a .sha256 (`sha256sum -c cairn-<version>-linux-arm64.sha256`)
#   cairn_<version>_{amd64,arm64,armhf}.deb, each with a .sha256
#
# amd64 is $BUILD/cairn, which make has built natively. arm64 and armv7 are
# the same Makefile run with Debian's cross compilers into
# $BUILD/cross/<arch>/ (HOST_CXX still builds the embed generator for this
# machine). Every executable must be what `file` calls statically linked and
# stripped for its architecture, and must pass the smoke subset of the API
# tests below: natively, or under qemu-user (qemu-*-static run directly; no
# binfmt_misc needed). Any failure fails the script.
#
# The ARM libraries (SQLite, SQLiteCpp, libsodium, OpenSSL: their -dev
# packages hold the static .a files) are not installed with apt as foreign
# architecture packages, though all four are Multi-Arch: same. Co-installed
# Multi-Arch: same packages must have the same version on every
# architecture, and Debian's mirrors do not always publish a security update
# for every architecture at once (libssl-dev here was 3.0.19 installed on
# amd64 with 3.0.22 available, against 3.0.20 for arm64 and armhf), so apt
# would have to upgrade or downgrade the machine's own libssl-dev, or refuse.
# Instead each architecture's packages are fetched with `apt-get download`
# and unpacked with `dpkg-deb -x` into $BUILD/cross/<arch>/sysroot, which
# touches nothing installed; sysroot/packages records the versions used.
# (The amd64 executable links the machine's installed libraries, as every
# native build does.)
#
# Usage: BUILD=build scripts/dist.sh   (make dist runs it after building
# $BUILD/cairn and $BUILD/smoke_tests and running scripts/deps.sh dist)
set -euo pipefail

cd "$(dirname "$0")/.."
build=${BUILD:-build}
version=$(sed -nE 's/.*kVersion\[\] = "([^"]+)".*/\1/p' src/util/version.h)
[ -n "$version" ] || { echo "dist: no kVersion in src/util/version.h" >&2; exit 1; }
# The amd64 release is the native build, and the tests run natively.
[ "$(dpkg --print-architecture)" = amd64 ] ||
  { echo "dist: make dist runs on an amd64 Debian machine" >&2; exit 1; }
out=$build/dist
smoke_tests=$build/smoke_tests
[ -x "$build/cairn" ] && [ -x "$smoke_tests" ] ||
  { echo "dist: build $build/cairn and $smoke_tests first (make dist does)" >&2; exit 1; }

# The smoke subset of the API tests (tests/api/), by doctest test-case name
# (globs without commas: a comma separates doctest filters). Together: the
# server starts and migrates a fresh database (the WAL case, `cairn
# migrate`), answers /health and the database health check, registers and
# signs in a user (Argon2id, JWT), makes a QR payment through the sandbox
# bank, and stops cleanly on SIGTERM with exit 0 (the WAL case, and the
# in-flight request case). They run from $BUILD/smoke_tests, built from the
# files that hold them (SMOKE_SRCS in the Makefile); the count check in
# smoke() catches a case renamed or moved out of those files. The tests use
# the production Argon2id cost; under qemu a hash takes about ten times as
# long as natively, well within the harness's 10 s client timeout.
smoke_cases=(
  "GET /health answers ok with version*"
  "GET /api/v1/health reads the database and reports its latency"
  "the database is created in WAL mode with every migration recorded*"
  "cairn migrate applies pending migrations once"
  "register creates a user with role user*"
  "login returns a bearer access token and a refresh token*"
  "a QR payment is completed at once with a 1 % fee rounded half-up"
  "SIGTERM lets an in-flight request finish*"
)

# The libraries the ARM builds link statically (see above).
sysroot_pkgs=(libsqlite3-dev libsqlitecpp-dev libsodium-dev libssl-dev)

# The parallelism make was given (-jN), passed on explicitly: the Makefile
# adds -j<cores> itself, which would beat an inherited MAKEFLAGS=-j1.
jobs=$(sed -nE 's/(^|.* )-j([0-9]+).*/\2/p' <<<"${MAKEFLAGS:-}")
jobs=${jobs:-$(nproc)}

# $BUILD/cross/<arch>/sysroot with the candidate versions of sysroot_pkgs for
# arch; remade (with the whole cross build, so nothing links against the
# old libraries) when apt's candidates change.
make_sysroot() {
  local arch=$1 dir=$build/cross/$1 p want=''
  for p in "${sysroot_pkgs[@]}"; do
    local v
    v=$(apt-cache policy "$p:$arch" 2>/dev/null | sed -nE 's/^ *Candidate: (.*)/\1/p')
    [ -n "$v" ] && [ "$v" != "(none)" ] ||
      { echo "dist: apt knows no $p:$arch (run scripts/deps.sh dist, then apt-get update)" >&2; exit 1; }
    want+="$p $v"$'\n'
  done
  [ -f "$dir/sysroot/packages" ] && [ "$(cat "$dir/sysroot/packages")"$'\n' = "$want" ] && return
  echo "dist: unpacking ${sysroot_pkgs[*]} for $arch into $dir/sysroot" >&2
  rm -rf "$dir"
  mkdir -p "$dir/sysroot"
  local tmp
  tmp=$(mktemp -d)
  chmod 755 "$tmp"  # apt's download sandbox user must be able to write here
  # apt's warnings (an unsandboxed download as root) are shown only on failure.
  (cd "$tmp" && apt-get download -qq "${sysroot_pkgs[@]/%/:$arch}" >apt.log 2>&1) ||
    { cat "$tmp/apt.log" >&2; echo "dist: apt-get download for $arch failed" >&2
      rm -rf "$tmp"; exit 1; }
  local deb
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$dir/sysroot"; done
  rm -rf "$tmp"
  printf '%s' "$want" >"$dir/sysroot/packages"
}

# Cross-compiles $BUILD/cross/<arch>/cairn with the Makefile's own rules.
cross_build() {
  local arch=$1 triplet=$2 cxxflags=${3:-}
  make_sysroot "$arch"
  local dir=$build/cross/$arch
  local sysroot
  sysroot=$(realpath "$dir/sysroot")
  # -isystem puts the sysroot's headers before /usr/include (which the
  # cross compilers also search, and where picojson and doctest come from).
  env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -j"$jobs" --no-print-directory \
    BUILD="$dir" CXX="$triplet-g++" HOST_CXX=g++ \
    CPPFLAGS="-isystem $sysroot/usr/include/$triplet -isystem $sysroot/usr/include" \
    CXXFLAGS="$cxxflags" LDFLAGS="-L$sysroot/usr/lib/$triplet" "$dir/cairn"
}

# `file` must say: right architecture, statically linked, stripped.
check_file() {
  local bin=$1 arch_re=$2 desc
  desc=$(file -b "$bin")
  echo "dist: $(basename "$bin"): $desc"
  if ! grep -qE "$arch_re" <<<"$desc" || ! grep -q 'statically linked' <<<"$desc" ||
     grep -q 'not stripped' <<<"$desc" || ! grep -q 'stripped' <<<"$desc"; then
    echo "dist: $bin is not a stripped static executable for $arch_re" >&2
    exit 1
  fi
}

# Runs the smoke subset against bin, through qemu when one is named. The
# harness starts CAIRN_BIN itself, so it gets a wrapper that execs qemu: the
# harness's SIGTERM reaches qemu, which delivers it to the guest program.
smoke() {
  local bin=$1 qemu=$2 name=$3 cairn_bin
  cairn_bin=$(realpath "$bin")
  if [ -n "$qemu" ]; then
    cairn_bin=$build/cross/cairn-$name-qemu
    printf '#!/bin/sh\nexec %q %q "$@"\n' "$(command -v "$qemu")" "$(realpath "$bin")" >"$cairn_bin"
    chmod 755 "$cairn_bin"
    cairn_bin=$(realpath "$cairn_bin")
  fi
  local filter
  filter=$(IFS=,; echo "${smoke_cases[*]}")
  echo "dist: smoke tests for $name${qemu:+ under $qemu}"
  local log
  log=$(mktemp)
  if ! CAIRN_BIN=$cairn_bin "$smoke_tests" --test-case="$filter" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "dist: smoke tests failed for $name" >&2
    exit 1
  fi
  # doctest's summary: "[doctest] test cases: 8 | 8 passed | 0 failed | ..."
  local summary
  summary=$(grep -E '^\[doctest\] test cases:' "$log" | tail -n 1)
  rm -f "$log"
  echo "dist: $name: $summary"
  grep -qE "test cases: *${#smoke_cases[@]} \| *${#smoke_cases[@]} passed" <<<"$summary" ||
    { echo "dist: expected ${#smoke_cases[@]} smoke cases to run and pass" >&2; exit 1; }
}

# Copies bin into dist as name, checks and smoke-tests it, writes its
# checksum, and packages it as a .deb for deb_arch.
release() {
  local bin=$1 name=$2 deb_arch=$3 arch_re=$4 qemu=$5
  local exe=$out/cairn-$version-linux-$name
  install -m 0755 "$bin" "$exe"
  check_file "$exe" "$arch_re"
  smoke "$exe" "$qemu" "$name"
  (cd "$out" && sha256sum "$(basename "$exe")" >"$(basename "$exe").sha256")
  local deb
  deb=$(packaging/deb.sh --binary "$exe" --arch "$deb_arch" --out "$out")
  (cd "$out" && sha256sum "$(basename "$deb")" >"$(basename "$deb").sha256")
  echo "dist: $(basename "$deb")"
}

mkdir -p "$out"
rm -f "$out"/cairn-* "$out"/cairn_*
cross_build arm64 aarch64-linux-gnu
# -Wno-psabi: on armhf GCC notes every std::vector iterator passed by value
# ("parameter passing ... changed in GCC 7.1"), an ABI change that matters only
# when linking with code from GCC 6 or older; everything here is GCC 12's.
cross_build armhf arm-linux-gnueabihf -Wno-psabi

release "$build/cairn" amd64 amd64 'x86-64' ''
release "$build/cross/arm64/cairn" arm64 arm64 'ARM aarch64' qemu-aarch64-static
release "$build/cross/armhf/cairn" armv7 armhf 'ARM, EABI5' qemu-arm-static

(cd "$out" && sha256sum -c --quiet ./*.sha256)
echo "dist: in $out:"
(cd "$out" && ls -l cairn-* cairn_* | awk '{print "  " $5 "\t" $9}')
