#!/usr/bin/env bash
# The integration-surfaces benchmark (issue 7); `make bench` runs it after
# bench/payments.sh as `bash bench/integration.sh` with EVENTS_BIN set (the
# driver, bench/events_bench.cpp). Over loopback only, it measures:
#
# Webhook fan-out: BENCH_FANOUT_PAYERS payers each with a webhook for
#   transaction.completed to a receiver in the driver. Paced QR payments
#   (BENCH_FANOUT_RATE/s) give the time from a payment's 201 to its delivery
#   (p50, p99); a burst of BENCH_FANOUT_BURST payments gives deliveries per
#   second.
# /auth/me while deliveries are stuck: wrk on GET /api/v1/auth/me before,
#   and while BENCH_BACKLOG deliveries are pending to a receiver that never
#   answers (every sender busy until its timeout), A/B interleaved on one
#   server; the ratio must stay within 10 %.
# Event streams: BENCH_SSE_STREAMS streams held open (RSS before and after,
#   per stream), then paced payments and the time from each 201 to its
#   message on a stream.
#
# Environment (all optional), besides bench/lib.sh's settings:
#   BENCH_FANOUT_PAYERS  (20)  BENCH_FANOUT_PACED (300)  BENCH_FANOUT_RATE (100)
#   BENCH_FANOUT_BURST   (2000)
#   BENCH_BACKLOG        (1000)
#   BENCH_SSE_STREAMS    (200)  BENCH_SSE_PAYMENTS (200)
#   EVENTS_BIN           bench/events_bench.cpp built (`make bench` sets it)
# Misses are reported, not failed; the exit status is non-zero only if
# something could not be started or measured.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_FANOUT_PAYERS=${BENCH_FANOUT_PAYERS:-20}
BENCH_FANOUT_PACED=${BENCH_FANOUT_PACED:-300}
BENCH_FANOUT_RATE=${BENCH_FANOUT_RATE:-100}
BENCH_FANOUT_BURST=${BENCH_FANOUT_BURST:-2000}
BENCH_BACKLOG=${BENCH_BACKLOG:-1000}
BENCH_SSE_STREAMS=${BENCH_SSE_STREAMS:-200}
BENCH_SSE_PAYMENTS=${BENCH_SSE_PAYMENTS:-200}
EVENTS_BIN=${EVENTS_BIN:?set EVENTS_BIN to the built bench/events_bench}

BENCH_PASSWORD=benchPassw0rd
BENCH_EMAIL=me@example.com

T_ME_WITH_BACKLOG=0.90   # /auth/me rps with 1,000 stuck deliveries / without >=

TMP=$(mktemp -d)
BENCH_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
[ -x "$CAIRN_BIN" ] || die "no server binary at $CAIRN_BIN"
[ -x "$EVENTS_BIN" ] || die "no driver at $EVENTS_BIN"

# value NAME FILE: the number after NAME in the driver's output.
value() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

# start PORT_VAR DIR EXTRA_ENV...: a Cairn that may deliver to loopback.
start() {
  local -n port_ref=$1
  free_port port_ref
  start_cairn "$port_ref" "$TMP/$2" "$TMP/$2.log" WEBHOOK_ALLOW_PRIVATE=1 "${@:3}"
  wait_ready cairn "$CAIRN_PID" "$port_ref" /health 15 "$TMP/$2.log"
}

# --- webhook fan-out ---------------------------------------------------------
start fport fanout
log "fan-out: $BENCH_FANOUT_PAYERS payers, $BENCH_FANOUT_PACED paced payments at $BENCH_FANOUT_RATE/s, then a burst of $BENCH_FANOUT_BURST"
"$EVENTS_BIN" fanout "$fport" "$BENCH_FANOUT_PAYERS" "$BENCH_FANOUT_PACED" "$BENCH_FANOUT_RATE" \
  "$BENCH_FANOUT_BURST" >"$TMP/fanout.txt" || die "the fan-out driver failed"
stop_pid "$CAIRN_PID"; forget_pid "$CAIRN_PID"

# --- /auth/me with stuck deliveries ------------------------------------------
start mport backlog
http_call POST "$mport" /api/v1/auth/register \
  "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\",\"firstName\":\"Bench\",\"lastName\":\"Mark\",\"dateOfBirth\":\"1990-01-01\"}" &&
  [ "$HTTP_STATUS" = 201 ] || die "register answered ${HTTP_STATUS:-nothing}"
login_token "$mport"
ME_URL="http://$HOST:$mport/api/v1/auth/me"
RSS_PID=$CAIRN_PID
bench_target "/auth/me, nothing pending" "$ME_URL" -H "Authorization: Bearer $TOKEN"
base1=$W_RPS
log "leaving $BENCH_BACKLOG deliveries pending to a receiver that never answers"
"$EVENTS_BIN" backlog "$mport" "$BENCH_BACKLOG" >"$TMP/backlog.txt" &
BACKLOG_PID=$!
PIDS+=("$BACKLOG_PID")
for _ in $(seq 1 600); do
  grep -q '^pending' "$TMP/backlog.txt" 2>/dev/null && break
  kill -0 "$BACKLOG_PID" 2>/dev/null || die "the backlog driver failed"
  sleep 0.1
done
grep -q '^pending' "$TMP/backlog.txt" || die "the backlog was not made within 60 s"
sleep 1  # the dispatcher queues the last deliveries
pending=$(sqlite3 "$TMP/backlog/cairn.db" \
  "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'" 2>/dev/null || echo "?")
bench_target "/auth/me, $BENCH_BACKLOG deliveries stuck" "$ME_URL" -H "Authorization: Bearer $TOKEN"
stuck1=$W_RPS
bench_target "/auth/me, nothing pending (again)" "$ME_URL" -H "Authorization: Bearer $TOKEN"
base2=$W_RPS
stop_pid "$BACKLOG_PID"; forget_pid "$BACKLOG_PID"
stop_pid "$CAIRN_PID"; forget_pid "$CAIRN_PID"
me_base=$(awk -v a="$base1" -v b="$base2" 'BEGIN { printf "%.0f", (a + b) / 2 }')

# --- event streams -------------------------------------------------------------
# Each stream holds a worker: room for the streams and the payments beside them.
start sport sse WORKER_THREADS=$(( BENCH_SSE_STREAMS + 64 )) SSE_MAX_CLIENTS=$(( BENCH_SSE_STREAMS + 8 ))
log "event streams: $BENCH_SSE_STREAMS held open, then $BENCH_SSE_PAYMENTS payments"
"$EVENTS_BIN" sse "$sport" "$CAIRN_PID" "$BENCH_SSE_STREAMS" "$BENCH_SSE_PAYMENTS" >"$TMP/sse.txt" ||
  die "the stream driver failed"
stop_pid "$CAIRN_PID"; forget_pid "$CAIRN_PID"

# --- figures -------------------------------------------------------------------
F=$TMP/fanout.txt S=$TMP/sse.txt
rss_before=$(value sse_rss_before_kb "$S") rss_after=$(value sse_rss_after_kb "$S")
per_stream=$(awk -v a="$rss_after" -v b="$rss_before" -v n="$BENCH_SSE_STREAMS" \
  'BEGIN { printf "%.1f", (a - b) / n }')
echo
echo "== integration surfaces ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores)"
printf '%-44s %12s  %-12s %s\n' "figure" "value" "target" ""
figure "webhook: payment -> delivery p50 (ms)" "$(value webhook_latency_p50_ms "$F")"
figure "webhook: payment -> delivery p99 (ms)" "$(value webhook_latency_p99_ms "$F")"
figure "webhook: deliveries/s (burst of $(value burst_payments "$F"))" "$(value burst_deliveries_per_s "$F")"
figure "  payments/s during that burst" "$(value burst_payments_per_s "$F")"
figure "/auth/me rps, nothing pending (mean of 2)" "$me_base"
figure "/auth/me rps, $pending deliveries stuck" "$stuck1"
figure "/auth/me stuck / nothing pending" "$(ratio "$stuck1" "$me_base")" ">=" "$T_ME_WITH_BACKLOG"
figure "SSE: RSS before streams (MB)" "$(kb_to_mb "$rss_before")"
figure "SSE: RSS with $(value sse_streams "$S") streams (MB)" "$(kb_to_mb "$rss_after")"
figure "SSE: RSS per stream (kB)" "$per_stream"
figure "SSE: payment -> event p50 (ms)" "$(value sse_latency_p50_ms "$S")"
figure "SSE: payment -> event p99 (ms)" "$(value sse_latency_p99_ms "$S")"
