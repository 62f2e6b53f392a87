#!/usr/bin/env bash
# Hostile clients (issue 8); `make hostile` runs it as `bash bench/hostile.sh`
# with CAIRN_BIN and HOSTILE_BIN set. One Cairn (CAIRN_BIN, default settings
# apart from rate limiting, which is off: the probe alone exceeds a user's
# 60/min) on a free 127.0.0.1 port with a fresh database; one account signed
# in. Then, each for HOSTILE_SECONDS while the probe (HOSTILE_BIN probe: GET
# /health and GET /api/v1/auth/me, HOSTILE_RATE a second each, a new
# connection per request, 5 s timeout) measures what a well-behaved client
# gets:
#
#   baseline    nothing else
#   slowloris   slowhttptest -H: HOSTILE_SLOW_CONNS connections sending one
#               more header line every 3 s, never finishing the request (3 s
#               is under READ_TIMEOUT_S, 5 s, so no read times out)
#   slow body   slowhttptest -B: the same, POST /api/v1/auth/login with a
#               JSON Content-Length of 8192 whose body arrives a few bytes
#               every 3 s
#   idle        HOSTILE_IDLE_CONNS keep-alive connections, one GET /health
#               each, then idle until the server closes them
#   idle, held  the same, each sending GET /health again every 4 s (so no
#               keep-alive timeout fires) and reopened if closed
#   oversized   HOSTILE_OVERSIZE_CLIENTS clients in a loop sending request
#               lines of 20-64 KiB, a 9 KiB header, 100 headers, 20-64 KiB of
#               headers: each must get 400/414/431 or a close within 5 s
#
# Each attack starts HOSTILE_RAMP seconds before the probe, so its connections
# are in place when measuring begins. After each, the script waits (at most
# 15 s) for /health to answer again before the next.
#
# A scenario PASSes when both probes have p99 < 100 ms and no failure, the
# server's peak RSS (VmRSS sampled every 0.5 s) stays under HOSTILE_RSS_MIB,
# and (oversized) nothing hung or got another status, and /health answers
# again within 15 s of the attack's end. Exit status 1 if any
# scenario fails or something could not be started.
#
# Environment (all optional), besides bench/lib.sh's CAIRN_BIN and
# BENCH_WORKER_THREADS (WORKER_THREADS for the Cairn started):
#   HOSTILE_SECONDS          probe run per attack, seconds        (20)
#   HOSTILE_BASELINE_SECONDS probe run with no attack, seconds     (10)
#   HOSTILE_RAMP             attack's head start, seconds          (4)
#   HOSTILE_RATE             probe requests per second, per path   (20)
#   HOSTILE_SLOW_CONNS       slowhttptest connections              (2000)
#   HOSTILE_IDLE_CONNS       idle keep-alive connections           (4000)
#   HOSTILE_OVERSIZE_CLIENTS oversized-request clients             (32)
#   HOSTILE_RSS_MIB          peak RSS bound, MiB                   (64)
#   HOSTILE_BIN              bench/hostile.cpp built (`make hostile` sets it)
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HOSTILE_SECONDS=${HOSTILE_SECONDS:-20}
HOSTILE_BASELINE_SECONDS=${HOSTILE_BASELINE_SECONDS:-10}
HOSTILE_RAMP=${HOSTILE_RAMP:-4}
HOSTILE_RATE=${HOSTILE_RATE:-20}
HOSTILE_SLOW_CONNS=${HOSTILE_SLOW_CONNS:-2000}
HOSTILE_IDLE_CONNS=${HOSTILE_IDLE_CONNS:-4000}
HOSTILE_OVERSIZE_CLIENTS=${HOSTILE_OVERSIZE_CLIENTS:-32}
# The bound on peak RSS. Idle, Cairn is about 6 MiB (bench/RESULTS.md); a
# login's Argon2id takes 19 MiB while it runs (none runs during the attacks;
# the one at the start is freed). Holding 5,000 connections should cost a
# few KiB each (socket state and a small read buffer): 5,000 x 8 KiB is
# 40 MiB. 64 MiB is that, the idle process and headroom; a server that
# spends a thread stack's worth of touched memory or a full header buffer
# (16 KiB) per slow client goes past it.
HOSTILE_RSS_MIB=${HOSTILE_RSS_MIB:-64}
HOSTILE_BIN=${HOSTILE_BIN:?set HOSTILE_BIN to the built bench/hostile}
T_P99_MS=100

BENCH_PASSWORD=benchPassw0rd
BENCH_EMAIL=me@example.com

for t in slowhttptest awk; do
  command -v "$t" >/dev/null || die "$t not found (run scripts/deps.sh bench)"
done
[ -x "$CAIRN_BIN" ] || die "no server binary at $CAIRN_BIN"
[ -x "$HOSTILE_BIN" ] || die "no driver at $HOSTILE_BIN"
for v in HOSTILE_SECONDS HOSTILE_BASELINE_SECONDS HOSTILE_RAMP HOSTILE_RATE HOSTILE_SLOW_CONNS \
         HOSTILE_IDLE_CONNS HOSTILE_OVERSIZE_CLIENTS HOSTILE_RSS_MIB; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive whole number (got '${!v}')"
done

# Thousands of sockets on both sides: raise the open-file limit (inherited by
# the server and every client started below) as far as the hard limit lets.
hard=$(ulimit -Hn)
want=65536
[ "$hard" != unlimited ] && [ "$hard" -lt "$want" ] && want=$hard
ulimit -n "$want"
[ "$want" -ge $(( HOSTILE_IDLE_CONNS + HOSTILE_SLOW_CONNS )) ] ||
  log "warning: open files limit $want is low for $HOSTILE_IDLE_CONNS idle and $HOSTILE_SLOW_CONNS slow connections; the server and clients may run out of sockets"

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)  # the machine is shared: say how busy it was
TMP=$(mktemp -d)
BENCH_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
free_port port
start_cairn "$port" "$TMP/db" "$TMP/cairn.log"
SERVER_PID=$CAIRN_PID
wait_ready cairn "$SERVER_PID" "$port" /health 15 "$TMP/cairn.log"
http_call POST "$port" /api/v1/auth/register \
  "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\",\"firstName\":\"Bench\",\"lastName\":\"Mark\",\"dateOfBirth\":\"1990-01-01\"}" || true
[ "$HTTP_STATUS" = 201 ] || die "register answered ${HTTP_STATUS:-nothing}"
login_token "$port"  # access tokens live 15 minutes; the whole run takes about 3
log "cairn :$port (pid $SERVER_PID), open files limit $(ulimit -n), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"

value() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

# sampler OUT: VmRSS (kB) and thread count of the server every 0.5 s, one
# "rss threads" line each, until killed.
sampler() {
  while kill -0 "$SERVER_PID" 2>/dev/null; do
    echo "$(rss_kb "$SERVER_PID") $(rss_kb "$SERVER_PID" Threads)" >>"$1"
    sleep 0.5
  done
}

# wait_pid PID SECONDS: waits for PID to end by itself, stops it after SECONDS.
wait_pid() {
  local i
  for i in $(seq 1 $(( $2 * 10 ))); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  stop_pid "$1"
}

# recover: seconds until /health answers 200 again (at most 15), or "no".
recover() {
  local start i
  start=$(now_us)
  for i in $(seq 1 150); do
    if probe "$port" /health; then
      awk -v us=$(( $(now_us) - start )) 'BEGIN { printf "%.1f", us / 1e6 }'
      return
    fi
    sleep 0.1
  done
  echo no
}

ROWS=() NOTES=() FAILED=0
row() { printf '%-14s %7s %7s %8s %5s  %7s %7s %8s %5s  %8s %7s  %s\n' "$@"; }

# scenario NAME SECONDS [ATTACK COMMAND...]: the attack in the background
# (its output in $TMP/NAME.out), the probe after HOSTILE_RAMP s, then the
# verdict. The attack must end by itself shortly after the probe.
scenario() {
  local name=$1 secs=$2 safe=${1//[^A-Za-z0-9]/_}
  shift 2
  local samples=$TMP/$safe.samples probe_out=$TMP/$safe.probe attack_out=$TMP/$safe.out
  : >"$samples"
  sampler "$samples" &
  local sampler_pid=$!
  PIDS+=("$sampler_pid")
  local attack_pid=
  if [ $# -gt 0 ]; then
    log "$name: $*"
    "$@" >"$attack_out" 2>&1 &
    attack_pid=$!
    PIDS+=("$attack_pid")
    sleep "$HOSTILE_RAMP"
  fi
  log "$name: probing for ${secs}s"
  timeout $(( secs + 30 )) "$HOSTILE_BIN" probe "$port" "$TOKEN" "$secs" "$HOSTILE_RATE" >"$probe_out" ||
    die "the probe failed in $name"
  [ -n "$attack_pid" ] && wait_pid "$attack_pid" 15
  stop_pid "$sampler_pid"
  kill -0 "$SERVER_PID" 2>/dev/null || die "cairn died during $name"
  local back
  back=$(recover)

  local peak_kb peak_threads rss_mib verdict=PASS why=()
  peak_kb=$(awk '$1 > m { m = $1 } END { print m + 0 }' "$samples")
  peak_threads=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$samples")
  rss_mib=$(awk -v k="$peak_kb" 'BEGIN { printf "%.1f", k / 1024 }')
  local p
  for p in health me; do
    awk -v a="$(value ${p}_p99_ms "$probe_out")" -v b="$T_P99_MS" 'BEGIN { exit !(a < b) }' ||
      why+=("$p p99")
    [ "$(value ${p}_fail "$probe_out")" = 0 ] || why+=("$p failures")
  done
  awk -v a="$rss_mib" -v b="$HOSTILE_RSS_MIB" 'BEGIN { exit !(a < b) }' || why+=("RSS")
  if [ -f "$attack_out" ] && grep -q '^oversize_hang' "$attack_out"; then
    [ "$(value oversize_hang "$attack_out")" = 0 ] || why+=("oversized hung")
    [ "$(value oversize_unexpected "$attack_out")" = 0 ] || why+=("oversized status")
  fi
  [ "$back" = no ] && why+=("no recovery")
  if [ ${#why[@]} -gt 0 ]; then
    local joined
    joined=$(IFS=,; echo "${why[*]}")
    verdict="FAIL (${joined//,/, })"
    FAILED=1
  fi
  local f=$probe_out
  ROWS+=("$(row "$name" "$(value health_p50_ms "$f")" "$(value health_p99_ms "$f")" \
    "$(value health_max_ms "$f")" "$(value health_fail "$f")/$(value health_count "$f")" \
    "$(value me_p50_ms "$f")" "$(value me_p99_ms "$f")" "$(value me_max_ms "$f")" \
    "$(value me_fail "$f")/$(value me_count "$f")" "$rss_mib" "$peak_threads" "$verdict")")
  NOTES+=("$name: $(attack_note "$attack_out" "$probe_out"); /health again after ${back} s")
  log "${ROWS[-1]}"
}

# attack_note ATTACK_OUT PROBE_OUT: one line on what the attack achieved and
# how the probe's requests failed.
attack_note() {
  local a=$1 f=$2 note=
  local kinds
  kinds=$(awk '$1 ~ /_fail_(timeout|connection|status)$/ && $2 > 0 { sub(/_fail_/, " ", $1); printf "%s%s %s", (n++ ? ", " : ""), $1, $2 }' "$f")
  if [ ! -f "$a" ]; then
    note="no attack"
  elif grep -q 'slow HTTP test status' "$a"; then
    # slowhttptest prints a status block every 5 s, in colour: the most
    # connections it held at once, and its last counts.
    note=$(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$a" | awk '
      $1 == "connected:" { v[$1] = $2; if ($2 > m) m = $2 }
      $1 == "pending:" || $1 == "closed:" || $1 == "error:" { v[$1] = $2 }
      END { printf "slowhttptest held at most %d connected; at its last report %d connected, %d pending, %d closed, %d errors",
            m, v["connected:"], v["pending:"], v["closed:"], v["error:"] }')
  elif grep -q '^idle_opened' "$a"; then
    note="opened $(value idle_opened "$a") ($(value idle_connect_failed "$a") failed), answered $(value idle_answers "$a") of $(value idle_requests "$a") requests, at most $(value idle_peak_answered_open "$a") answered and open at once, $(value idle_closed_by_server "$a") closed by the server, $(value idle_open_at_end "$a") open at the end ($(value idle_waiting_at_end "$a") still waiting for an answer)"
  elif grep -q '^oversize_requests' "$a"; then
    note="$(value oversize_requests "$a") requests, $(value oversize_hang "$a") hung, $(value oversize_unexpected "$a") other statuses, slowest $(value oversize_max_ms "$a") ms; $(awk '$1 == "oversize_outcome" { printf "%s%s %s %s", (n++ ? ", " : ""), $2, $3, $4 }' "$a")"
  fi
  [ -n "$kinds" ] && note+="; probe failures: $kinds"
  echo "$note"
}

url=http://$HOST:$port
scenario baseline "$HOSTILE_BASELINE_SECONDS"
attack_s=$(( HOSTILE_RAMP + HOSTILE_SECONDS + 2 ))
scenario slowloris "$HOSTILE_SECONDS" slowhttptest -H -c "$HOSTILE_SLOW_CONNS" -r 500 -i 3 -x 24 \
  -p 5 -l "$attack_s" -t GET -u "$url/health"
scenario "slow body" "$HOSTILE_SECONDS" slowhttptest -B -c "$HOSTILE_SLOW_CONNS" -r 500 -i 3 -x 24 \
  -p 5 -l "$attack_s" -s 8192 -f application/json -t POST -u "$url/api/v1/auth/login"
scenario idle "$HOSTILE_SECONDS" "$HOSTILE_BIN" idle "$port" "$HOSTILE_IDLE_CONNS" "$attack_s" 0
scenario "idle, held" "$HOSTILE_SECONDS" "$HOSTILE_BIN" idle "$port" "$HOSTILE_IDLE_CONNS" "$attack_s" 4
scenario oversized "$HOSTILE_SECONDS" "$HOSTILE_BIN" oversize "$port" "$attack_s" "$HOSTILE_OVERSIZE_CLIENTS"

print_report() {
  local line
  line=$(printf '%.0s-' $(seq 1 118))
  echo
  echo "Cairn hostile clients  $(date -u '+%Y-%m-%d %H:%M UTC')  $(nproc) cores, load average (1 min) before the run $LOAD_BEFORE"
  echo "$CAIRN_BIN, WORKER_THREADS ${BENCH_WORKER_THREADS:-default}, rate limiting off; probe: $HOSTILE_RATE req/s per path, new connection each, 5 s timeout"
  echo "attacks: $HOSTILE_SLOW_CONNS slow connections, $HOSTILE_IDLE_CONNS idle connections, $HOSTILE_OVERSIZE_CLIENTS oversized-request clients; ${HOSTILE_SECONDS} s each (baseline ${HOSTILE_BASELINE_SECONDS} s)"
  echo "pass: p99 < $T_P99_MS ms and no failures on both probes, peak RSS < $HOSTILE_RSS_MIB MiB"
  echo "$line"
  row "" "/health" "" "" "" "/auth/me" "" "" "" "peak RSS" "peak" ""
  row scenario "p50 ms" "p99 ms" "max ms" "fail" "p50 ms" "p99 ms" "max ms" "fail" "MiB" "threads" verdict
  echo "$line"
  printf '%s\n' "${ROWS[@]}"
  echo "$line"
  printf '%s\n' "${NOTES[@]}" | fold -s -w 118
}
print_report | sed 's/[[:space:]]*$//'  # no trailing blanks in the table
[ "$FAILED" -eq 0 ] || { echo "hostile: at least one scenario FAILED"; exit 1; }
echo "hostile: every scenario passed"
