#!/usr/bin/env bash
# Runs the unit and API test binaries and prints, as the last line,
# "N passed, M failed" over all test cases. Exits non-zero on any failure.
# Usage: scripts/run_tests.sh UNIT_TESTS API_TESTS CAIRN_BINARY
set -uo pipefail

unit=$1 api=$2 bin=$3
passed=0 failed=0 status=0

run() {
  local name=$1; shift
  local out
  out=$(mktemp)
  echo "== $name"
  "$@" 2>&1 | tee "$out"
  local rc=${PIPESTATUS[0]}
  # doctest's summary: "[doctest] test cases: 12 | 11 passed | 1 failed | 0 skipped"
  local line
  line=$(grep -E '^\[doctest\] test cases:' "$out" | tail -n 1)
  if [ -z "$line" ]; then
    echo "$name: no doctest summary (crashed?)" >&2
    failed=$((failed + 1)); status=1
  else
    passed=$((passed + $(echo "$line" | sed -E 's/.*\| *([0-9]+) passed.*/\1/')))
    failed=$((failed + $(echo "$line" | sed -E 's/.*\| *([0-9]+) failed.*/\1/')))
  fi
  [ "$rc" -eq 0 ] || status=1
  rm -f "$out"
}

run "unit tests" "$unit"
CAIRN_BIN="$bin" run "API tests ($bin)" "$api"

echo "$passed passed, $failed failed"
exit $status
