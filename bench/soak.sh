#!/usr/bin/env bash
# The soak (issue 8); `make soak` runs it as `bash bench/soak.sh` with
# CAIRN_BIN and SOAK_BIN set. One Cairn (CAIRN_BIN) on a free 127.0.0.1 port
# with a fresh database, rate limiting off (six users make every request, at
# several times the per-user and payment limits) and webhooks allowed to
# loopback, takes SOAK_SECONDS of mixed traffic from SOAK_BIN
# (bench/soak.cpp): logins, reads, QR payments, webhook deliveries to a
# receiver in the driver, and six event streams. See bench/soak.cpp for the
# mix. Logins pay for Cairn's real password hashing, Argon2id at OWASP's
# minimum (t=2, 19 MiB, at most 2 at once): Cairn has no cheaper setting.
#
# The server's VmRSS is sampled every SOAK_SAMPLE_S seconds from the moment
# traffic starts, each sample the least and the most of ten reads over a
# second (below). The first SOAK_WARMUP seconds are warm-up (SQLite's page
# caches, the pool's threads and the allocator's arenas fill up: in a 600 s
# run, RSS rose quickly for a minute, slowly to about 3 minutes, then stayed
# within 1 MiB); the figures are resting RSS after warm-up, the most, at the
# end, and the least-squares slope over the second half of what follows, and
# the peak read.
#
# PASS when:
#   - every answer had the status its request asked for (no 5xx, no stray 4xx,
#     nothing unanswered), no event stream was ended by the server, and every
#     payment reached both its webhook and its event stream;
#   - memory stops rising: the resting RSS's fitted growth over the second
#     half (slope x that half's length) is under SOAK_GROWTH_MIB (2 MiB).
#     With the defaults that half is 60 s of about 55 requests a second, so
#     a leak of about 600 bytes a request or more fails it; a smaller one
#     needs a longer SOAK_SECONDS (the bound is on the growth, not the slope,
#     so a longer run is stricter). Caches that fill up and level off pass.
# Exit status 1 on a failure.
#
# Environment (all optional), besides bench/lib.sh's CAIRN_BIN:
#   SOAK_SECONDS     traffic, seconds                    (180)
#   SOAK_WARMUP      of which warm-up, seconds           (60)
#   SOAK_SAMPLE_S    seconds between RSS samples         (5)
#   SOAK_GROWTH_MIB  second-half growth bound, MiB       (2)
#   SOAK_BIN         bench/soak.cpp built (`make soak` sets it)
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SOAK_SECONDS=${SOAK_SECONDS:-180}
SOAK_WARMUP=${SOAK_WARMUP:-60}
SOAK_SAMPLE_S=${SOAK_SAMPLE_S:-5}
SOAK_GROWTH_MIB=${SOAK_GROWTH_MIB:-2}
SOAK_BIN=${SOAK_BIN:?set SOAK_BIN to the built bench/soak}

[ -x "$CAIRN_BIN" ] || die "no server binary at $CAIRN_BIN"
[ -x "$SOAK_BIN" ] || die "no driver at $SOAK_BIN"
for v in SOAK_SECONDS SOAK_WARMUP SOAK_SAMPLE_S SOAK_GROWTH_MIB; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive whole number (got '${!v}')"
done
[ "$SOAK_SECONDS" -ge $(( SOAK_WARMUP + 4 * SOAK_SAMPLE_S )) ] ||
  die "SOAK_SECONDS must leave at least 4 samples after SOAK_WARMUP"

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)  # the machine is shared: say how busy it was
TMP=$(mktemp -d)
BENCH_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
free_port port
start_cairn "$port" "$TMP/db" "$TMP/cairn.log" WEBHOOK_ALLOW_PRIVATE=1
SERVER_PID=$CAIRN_PID
wait_ready cairn "$SERVER_PID" "$port" /health 15 "$TMP/cairn.log"
log "cairn :$port (pid $SERVER_PID); ${SOAK_SECONDS}s of mixed traffic, load $LOAD_BEFORE"

OUT=$TMP/soak.txt
"$SOAK_BIN" "$port" "$SOAK_SECONDS" >"$OUT" 2>"$TMP/soak.err" &
DRIVER_PID=$!
PIDS+=("$DRIVER_PID")
for _ in $(seq 1 600); do  # setup: seven Argon2id registrations, a merchant
  grep -q '^traffic_started' "$OUT" 2>/dev/null && break
  kill -0 "$DRIVER_PID" 2>/dev/null || { cat "$TMP/soak.err" >&2; die "the driver failed during setup"; }
  sleep 0.1
done
grep -q '^traffic_started' "$OUT" || die "the driver's setup took over 60 s"

# Every SOAK_SAMPLE_S while traffic runs, "seconds-since-traffic-started
# resting-kB peak-kB": the least and the most of ten VmRSS reads 0.1 s apart.
# A login's Argon2id holds 19 MiB for tens of ms (two can run at once), and
# a single read that lands in one jumps by 19-38 MiB: the resting figure is
# the one that can show a leak, the peak the one that bounds memory.
SAMPLES=$TMP/rss.txt
start_us=$(now_us)
next=0
while [ "$next" -le "$SOAK_SECONDS" ]; do
  while [ $(( $(now_us) - start_us )) -lt $(( next * 1000000 )) ]; do sleep 0.1; done
  kill -0 "$SERVER_PID" 2>/dev/null || die "cairn died after $next s"
  lo='' hi=''
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    kb=$(rss_kb "$SERVER_PID")
    [ -n "$kb" ] || continue
    { [ -z "$lo" ] || [ "$kb" -lt "$lo" ]; } && lo=$kb
    { [ -z "$hi" ] || [ "$kb" -gt "$hi" ]; } && hi=$kb
    sleep 0.1
  done
  echo "$next $lo $hi" >>"$SAMPLES"
  next=$(( next + SOAK_SAMPLE_S ))
done
for _ in $(seq 1 600); do  # the driver waits at most 30 s for deliveries
  kill -0 "$DRIVER_PID" 2>/dev/null || break
  sleep 0.1
done
rc=0
kill -0 "$DRIVER_PID" 2>/dev/null && { log "the driver did not finish; stopping it"; stop_pid "$DRIVER_PID"; rc=1; }
[ "$rc" -eq 0 ] && { wait "$DRIVER_PID" || rc=$?; }
forget_pid "$DRIVER_PID"
[ "$rc" -eq 0 ] || { cat "$TMP/soak.err" >&2; die "the driver failed (exit $rc)"; }
kill -0 "$SERVER_PID" 2>/dev/null || die "cairn died at the end"
HWM_KB=$(rss_kb "$SERVER_PID" VmHWM)

value() { awk -v k="$1" '$1 == k { print $2 }' "$OUT"; }

# Memory, resting: after warm-up, max, end; slope (MiB/min) and fitted growth
# (MiB) over the second half of the samples after warm-up. Peak: the most
# read after warm-up.
read -r rss_start rss_max rss_end slope growth half_s rss_peak < <(awk -v w="$SOAK_WARMUP" '
  BEGIN { n = 0; m = 0; max = 0; peak = 0 }
  $1 >= w { t[n] = $1; k[n] = $2; if ($3 > peak) peak = $3; n++ }
  END {
    mid = t[0] + (t[n - 1] - t[0]) / 2
    for (i = 0; i < n; i++) {
      if (k[i] > max) max = k[i]
      if (t[i] >= mid) { m++; sx += t[i]; sy += k[i]; sxx += t[i] * t[i]; sxy += t[i] * k[i] }
    }
    b = (m * sxx - sx * sx) != 0 ? (m * sxy - sx * sy) / (m * sxx - sx * sx) : 0  # kB per s
    printf "%.2f %.2f %.2f %.3f %.2f %d %.2f\n", k[0] / 1024, max / 1024, k[n - 1] / 1024,
           b * 60 / 1024, b * (t[n - 1] - mid) / 1024, t[n - 1] - mid, peak / 1024
  }' "$SAMPLES")

why=()
unexpected=$(value unexpected)
[ "$unexpected" = 0 ] || why+=("$unexpected answers with another status than asked")
payments=$(value payments) deliveries=$(value webhook_deliveries) messages=$(value stream_messages)
[ "${payments:-0}" -gt 0 ] || why+=("no payment went through")
[ "$deliveries" -ge "$payments" ] || why+=("$deliveries webhook deliveries for $payments payments")
[ "$messages" -ge "$payments" ] || why+=("$messages stream messages for $payments payments")
[ "$(value streams_ended_early)" = 0 ] || why+=("$(value streams_ended_early) streams ended by the server")
awk -v g="$growth" -v b="$SOAK_GROWTH_MIB" 'BEGIN { exit !(g < b) }' ||
  why+=("RSS grew $growth MiB over the second half")

line=$(printf '%.0s-' $(seq 1 78))
echo
echo "Cairn soak  $(date -u '+%Y-%m-%d %H:%M UTC')  $(nproc) cores, load average (1 min) before the run $LOAD_BEFORE"
echo "$CAIRN_BIN; ${SOAK_SECONDS} s of traffic (${SOAK_WARMUP} s warm-up), RSS every ${SOAK_SAMPLE_S} s"
echo "$line"
printf '%-44s %12s\n' "requests answered (all kinds)" "$(value requests)"
awk '$1 == "status" { printf "%-44s %12s\n", "  status " ($2 == 0 ? "none (no answer)" : $2), $3 }' "$OUT"
printf '%-44s %12s\n' "answers with another status than asked" "$unexpected"
printf '%-44s %12s\n' "QR payments (201)" "$payments"
printf '%-44s %12s\n' "webhook deliveries received" "$deliveries"
printf '%-44s %12s\n' "event-stream messages received" "$messages"
printf '%-44s %12s\n' "event streams opened / ended by the server" "$(value streams_opened) / $(value streams_ended_early)"
echo "$line"
printf '%-44s %12s\n' "RSS resting, after warm-up (MiB)" "$rss_start"
printf '%-44s %12s\n' "RSS resting, max after warm-up (MiB)" "$rss_max"
printf '%-44s %12s\n' "RSS resting, at the end (MiB)" "$rss_end"
printf '%-44s %12s\n' "RSS peak read after warm-up (MiB)" "$rss_peak"
printf '%-44s %12s\n' "VmHWM at the end (MiB)" "$(awk -v k="$HWM_KB" 'BEGIN { printf "%.2f", k / 1024 }')"
printf '%-44s %12s\n' "second-half slope (MiB/min)" "$slope"
printf '%-44s %12s  < %s MiB\n' "second-half fitted growth over ${half_s} s (MiB)" "$growth" "$SOAK_GROWTH_MIB"
echo "$line"
echo "RSS resting (s after traffic started: MiB):"
awk '{ printf "%s%d:%.1f", (NR > 1 ? (NR % 10 == 1 ? "\n" : "  ") : ""), $1, $2 / 1024 } END { print "" }' "$SAMPLES"
if [ -s "$TMP/soak.err" ]; then
  echo "driver's notes:"
  cat "$TMP/soak.err"
fi
if [ ${#why[@]} -gt 0 ]; then
  printf 'soak: FAIL: %s\n' "${why[@]}"
  exit 1
fi
echo "soak: PASS"
