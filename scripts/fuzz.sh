#!/usr/bin/env bash
# Runs each libFuzzer target for FUZZ_SECONDS (default 60), one after the
# other, and prints a table of executions, speed, corpus and coverage per
# target. Exits non-zero if any target crashed (or leaked, timed out, ran out
# of memory); its input is then in DIR/artifacts/<target>/ and its output in
# DIR/<target>.log. Usage: scripts/fuzz.sh DIR TARGET...
#
# Each target reads its committed seeds (tests/fuzz/corpus/<target>/) and
# writes what it finds new to DIR/corpus/<target>/, so the committed corpus
# changes only by hand (tests/fuzz/README.md: merging). A dictionary
# tests/fuzz/<target>.dict is used when there is one.
set -uo pipefail

cd "$(dirname "$0")/.."
dir=$1; shift
seconds=${FUZZ_SECONDS:-60}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

status=0
rows=()
for t in "$@"; do
  work=$dir/corpus/$t
  artifacts=$dir/artifacts/$t
  log=$dir/$t.log
  rm -rf "$artifacts"  # so what is counted below is this run's
  mkdir -p "$work" "$artifacts"
  args=(-max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/")
  [ -f "tests/fuzz/$t.dict" ] && args+=(-dict="tests/fuzz/$t.dict")
  echo "== fuzz $t (${seconds}s)"
  start=$(date +%s)
  "$dir/$t" "${args[@]}" "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  took=$(($(date +%s) - start))
  # libFuzzer's last status line: "#N DONE cov: C ft: F corp: U/Sb ...".
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
  field() { echo "$last" | sed -nE "s/.* $1: ([0-9]+).*/\1/p"; }
  stat() { sed -nE "s/^stat::$1: *([0-9]+).*/\1/p" "$log" | tail -n 1; }
  execs=$(stat number_of_executed_units)
  [ -n "$execs" ] || execs=$(echo "$last" | sed -nE 's/^#([0-9]+).*/\1/p')
  per_s=$(stat average_exec_per_sec)
  corp=$(echo "$last" | sed -nE 's/.* corp: ([0-9]+)\/.*/\1/p')
  crashes=0
  if [ "$rc" -ne 0 ]; then
    crashes=$(find "$artifacts" -type f | wc -l)
    [ "$crashes" -gt 0 ] || crashes=1
    status=1
    echo "fuzz $t: FAILED (exit $rc); see $log" >&2
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*invariant failed)' "$log" | head -n 5 >&2
    find "$artifacts" -type f -printf '  input: %p\n' >&2
  fi
  rows+=("$(printf '%-16s %7s %12s %9s %7s %6s %7s %7s' "$t" "$took" "${execs:-?}" \
    "${per_s:-?}" "${corp:-?}" "$(field cov)" "$(field ft)" "$crashes")")
done

printf '\n%-16s %7s %12s %9s %7s %6s %7s %7s\n' target seconds executions exec/s corpus \
  cov ft crashes
printf '%s\n' "${rows[@]}"
[ "$status" -eq 0 ] && echo "fuzz: no crashes" || echo "fuzz: CRASHES FOUND" >&2
exit $status
