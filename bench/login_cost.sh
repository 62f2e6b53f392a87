#!/usr/bin/env bash
# What one sign-in costs: N sign-ins of one account over HTTP, one at a time,
# against CAIRN_BIN on a fresh database, with the production Argon2id
# parameters (src/auth/password.h; they are not configurable). Prints the
# logins' min/median/max (curl's time_total) and, for comparison, the median
# GET /api/v1/health, which hashes nothing. Needs only bash and curl, so it
# runs on a Raspberry Pi against the installed binary:
#
#   CAIRN_BIN=/usr/bin/cairn bash login_cost.sh
#
# Settings: CAIRN_BIN (build/cairn), N (30), PORT (18951), WRAP (a command
# that runs the binary, e.g. qemu-aarch64-static: emulated timings only).
set -euo pipefail

CAIRN_BIN=${CAIRN_BIN:-build/cairn} N=${N:-30} PORT=${PORT:-18951} WRAP=${WRAP:-}
dir=$(mktemp -d)
# shellcheck disable=SC2086
RATE_LIMIT_ENABLED=0 DATABASE_PATH=$dir/cairn.db HOST=127.0.0.1 PORT=$PORT \
  $WRAP "$CAIRN_BIN" serve >"$dir/log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break
  sleep 0.1
done
url=http://127.0.0.1:$PORT/api/v1
account='"email":"pi@example.com","password":"bench-pass-1"'
curl -sf -o /dev/null -X POST "$url/auth/register" -H 'Content-Type: application/json' \
  -d "{$account,\"firstName\":\"Pi\",\"lastName\":\"Bench\",\"dateOfBirth\":\"1990-01-01\"}"

# "<status> <seconds>" lines -> statuses and min/median/max in ms.
summary() {
  sort -k2 -n | awk -v what="$1" '{n[$1]++; t[NR]=$2}
    END {for (c in n) printf "%s: status %s x%d; ", what, c, n[c]
         printf "min %.1f ms, median %.1f ms, max %.1f ms\n", t[1]*1000, t[int((NR+1)/2)]*1000, t[NR]*1000}'
}
for _ in $(seq "$N"); do
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -X POST "$url/auth/login" \
    -H 'Content-Type: application/json' -d "{$account}"
done | summary "POST /auth/login x$N"
for _ in $(seq "$N"); do
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$url/health"
done | summary "GET /api/v1/health x$N"
