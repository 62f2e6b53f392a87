#!/usr/bin/env bash
# Cairn's benchmark harness; `make bench` runs it as `bash bench/run.sh` after
# `scripts/deps.sh bench` and `make`. It compares build/cairn with two peers on
# this machine, over loopback only:
#   nginx-light  returning a constant body: the HTTP ceiling of machine + wrk,
#                with worker_processes auto (the target's ceiling) and 1;
#   httplib hello the same cpp-httplib header and settings as Cairn with no
#                middleware (bench/peers/httplib_hello.cpp): the framework's
#                ceiling, so Cairn's own cost and httplib's are told apart;
#   Express 5    hello world: the typical Node API server Cairn aims to beat;
#   express-auth Express 5 + jsonwebtoken + better-sqlite3 in a 2-worker
#                cluster serving GET /api/v1/auth/me with the same work per
#                request as Cairn (bench/peers/express-auth), on Cairn's own
#                database file with the same token.
# It measures GET /api/v1/auth/me with a bearer token on Cairn and that peer,
# the same on a second Cairn with rate limiting on (a generous per-user rule,
# so every request is checked and none refused), a flood of anonymous
# requests that second Cairn answers with 429, then a login storm: BENCH_CONNECTIONS connections of POST /api/v1/auth/login
# (Argon2id) running before and all through a second wrk measuring /auth/me,
# with Cairn's RSS sampled throughout (peak and VmHWM reported). It also
# measures Cairn's idle / under-load RSS, stripped binary size and time
# from exec to first 200, and runs bench/limiter_keys (LIMITER_BIN: the rate
# limiter holding 1,000,000 client keys, memory and time per check). It prints
# a table with PASS/MISS against the targets.
# Misses do not fail the run (benchmarks are not tests); the exit status is
# non-zero only if something could not be started or measured.
#
# Environment (all optional):
#   BENCH_SECONDS        measured wrk run per target, seconds       (10)
#   BENCH_WARMUP         wrk warmup per target, seconds             (2)
#   BENCH_CONNECTIONS    wrk connections                            (64)
#   BENCH_THREADS        wrk threads                                (2)
#   BENCH_NGINX_WORKERS  nginx worker_processes                     (auto)
#   BENCH_STARTUP_RUNS   fresh starts timed for the startup figure  (5)
#   BENCH_STORM_RAMP     seconds the login storm runs before /auth/me is
#                        measured during it                         (2)
#   BENCH_WORKER_THREADS WORKER_THREADS for every Cairn started     (Cairn's
#                        here; its connections each hold a worker   default)
#   BENCH_AB_ROUNDS      rounds of each side of an A/B comparison   (3)
#                        (limiting on/off, 429s vs /health), run in
#                        alternating order, BENCH_SECONDS/2 s each
#   CAIRN_BIN            server binary                              (build/cairn)
#                        (pointing it elsewhere is for testing the harness)
#   LIMITER_BIN          bench/limiter_keys.cpp built; unset or empty skips it
#                        (`make bench` builds it and sets this)
#
# More endpoints: add a `bench_target NAME URL` line in main() below; see the
# comment on bench_target for RSS sampling and extra wrk arguments.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

BENCH_SECONDS=${BENCH_SECONDS:-10}
BENCH_WARMUP=${BENCH_WARMUP:-2}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-64}
BENCH_THREADS=${BENCH_THREADS:-2}
BENCH_NGINX_WORKERS=${BENCH_NGINX_WORKERS:-auto}
BENCH_STARTUP_RUNS=${BENCH_STARTUP_RUNS:-5}
BENCH_STORM_RAMP=${BENCH_STORM_RAMP:-2}
BENCH_WORKER_THREADS=${BENCH_WORKER_THREADS:-}
BENCH_AB_ROUNDS=${BENCH_AB_ROUNDS:-3}
CAIRN_BIN=${CAIRN_BIN:-build/cairn}
LIMITER_BIN=${LIMITER_BIN:-}

HOST=127.0.0.1
EXPRESS_DIR=$ROOT/bench/peers/express
EXPRESS_AUTH_DIR=$ROOT/bench/peers/express-auth

# The account the authenticated runs use (registered on the run's fresh
# database), and the signing secret Cairn and the auth peer share, new per run.
BENCH_EMAIL=bench@example.com
BENCH_PASSWORD=benchPassw0rd
BENCH_JWT_SECRET=

# Targets. Sizes use decimal megabytes (10^6 bytes), the stricter reading.
T_RPS_VS_NGINX=0.50    # cairn /health rps / nginx rps      >=
T_RPS_VS_EXPRESS=5     # cairn /health rps / express rps    >=
T_P99_VS_NGINX=2.0     # cairn /health p99 / nginx p99      <=
T_IDLE_RSS_MB=8        # cairn idle RSS, MB                 <
T_BINARY_MB=6          # cairn stripped binary, MB          <
T_STARTUP_MS=100       # exec to first 200 on /health, ms   <
T_ME_VS_EXPRESS=15     # cairn /auth/me rps / express-auth rps >=
T_ME_VS_NGINX=0.35     # cairn /auth/me rps / nginx rps     >=
T_ME_P99_VS_NGINX=2.0  # cairn /auth/me p99 / nginx p99     <=
T_STORM_ME=0.50        # /auth/me rps during the login storm / before it >=
T_STORM_RSS_MB=128     # cairn peak RSS in the login storm, MB <
T_LIMITED_ME=0.95      # /auth/me rps with rate limiting on / off  >=
T_FLOOD_VS_HEALTH=1.0  # 429s served per second / cairn /health rps >=
T_LIMITER_MB=64        # limiter heap for 1,000,000 keys, MB        <

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# Process bookkeeping: every process this script starts goes into PIDS, and
# cleanup() stops them all on any exit, including Ctrl-C and errors.

PIDS=()
TMP=

cleanup() {
  local pid
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # Give them a moment to exit cleanly, then make sure.
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.2
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT
# Background children of a non-interactive shell ignore SIGINT, so Ctrl-C only
# reaches them through cleanup's SIGTERM.
trap 'exit 130' INT
trap 'exit 143' TERM

forget_pid() {  # drop a pid that has been stopped and reaped
  local keep=() p
  for p in "${PIDS[@]}"; do [ "$p" != "$1" ] && keep+=("$p"); done
  PIDS=("${keep[@]}")
}

stop_pid() {  # SIGTERM, bounded wait, then SIGKILL
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid ignored SIGTERM for 5 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}

# ---------------------------------------------------------------------------
# Small helpers.

now_us() {  # wall clock in microseconds, without forking (bash 5)
  local t=$EPOCHREALTIME
  echo $(( ${t%.*} * 1000000 + 10#${t#*.} ))
}

# probe PORT PATH: 0 if GET PATH on 127.0.0.1:PORT answers 200. Pure bash
# (/dev/tcp), so a polling loop forks nothing and times startup tightly.
probe() {
  local port=$1 path=$2 fd line=
  { exec {fd}<>"/dev/tcp/$HOST/$port"; } 2>/dev/null || return 1
  # A write error (peer already closed) just means "not ready": no message.
  { printf 'GET %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' \
      "$path" "$HOST" "$port" 1>&"$fd"; } 2>/dev/null || true
  IFS= read -r -t 2 line <&"$fd" || true
  exec {fd}>&-
  [[ $line == HTTP/1.?\ 200* ]]
}

port_in_use() {
  # Anything listening answers a connect; ss also catches ports held by
  # sockets in other states (TIME_WAIT etc.) that would make bind() fail.
  (: <>"/dev/tcp/$HOST/$1") 2>/dev/null && return 0
  if command -v ss >/dev/null; then
    ss -Htan "sport = :$1" 2>/dev/null | grep -q . && return 0
  fi
  return 1
}

TAKEN_PORTS=" "
# free_port VAR: sets VAR to a free loopback port not handed out earlier in
# this run. (A variable, not stdout: from $(...) the record of ports handed
# out would stay in the subshell.)
free_port() {
  local p i
  for i in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    [[ $TAKEN_PORTS == *" $p "* ]] && continue
    port_in_use "$p" && continue
    TAKEN_PORTS+="$p "
    printf -v "$1" '%s' "$p"
    return 0
  done
  die "no free port found"
}

# wait_ready NAME PID PORT PATH [TIMEOUT_S]: poll until 200, fail fast if the
# process dies, and show its log if it does not come up.
wait_ready() {
  local name=$1 pid=$2 port=$3 path=$4 limit=${5:-15} logf=${6:-}
  local deadline=$(( $(now_us) + limit * 1000000 ))
  while ! probe "$port" "$path"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      [ -n "$logf" ] && [ -s "$logf" ] && tail -n 20 "$logf" >&2
      die "$name exited before answering GET $path on port $port"
    fi
    if [ "$(now_us)" -gt "$deadline" ]; then
      [ -n "$logf" ] && [ -s "$logf" ] && tail -n 20 "$logf" >&2
      die "$name did not answer 200 on GET $path (port $port) within ${limit} s"
    fi
    sleep 0.05
  done
}

# http_call METHOD PORT PATH [JSON_BODY [BEARER_TOKEN]]: one request over
# bash's /dev/tcp with Connection: close. Sets HTTP_STATUS (e.g. 200, empty if
# no answer) and HTTP_BODY. For the few setup calls (register, login): no curl
# needed. Bodies are ASCII, so the byte count is the character count.
http_call() {
  local method=$1 port=$2 path=$3 body=${4:-} token=${5:-} fd resp='' hdr
  HTTP_STATUS='' HTTP_BODY=''
  { exec {fd}<>"/dev/tcp/$HOST/$port"; } 2>/dev/null || return 1
  hdr="$method $path HTTP/1.1"$'\r\n'"Host: $HOST:$port"$'\r\n'"Connection: close"$'\r\n'
  [ -n "$token" ] && hdr+="Authorization: Bearer $token"$'\r\n'
  [ -n "$body" ] && hdr+="Content-Type: application/json"$'\r\n'"Content-Length: ${#body}"$'\r\n'
  { printf '%s\r\n%s' "$hdr" "$body" 1>&"$fd"; } 2>/dev/null || true
  # The server closes after answering: read to EOF (read's status is then 1).
  IFS= read -r -d '' -t 10 resp <&"$fd" || true
  exec {fd}>&-
  [[ $resp =~ ^HTTP/1\.[01]\ ([0-9]{3}) ]] && HTTP_STATUS=${BASH_REMATCH[1]}
  HTTP_BODY=${resp#*$'\r\n\r\n'}
  [ -n "$HTTP_STATUS" ]
}

rss_kb() {  # VmRSS (or another /proc status field) of PID, in kB; empty if gone
  local field=${2:-VmRSS} k v _
  while read -r k v _; do
    [ "$k" = "$field:" ] && { echo "$v"; return 0; }
  done <"/proc/$1/status" 2>/dev/null || true
}

kb_to_mb() { awk -v k="$1" 'BEGIN { printf "%.2f", k * 1024 / 1e6 }'; }

# to_ms VALUE: wrk prints times as 812.00us, 1.23ms, 1.05s or 1.00m.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (match(v, /^[0-9.]+/) == 0) { print ""; exit }
    n = substr(v, 1, RLENGTH); u = substr(v, RLENGTH + 1)
    if (u == "us") f = 0.001; else if (u == "ms") f = 1; else if (u == "s") f = 1000
    else if (u == "m") f = 60000; else if (u == "h") f = 3600000; else { print ""; exit }
    printf "%.3f", n * f }'
}

# verdict VALUE OP LIMIT -> PASS / MISS / n/a
verdict() {
  [ -z "$1" ] && { echo "n/a"; return; }
  awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN {
    ok = (op == ">=") ? (a >= b) : (op == "<=") ? (a <= b) : (op == "<") ? (a < b) : (a > b)
    print ok ? "PASS" : "MISS" }'
}

ratio() {  # A / B with 2 decimals; empty if either is missing or B is 0
  [ -z "$1" ] || [ -z "$2" ] && { echo ""; return; }
  awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print ""; else printf "%.2f", a / b }'
}

# ---------------------------------------------------------------------------
# Load runs.

R_NAMES=() R_RPS=() R_P99=() R_PEAK=() R_NOTE=()

result_index() {  # index of a target's results by NAME, or empty
  local i
  for i in "${!R_NAMES[@]}"; do [ "${R_NAMES[$i]}" = "$1" ] && { echo "$i"; return; }; done
}
rps_of() { local i; i=$(result_index "$1"); if [ -n "$i" ]; then echo "${R_RPS[$i]}"; fi; }
p99_of() { local i; i=$(result_index "$1"); if [ -n "$i" ]; then echo "${R_P99[$i]}"; fi; }
peak_of() { local i; i=$(result_index "$1"); if [ -n "$i" ]; then echo "${R_PEAK[$i]}"; fi; }
mb_or_empty() { if [ -n "$1" ]; then kb_to_mb "$1"; fi; }

# run_wrk OUTFILE SECONDS URL [EXTRA_ARGS...]: wrk in the background so that
# (a) a trapped Ctrl-C interrupts `wait` at once, and (b) the foreground can
# sample RSS_PID's VmRSS every 100 ms while it runs. Sets PEAK_KB (max sampled
# VmRSS, empty without RSS_PID). A watchdog bounds the run to SECONDS + 30 s.
run_wrk() {
  local out=$1 secs=$2 url=$3
  shift 3
  wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"${secs}s" --latency "$@" "$url" >"$out" 2>&1 &
  local wpid=$!
  PIDS+=("$wpid")
  local deadline=$(( $(now_us) + (secs + 30) * 1000000 )) kb
  PEAK_KB=
  while kill -0 "$wpid" 2>/dev/null; do
    if [ -n "${RSS_PID:-}" ]; then
      kb=$(rss_kb "$RSS_PID")
      [ -n "$kb" ] && { [ -z "$PEAK_KB" ] || [ "$kb" -gt "$PEAK_KB" ]; } && PEAK_KB=$kb
    fi
    if [ "$(now_us)" -gt "$deadline" ]; then
      log "wrk ran past ${secs}+30 s; stopping it"
      kill -TERM "$wpid" 2>/dev/null || true
    fi
    sleep 0.1
  done
  local rc=0
  wait "$wpid" || rc=$?
  forget_pid "$wpid"
  [ "$rc" -eq 0 ] || { cat "$out" >&2; die "wrk failed (exit $rc) on $url"; }
}

# bench_target NAME URL [EXTRA_WRK_ARGS...]
#   Warm up, then load URL with wrk and record requests/s and p99 (ms) under
#   NAME for the table. Extra arguments go to wrk before the URL, e.g.
#   `-s bench/post_thing.lua -H 'Authorization: Bearer ...'` for other methods.
#   Prefix with RSS_PID=<pid> to sample that process's VmRSS during the
#   measured run and report its peak:   RSS_PID=$CAIRN_PID bench_target ...
#   Non-2xx/3xx answers and socket errors are noted beside the figures: a
#   target that answers 429 or 500 quickly is not a fast target.
bench_target() {
  local name=$1 url=$2
  shift 2
  case "$url" in
    http://127.0.0.1:*) ;;
    *) die "bench_target: only http://127.0.0.1 URLs are loaded (got $url)" ;;
  esac
  local safe=${name//[^A-Za-z0-9]/_}
  log "$name: warmup ${BENCH_WARMUP}s, then ${BENCH_SECONDS}s x ${BENCH_CONNECTIONS} connections ($url)"
  if [ "$BENCH_WARMUP" -gt 0 ]; then
    RSS_PID='' run_wrk "$TMP/wrk-$safe-warmup.txt" "$BENCH_WARMUP" "$url" "$@"
  fi
  local out=$TMP/wrk-$safe.txt
  run_wrk "$out" "$BENCH_SECONDS" "$url" "$@"
  parse_wrk "$out" "$name"
  record_result "$name"
}

# ab_compare NAME_A URL_A NAME_B URL_B [EXTRA_WRK_ARGS...]
#   Two targets whose ratio is judged, measured in BENCH_AB_ROUNDS rounds of
#   BENCH_SECONDS/2 s each, A then B in odd rounds and B then A in even ones,
#   after one warmup each. This machine's throughput drifts by more than the
#   few percent such a ratio is about; interleaving puts both sides through
#   the same drift. Records NAME_A and NAME_B with requests/s over all their
#   rounds, the worst round's p99 and the statuses other than 2xx/3xx.
ab_compare() {
  local name_a=$1 url_a=$2 name_b=$3 url_b=$4
  shift 4
  local secs=$(( BENCH_SECONDS / 2 > 0 ? BENCH_SECONDS / 2 : 1 ))
  local -A reqs=() dur=() p99=() bad=()
  local side round order
  log "$name_a vs $name_b: $BENCH_AB_ROUNDS rounds of ${secs}s each, alternating"
  if [ "$BENCH_WARMUP" -gt 0 ]; then
    run_wrk "$TMP/wrk-ab-warmup-a.txt" "$BENCH_WARMUP" "$url_a" "$@"
    run_wrk "$TMP/wrk-ab-warmup-b.txt" "$BENCH_WARMUP" "$url_b" "$@"
  fi
  for round in $(seq 1 "$BENCH_AB_ROUNDS"); do
    order="a b"; [ $(( round % 2 )) -eq 0 ] && order="b a"
    for side in $order; do
      local url=$url_a name=$name_a
      [ "$side" = b ] && url=$url_b name=$name_b
      RSS_PID='' run_wrk "$TMP/wrk-ab-$side-$round.txt" "$secs" "$url" "$@"
      parse_wrk "$TMP/wrk-ab-$side-$round.txt" "$name"
      reqs[$side]=$(( ${reqs[$side]:-0} + W_REQS ))
      dur[$side]=$(awk -v a="${dur[$side]:-0}" -v b="$W_SECS" 'BEGIN { printf "%.3f", a + b }')
      p99[$side]=$(awk -v a="${p99[$side]:-0}" -v b="$W_P99" 'BEGIN { print (b + 0 > a + 0) ? b : a }')
      bad[$side]=$(( ${bad[$side]:-0} + ${W_NON2XX:-0} ))
    done
  done
  for side in a b; do
    local name=$name_a
    [ "$side" = b ] && name=$name_b
    W_RPS=$(awk -v r="${reqs[$side]}" -v t="${dur[$side]}" 'BEGIN { printf "%.2f", r / t }')
    W_P99=${p99[$side]} W_REQS=${reqs[$side]} W_NON2XX=
    W_NOTE="$BENCH_AB_ROUNDS rounds A/B"
    if [ "${bad[$side]}" -gt 0 ]; then W_NON2XX=${bad[$side]}; W_NOTE+="; non-2xx/3xx: ${bad[$side]}"; fi
    PEAK_KB='' record_result "$name"
    AB_NON2XX[$side]=${bad[$side]} AB_REQS[$side]=${reqs[$side]}
  done
}
declare -A AB_NON2XX=() AB_REQS=()

# parse_wrk OUTFILE NAME: reads wrk's output into W_RPS, W_P99 (ms), W_REQS
# (completed requests), W_SECS (duration, s), W_NON2XX and W_NOTE (non-2xx/3xx
# answers, socket errors, and the HTTP statuses when the wrk script counted
# them). A run in which no request completed has no p99 (W_P99 empty).
parse_wrk() {
  local out=$1 name=$2 p99raw sockerr statuses
  W_RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  W_REQS=$(awk '/ requests in / { print $1 }' "$out")
  W_SECS=$(awk '/ requests in / { sub(/,$/, "", $4); print $4 }' "$out")
  W_SECS=$(to_ms "$W_SECS"); [ -n "$W_SECS" ] && W_SECS=$(awk -v m="$W_SECS" 'BEGIN { printf "%.2f", m / 1000 }')
  p99raw=$(awk '$1 == "99%" { print $2 }' "$out")
  W_P99=$(to_ms "$p99raw")
  W_NON2XX=$(awk -F': *' '/Non-2xx or 3xx responses/ { print $2 }' "$out")
  sockerr=$(awk -F': *' '/^ *Socket errors/ { print $2 }' "$out")
  statuses=$(awk '$1 == "status" && $3 ~ /^[0-9]+$/ { printf "%s%s x%s", (n++ ? ", " : ""), $2, $3 }' "$out")
  W_NOTE=
  [ -n "$statuses" ] && W_NOTE+="statuses: $statuses; "
  [ -n "$W_NON2XX" ] && [ -z "$statuses" ] && W_NOTE+="non-2xx/3xx: $W_NON2XX; "
  [ -n "$sockerr" ] && W_NOTE+="socket errors: $sockerr; "
  if [ "$W_REQS" = 0 ]; then
    W_P99=
    W_NOTE="no request completed; $W_NOTE"
  fi
  W_NOTE=${W_NOTE%; }
  if [ -z "$W_RPS" ] || [ -z "$W_REQS" ] || { [ -z "$W_P99" ] && [ "$W_REQS" != 0 ]; }; then
    cat "$out" >&2
    die "could not read requests/s and p99 from wrk's output for $name"
  fi
}

# record_result NAME: adds the last parse_wrk figures (and PEAK_KB) to the table.
record_result() {
  local name=$1
  R_NAMES+=("$name") R_RPS+=("$W_RPS") R_P99+=("$W_P99") R_PEAK+=("${PEAK_KB:-}") R_NOTE+=("$W_NOTE")
  log "$name: $W_RPS req/s, p99 ${W_P99:-n/a} ms${PEAK_KB:+, peak RSS $(kb_to_mb "$PEAK_KB") MB}${W_NOTE:+ ($W_NOTE)}"
}

# ---------------------------------------------------------------------------
# Servers.

# start_cairn PORT DBDIR LOGFILE [NAME=VALUE...]: sets CAIRN_PID. Its JSON
# request log goes to /dev/null (nginx runs with access_log off, so neither
# pays for disk writes); stderr is kept for diagnosing a failed start.
# JWT_SECRET is the run's shared secret (the auth peer verifies Cairn's tokens
# with it); WORKER_THREADS is set only when BENCH_WORKER_THREADS is. Rate
# limiting is off unless the extra settings turn it on: the load comes from
# one address and would be refused.
start_cairn() {
  local port=$1 dbdir=$2 logf=$3
  shift 3
  mkdir -p "$dbdir"
  (
    [ -n "$BENCH_WORKER_THREADS" ] && export WORKER_THREADS=$BENCH_WORKER_THREADS
    export RATE_LIMIT_ENABLED=0 JWT_SECRET=$BENCH_JWT_SECRET
    exec env "$@" "$CAIRN_BIN" serve --port "$port" --host "$HOST" --db "$dbdir/cairn.db"
  ) >/dev/null 2>"$logf" &
  CAIRN_PID=$!
  PIDS+=("$CAIRN_PID")
}

start_nginx() {  # PORT [WORKERS]; sets NGINX_PID
  local port=$1 workers=${2:-$BENCH_NGINX_WORKERS} dir=$TMP/nginx-${2:-$BENCH_NGINX_WORKERS}
  mkdir -p "$dir"
  sed -e "s|@DIR@|$dir|g; s|@PORT@|$port|g; s|@WORKERS@|$workers|g" \
    "$ROOT/bench/nginx.conf.template" >"$dir/nginx.conf"
  # -e: error log from the very start (else nginx tries /var/log/nginx).
  nginx -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" >"$dir/stdout.log" 2>&1 &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
}

# The bare cpp-httplib peer, compiled here from bench/peers/httplib_hello.cpp
# with the same header and flags as Cairn.
build_hello() {
  g++ -std=c++20 -O2 -DPICOJSON_USE_INT64 -I"$ROOT/src" -I"$ROOT/third_party/httplib" \
    -o "$TMP/httplib_hello" "$ROOT/bench/peers/httplib_hello.cpp" -static -s -lpthread \
    2>"$TMP/hello-build.log" || { cat "$TMP/hello-build.log" >&2; die "building the httplib peer failed"; }
}

start_hello() {  # PORT; sets HELLO_PID
  "$TMP/httplib_hello" "$1" >"$TMP/hello.log" 2>&1 &
  HELLO_PID=$!
  PIDS+=("$HELLO_PID")
}

start_express() {  # PORT; sets EXPRESS_PID
  # node directly, not `npm start`, so the pid is the server's own and npm's
  # wrapper process does not sit between SIGTERM and node.
  (cd "$EXPRESS_DIR" && NODE_ENV=production PORT=$1 exec node server.js) \
    >"$TMP/express.log" 2>&1 &
  EXPRESS_PID=$!
  PIDS+=("$EXPRESS_PID")
}

# start_express_auth PORT DB: the auth peer on Cairn's database file; sets
# EXPRESS_AUTH_PID (the cluster's primary; its workers stop with it).
start_express_auth() {
  (cd "$EXPRESS_AUTH_DIR" && NODE_ENV=production PORT=$1 DATABASE_PATH=$2 \
     JWT_SECRET=$BENCH_JWT_SECRET WORKERS=2 exec node server.js) >"$TMP/express-auth.log" 2>&1 &
  EXPRESS_AUTH_PID=$!
  PIDS+=("$EXPRESS_AUTH_PID")
}

# Node peers' packages, installed on first use (npm, from each package-lock.json).
install_express_peer() {
  [ -d "$EXPRESS_DIR/node_modules/express" ] && return
  log "installing the Express peer's dependencies (npm)"
  (cd "$EXPRESS_DIR" && npm install --no-audit --no-fund --silent) || die "npm install failed in $EXPRESS_DIR"
}

auth_peer_loads() {  # 0 if the auth peer's packages, better-sqlite3's addon included, load
  (cd "$EXPRESS_AUTH_DIR" && node -e "require('express'); require('jsonwebtoken');
    new (require('better-sqlite3'))(':memory:').prepare('SELECT 1').get()") >/dev/null 2>&1
}

# better-sqlite3 is a native addon. Its install script first tries to fetch a
# prebuilt binary from GitHub, which this project's machines cannot reach, then
# falls back to node-gyp, which would download node's headers from nodejs.org,
# which they cannot reach either. So: npm_config_build_from_source=true skips
# the prebuilt binary, and npm_config_nodedir points node-gyp at the headers of
# the node that will load the addon, under its own prefix (/usr/include/node:
# Debian's libnode-dev, or NodeSource's nodejs, which ships them). node-gyp
# then compiles the addon and its bundled SQLite with python3, make and g++
# (scripts/deps.sh bench installs all of these): about a minute on 2 cores,
# once. A node upgraded since then gets the addon rebuilt for it.
install_auth_peer() {
  auth_peer_loads && return
  local nodedir logf=$TMP/express-auth-install.log
  nodedir=$(node -p 'require("path").resolve(process.execPath, "..", "..")')
  [ -f "$nodedir/include/node/node_version.h" ] ||
    die "node's C++ headers are not in $nodedir/include/node, and better-sqlite3 (bench/peers/express-auth) is compiled against them (Debian: libnode-dev; scripts/deps.sh bench installs it)"
  command -v python3 >/dev/null || die "python3 not found; node-gyp needs it (run scripts/deps.sh bench)"
  local -x npm_config_nodedir=$nodedir npm_config_build_from_source=true
  if [ ! -d "$EXPRESS_AUTH_DIR/node_modules/better-sqlite3" ] ||
     [ ! -d "$EXPRESS_AUTH_DIR/node_modules/express" ] ||
     [ ! -d "$EXPRESS_AUTH_DIR/node_modules/jsonwebtoken" ]; then
    log "installing the auth peer's dependencies (npm; better-sqlite3 compiles from source, about a minute)"
    (cd "$EXPRESS_AUTH_DIR" && npm install --no-audit --no-fund) >"$logf" 2>&1 ||
      { tail -n 40 "$logf" >&2; die "npm install failed in $EXPRESS_AUTH_DIR"; }
  fi
  if ! auth_peer_loads; then
    log "building better-sqlite3 for node $(node -v) (about a minute)"
    (cd "$EXPRESS_AUTH_DIR" && npm rebuild better-sqlite3) >>"$logf" 2>&1 ||
      { tail -n 40 "$logf" >&2; die "npm rebuild better-sqlite3 failed in $EXPRESS_AUTH_DIR"; }
  fi
  auth_peer_loads || {
    (cd "$EXPRESS_AUTH_DIR" && node -e "require('better-sqlite3')") || true
    die "better-sqlite3 does not load in $EXPRESS_AUTH_DIR (see above)"
  }
}

# time_startup: exec to first 200 on GET /health, each time a fresh process
# on a fresh database, BENCH_STARTUP_RUNS times. Sets STARTUP_MS (median) and
# STARTUP_ALL. The clock starts just before the fork, so fork+exec, SQLite
# setup and the first request are all inside it; the poll loop is bash's
# /dev/tcp with no sleep, so polling adds microseconds, not milliseconds.
time_startup() {
  local runs=() i port t0 t1 deadline pid
  for i in $(seq 1 "$BENCH_STARTUP_RUNS"); do
    free_port port
    local dbdir=$TMP/startup-$i
    mkdir -p "$dbdir"
    t0=$(now_us)
    start_cairn "$port" "$dbdir" "$TMP/startup-$i.log"
    pid=$CAIRN_PID
    deadline=$(( t0 + 10000000 ))
    until probe "$port" /health; do
      if ! kill -0 "$pid" 2>/dev/null; then
        tail -n 20 "$TMP/startup-$i.log" >&2 || true
        die "cairn exited during startup run $i"
      fi
      [ "$(now_us)" -gt "$deadline" ] && die "cairn did not answer /health within 10 s (startup run $i)"
    done
    t1=$(now_us)
    runs+=("$(( t1 - t0 ))")
    stop_pid "$pid"
  done
  STARTUP_ALL=$(printf '%s\n' "${runs[@]}" | awk '{ printf "%s%.1f", (NR > 1 ? " " : ""), $1 / 1000 }')
  STARTUP_MS=$(printf '%s\n' "${runs[@]}" | sort -n |
    awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }')
}

# ---------------------------------------------------------------------------
# Authenticated runs.

register_bench_user() {  # PORT: the bench account on that Cairn's fresh database
  local body
  body=$(printf '{"email":"%s","password":"%s","firstName":"Bench","lastName":"Mark","dateOfBirth":"1990-01-01"}' \
    "$BENCH_EMAIL" "$BENCH_PASSWORD")
  http_call POST "$1" /api/v1/auth/register "$body" || die "no answer to POST /api/v1/auth/register"
  [ "$HTTP_STATUS" = 201 ] || die "register answered $HTTP_STATUS: $HTTP_BODY"
}

# login_token PORT: signs the bench account in; sets TOKEN to a fresh access
# token (they live 15 minutes, so each measurement that needs one logs in
# just before it).
login_token() {
  http_call POST "$1" /api/v1/auth/login "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" ||
    die "no answer to POST /api/v1/auth/login"
  [ "$HTTP_STATUS" = 200 ] || die "login answered $HTTP_STATUS: $HTTP_BODY"
  [[ $HTTP_BODY =~ \"accessToken\":\"([^\"]+)\" ]] || die "no accessToken in the login answer: $HTTP_BODY"
  TOKEN=${BASH_REMATCH[1]}
}

# me_ok PORT: 0 if GET /api/v1/auth/me with TOKEN answers 200 with the bench
# account (a peer answering anything else would be measured doing less work).
me_ok() {
  http_call GET "$1" /api/v1/auth/me "" "$TOKEN" && [ "$HTTP_STATUS" = 200 ] &&
    [[ $HTTP_BODY == *\"email\":\"$BENCH_EMAIL\"* ]]
}

sample_once() {  # PID: raises PEAK_KB to PID's VmRSS if that is higher
  local kb
  kb=$(rss_kb "$1")
  if [ -n "$kb" ] && { [ -z "$PEAK_KB" ] || [ "$kb" -gt "$PEAK_KB" ]; }; then PEAK_KB=$kb; fi
}

sample_peak() {  # PID SECONDS: sample_once every 100 ms for about SECONDS
  local end
  end=$(( $(now_us) + $2 * 1000000 ))
  while [ "$(now_us)" -lt "$end" ]; do
    sample_once "$1"
    sleep 0.1
  done
}

# The storm's wrk script: the login body, and a count of answers by HTTP
# status (each thread's counts are read back in done()). At login rates the
# per-response callback costs wrk nothing.
write_login_lua() {  # FILE
  cat >"$1" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"$BENCH_EMAIL","password":"$BENCH_PASSWORD"}'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local total, codes = {}, {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + n end
  end
  for code in pairs(total) do table.insert(codes, code) end
  table.sort(codes)
  for _, code in ipairs(codes) do io.write(string.format("status %d %d\n", code, total[code])) end
end
LUA
}

# login_storm PORT PID: BENCH_CONNECTIONS connections of POST
# /api/v1/auth/login (right password, so each is a full Argon2id verify) start
# BENCH_STORM_RAMP s before a second wrk measures GET /api/v1/auth/me for
# BENCH_SECONDS, and run on a second past it. Records "cairn login storm"
# (requests/s over the storm's whole run, statuses as counted by the script)
# and "cairn /auth/me in storm"; sets STORM_PEAK_KB (PID's VmRSS sampled every
# 100 ms through the whole storm), STORM_HWM_KB (its VmHWM just after),
# STORM_LOGIN_OK (logins answered 200, per second) and STORM_ME_REQS.
login_storm() {
  local port=$1 pid=$2
  local lua=$TMP/login.lua out=$TMP/wrk-login-storm.txt
  local secs=$(( BENCH_STORM_RAMP + BENCH_SECONDS + 1 ))
  write_login_lua "$lua"
  login_token "$port"
  log "login storm: ${secs}s x $BENCH_CONNECTIONS connections of POST /api/v1/auth/login;" \
    "/auth/me measured from ${BENCH_STORM_RAMP}s for ${BENCH_SECONDS}s"
  # --timeout 10s: Cairn answers a login that waited 5 s for a hashing turn
  # with 503; wrk's default 2 s would instead drop the connection and count a
  # timeout while Cairn still works on the request.
  wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"${secs}s" --timeout 10s --latency -s "$lua" \
    "http://$HOST:$port/api/v1/auth/login" >"$out" 2>&1 &
  local lpid=$!
  PIDS+=("$lpid")
  PEAK_KB=
  sample_peak "$pid" "$BENCH_STORM_RAMP"
  kill -0 "$lpid" 2>/dev/null || { cat "$out" >&2; die "the login storm's wrk ended early"; }
  local ramp_peak=$PEAK_KB
  RSS_PID=$pid run_wrk "$TMP/wrk-me-storm.txt" "$BENCH_SECONDS" \
    "http://$HOST:$port/api/v1/auth/me" -H "Authorization: Bearer $TOKEN"
  parse_wrk "$TMP/wrk-me-storm.txt" "cairn /auth/me in storm"
  record_result "cairn /auth/me in storm"
  STORM_ME_REQS=$W_REQS
  if [ -n "$ramp_peak" ] && { [ -z "$PEAK_KB" ] || [ "$ramp_peak" -gt "$PEAK_KB" ]; }; then
    PEAK_KB=$ramp_peak
  fi
  # The storm's last second, still sampled; bounded like run_wrk's runs.
  local deadline
  deadline=$(( $(now_us) + 40 * 1000000 ))
  while kill -0 "$lpid" 2>/dev/null; do
    if [ "$(now_us)" -gt "$deadline" ]; then
      log "the login storm's wrk ran 40 s past its end; stopping it"
      kill -TERM "$lpid" 2>/dev/null || true
    fi
    sample_once "$pid"
    sleep 0.1
  done
  local rc=0
  wait "$lpid" || rc=$?
  forget_pid "$lpid"
  [ "$rc" -eq 0 ] || { cat "$out" >&2; die "wrk failed (exit $rc) on the login storm"; }
  kill -0 "$pid" 2>/dev/null || die "cairn died during the login storm"
  STORM_PEAK_KB=$PEAK_KB
  STORM_HWM_KB=$(rss_kb "$pid" VmHWM)
  parse_wrk "$out" "cairn login storm"
  STORM_LOGIN_OK=$(awk -v r="$W_REQS" -v bad="${W_NON2XX:-0}" -v s="$W_SECS" \
    'BEGIN { if (s + 0 > 0) printf "%.1f", (r - bad) / s }')
  PEAK_KB='' record_result "cairn login storm"
}

# check_flood: the last run must have been refused almost entirely (all but
# the anonymous rule's one request), or its rate says nothing about 429s.
check_flood() {  # the flood is side b of the last ab_compare
  local refused=${AB_NON2XX[b]:-0} n=${AB_REQS[b]:-0}
  awk -v r="$refused" -v n="$n" 'BEGIN { exit !(n > 0 && r >= n - 1) }' ||
    die "the 429 flood had $refused refusals in $n requests; rate limiting did not apply"
}

# run_limiter_keys: bench/limiter_keys (LIMITER_BIN) with the default cap of
# 1,000,000 keys; sets LIMITER_OUT (its report), LIMITER_HEAP_MB (heap for
# the keys, decimal MB) and LIMITER_OK (PASS if its properties held).
run_limiter_keys() {
  LIMITER_OUT= LIMITER_HEAP_MB= LIMITER_OK=
  if [ -z "$LIMITER_BIN" ]; then
    log "LIMITER_BIN unset: not measuring the limiter with 1,000,000 keys"
    return
  fi
  [ -x "$LIMITER_BIN" ] || die "$LIMITER_BIN not found or not executable"
  log "the rate limiter with 1,000,000 client keys ($LIMITER_BIN, about 20 s)"
  local rc=0
  LIMITER_OUT=$(timeout 300 "$LIMITER_BIN" 1000000) || rc=$?
  [ "$rc" -le 1 ] || { printf '%s\n' "$LIMITER_OUT" >&2; die "$LIMITER_BIN failed (exit $rc)"; }
  LIMITER_OK=$([ "$rc" -eq 0 ] && echo PASS || echo MISS)
  LIMITER_HEAP_MB=$(printf '%s\n' "$LIMITER_OUT" |
    awk '$1 == "memory" { sub(/^\+/, "", $3); printf "%.2f", $3 * 1048576 / 1e6 }')
  [ -n "$LIMITER_HEAP_MB" ] || { printf '%s\n' "$LIMITER_OUT" >&2; die "could not read $LIMITER_BIN's memory line"; }
}

# ---------------------------------------------------------------------------
# Report.

print_report() {
  local health=${1:-"cairn /health"}
  local c_rps c_p99 n_rps n_p99 e_rps
  c_rps=$(rps_of "$health"); c_p99=$(p99_of "$health")
  n_rps=$(rps_of "nginx /"); n_p99=$(p99_of "nginx /")
  e_rps=$(rps_of "express /health")

  local r_n r_e r_p idle_mb load_mb hwm_mb bin_mb
  r_n=$(ratio "$c_rps" "$n_rps"); r_e=$(ratio "$c_rps" "$e_rps"); r_p=$(ratio "$c_p99" "$n_p99")
  local h_rps r_n1 r_h r_hn
  h_rps=$(rps_of "httplib hello /health")
  r_n1=$(ratio "$c_rps" "$(rps_of "nginx 1 worker /")")
  r_h=$(ratio "$c_rps" "$h_rps"); r_hn=$(ratio "$h_rps" "$n_rps")
  idle_mb=$(kb_to_mb "$IDLE_KB")
  load_mb=$(mb_or_empty "$(peak_of "$health")")
  hwm_mb=$(mb_or_empty "$HWM_KB")
  bin_mb=$(awk -v b="$BIN_STRIPPED" 'BEGIN { printf "%.2f", b / 1e6 }')
  local m_rps m_p99 r_me_e r_me_n r_me_p r_storm storm_peak_mb storm_hwm_mb storm_rss_mb
  m_rps=$(rps_of "cairn /auth/me"); m_p99=$(p99_of "cairn /auth/me")
  r_me_e=$(ratio "$m_rps" "$(rps_of "express-auth /auth/me")")
  r_me_n=$(ratio "$m_rps" "$n_rps"); r_me_p=$(ratio "$m_p99" "$n_p99")
  r_storm=$(ratio "$(rps_of "cairn /auth/me in storm")" "$m_rps")
  # The kernel updates VmHWM lazily, so it can read a little below a sampled
  # VmRSS: the judged figure is the larger of the two.
  storm_peak_mb=$(mb_or_empty "$STORM_PEAK_KB"); storm_hwm_mb=$(mb_or_empty "$STORM_HWM_KB")
  storm_rss_mb=$(awk -v a="$storm_peak_mb" -v b="$storm_hwm_mb" \
    'BEGIN { if (a != "" || b != "") printf "%.2f", (a + 0 > b + 0) ? a : b }')

  local r_limited r_flood
  r_limited=$(ratio "$(rps_of "cairn /auth/me limited, A/B")" "$(rps_of "cairn /auth/me, A/B")")
  r_flood=$(ratio "$(rps_of "cairn 429 flood /api/v1, A/B")" "$(rps_of "cairn /health, A/B")")

  local line
  line=$(printf '%.0s-' $(seq 1 78))
  echo
  echo "Cairn benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')  $(nproc) cores, $(uname -r)"
  # (Only the load before: during and after, the bench's own threads dominate it.)
  echo "load average (1 min) before the run: $LOAD_BEFORE"
  echo "wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d${BENCH_SECONDS}s --latency (after ${BENCH_WARMUP}s warmup); nginx worker_processes $BENCH_NGINX_WORKERS"
  echo "cairn WORKER_THREADS ${BENCH_WORKER_THREADS:-default}; login storm: $BENCH_CONNECTIONS connections from ${BENCH_STORM_RAMP}s before /auth/me is measured, no warmup"
  echo "$line"
  printf '%-28s %14s %12s %12s  %s\n' "target" "requests/s" "p99 ms" "peak RSS MB" "notes"
  echo "$line"
  local i
  for i in "${!R_NAMES[@]}"; do
    printf '%-28s %14s %12s %12s  %s\n' "${R_NAMES[$i]}" "${R_RPS[$i]}" "${R_P99[$i]:--}" \
      "$(if [ -n "${R_PEAK[$i]}" ]; then kb_to_mb "${R_PEAK[$i]}"; else echo -; fi)" "${R_NOTE[$i]}"
  done
  echo "$line"
  printf '%-44s %12s  %-12s %s\n' "figure" "value" "target" "verdict"
  echo "$line"
  printf '%-44s %12s  %-12s %s\n' "cairn /health rps / nginx rps" "${r_n:-n/a}" ">= $T_RPS_VS_NGINX" "$(verdict "$r_n" '>=' "$T_RPS_VS_NGINX")"
  printf '%-44s %12s  %-12s %s\n' "cairn /health rps / express rps" "${r_e:-n/a}" ">= $T_RPS_VS_EXPRESS" "$(verdict "$r_e" '>=' "$T_RPS_VS_EXPRESS")"
  printf '%-44s %12s  %-12s %s\n' "cairn /health p99 / nginx p99" "${r_p:-n/a}" "<= $T_P99_VS_NGINX" "$(verdict "$r_p" '<=' "$T_P99_VS_NGINX")"
  printf '%-44s %12s  %-12s %s\n' "cairn /health rps / nginx 1 worker rps" "${r_n1:-n/a}" "-" ""
  printf '%-44s %12s  %-12s %s\n' "cairn /health rps / httplib hello rps" "${r_h:-n/a}" "-" ""
  printf '%-44s %12s  %-12s %s\n' "httplib hello rps / nginx rps" "${r_hn:-n/a}" "-" ""
  printf '%-44s %12s  %-12s %s\n' "cairn /auth/me rps / express-auth rps" "${r_me_e:-n/a}" ">= $T_ME_VS_EXPRESS" "$(verdict "$r_me_e" '>=' "$T_ME_VS_EXPRESS")"
  printf '%-44s %12s  %-12s %s\n' "cairn /auth/me rps / nginx rps" "${r_me_n:-n/a}" ">= $T_ME_VS_NGINX" "$(verdict "$r_me_n" '>=' "$T_ME_VS_NGINX")"
  printf '%-44s %12s  %-12s %s\n' "cairn /auth/me p99 / nginx p99" "${r_me_p:-n/a}" "<= $T_ME_P99_VS_NGINX" "$(verdict "$r_me_p" '<=' "$T_ME_P99_VS_NGINX")"
  printf '%-44s %12s  %-12s %s\n' "cairn /auth/me rps in login storm / before" "${r_storm:-n/a}" ">= $T_STORM_ME" "$(verdict "$r_storm" '>=' "$T_STORM_ME")"
  printf '%-44s %12s  %-12s %s\n' "cairn logins answered 200 per second, storm" "${STORM_LOGIN_OK:-n/a}" "-" ""
  printf '%-44s %12s  %-12s %s\n' "cairn /auth/me rps, rate limiting on / off" "${r_limited:-n/a}" ">= $T_LIMITED_ME" "$(verdict "$r_limited" '>=' "$T_LIMITED_ME")"
  printf '%-44s %12s  %-12s %s\n' "cairn 429s per second / cairn /health rps" "${r_flood:-n/a}" ">= $T_FLOOD_VS_HEALTH" "$(verdict "$r_flood" '>=' "$T_FLOOD_VS_HEALTH")"
  printf '%-44s %12s  %-12s %s\n' "limiter heap, 1,000,000 keys (MB)" "${LIMITER_HEAP_MB:-n/a}" "< $T_LIMITER_MB" "$(verdict "$LIMITER_HEAP_MB" '<' "$T_LIMITER_MB")"
  printf '%-44s %12s  %-12s %s\n' "limiter cap held, no growth past it" "${LIMITER_OK:-n/a}" "-" "${LIMITER_OK:-}"
  printf '%-44s %12s  %-12s %s\n' "cairn peak RSS in login storm (MB)" "${storm_rss_mb:-n/a}" "< $T_STORM_RSS_MB" "$(verdict "$storm_rss_mb" '<' "$T_STORM_RSS_MB")"
  printf '%-44s %12s  %-12s %s\n' "cairn idle RSS (MB)" "$idle_mb" "< $T_IDLE_RSS_MB" "$(verdict "$idle_mb" '<' "$T_IDLE_RSS_MB")"
  printf '%-44s %12s  %-12s %s\n' "cairn RSS under /health load, max (MB)" "${load_mb:-n/a}" "-" ""
  printf '%-44s %12s  %-12s %s\n' "cairn VmHWM after all runs (MB)" "${hwm_mb:-n/a}" "-" ""
  printf '%-44s %12s  %-12s %s\n' "cairn stripped binary (MB; $BIN_STRIPPED bytes)" "$bin_mb" "< $T_BINARY_MB" "$(verdict "$bin_mb" '<' "$T_BINARY_MB")"
  printf '%-44s %12s  %-12s %s\n' "cairn exec to first 200, median (ms)" "$STARTUP_MS" "< $T_STARTUP_MS" "$(verdict "$STARTUP_MS" '<' "$T_STARTUP_MS")"
  echo "$line"
  echo "startup runs (ms): $STARTUP_ALL"
  echo "login storm RSS (MB): VmRSS sampled every 100 ms, max ${storm_peak_mb:-n/a}; VmHWM just after ${storm_hwm_mb:-n/a}"
  if [ "${STORM_ME_REQS:-}" = 0 ]; then
    echo "login storm: no /auth/me request completed. Cairn serves each keep-alive connection on"
    echo "  its own worker (WORKER_THREADS, ${BENCH_WORKER_THREADS:-default 64}); if the storm's $BENCH_CONNECTIONS connections hold them all,"
    echo "  /auth/me's wait in the queue. BENCH_WORKER_THREADS=$(( 2 * BENCH_CONNECTIONS + 32 )) gives both room."
  fi
  echo "binary: $CAIRN_BIN is $BIN_BYTES bytes as built ($BIN_STRIP_STATE); stripped size above."
  if [ -n "$LIMITER_OUT" ]; then
    printf '%s\n' "$LIMITER_OUT"
  fi
  echo "MB = 10^6 bytes. Misses are reported, not failed: exit status is 0."
}

# ---------------------------------------------------------------------------

main() {
  local t
  for t in wrk nginx node npm awk sed; do
    command -v "$t" >/dev/null || die "$t not found (run scripts/deps.sh bench)"
  done
  [ -x "$CAIRN_BIN" ] || die "$CAIRN_BIN not found or not executable (run make first)"
  for t in BENCH_SECONDS BENCH_WARMUP BENCH_CONNECTIONS BENCH_THREADS BENCH_STARTUP_RUNS \
           BENCH_STORM_RAMP BENCH_AB_ROUNDS; do
    [[ ${!t} =~ ^[0-9]+$ ]] || die "$t must be a whole number (got '${!t}')"
  done
  [[ -z $BENCH_WORKER_THREADS || $BENCH_WORKER_THREADS =~ ^[1-9][0-9]*$ ]] ||
    die "BENCH_WORKER_THREADS must be a positive whole number (got '$BENCH_WORKER_THREADS')"
  [ "$BENCH_SECONDS" -ge 1 ] || die "BENCH_SECONDS must be at least 1"
  [ "$BENCH_STARTUP_RUNS" -ge 1 ] || die "BENCH_STARTUP_RUNS must be at least 1"
  [ "$BENCH_AB_ROUNDS" -ge 1 ] || die "BENCH_AB_ROUNDS must be at least 1"
  [ "$BENCH_CONNECTIONS" -ge "$BENCH_THREADS" ] || die "wrk needs BENCH_CONNECTIONS >= BENCH_THREADS"

  TMP=$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench.XXXXXX")
  install_express_peer
  install_auth_peer
  BENCH_JWT_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')

  # The machine is shared; other work on its two cores skews every figure,
  # so record the load and say so when it is high.
  LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
  if awk -v l="$LOAD_BEFORE" 'BEGIN { exit !(l > 1.0) }'; then
    log "warning: load average is $LOAD_BEFORE before starting; figures will be skewed by other work"
  fi

  # Binary size: the figure that ships is the stripped one. If the build is
  # not stripped, strip a copy rather than touching build/.
  BIN_BYTES=$(stat -c %s "$CAIRN_BIN")
  if command -v file >/dev/null && file -L "$CAIRN_BIN" | grep -q 'not stripped'; then
    BIN_STRIP_STATE="not stripped"
    cp "$CAIRN_BIN" "$TMP/cairn-stripped"
    strip --strip-all "$TMP/cairn-stripped" || die "strip failed"
    BIN_STRIPPED=$(stat -c %s "$TMP/cairn-stripped")
  else
    BIN_STRIP_STATE="stripped"
    BIN_STRIPPED=$BIN_BYTES
  fi

  # Startup first, while nothing else runs on the machine; then the limiter
  # alone.
  log "timing startup: $BENCH_STARTUP_RUNS fresh starts on fresh databases"
  time_startup
  log "startup median ${STARTUP_MS} ms (runs: $STARTUP_ALL)"
  run_limiter_keys

  local cport nport n1port hport eport aport
  free_port cport; free_port nport; free_port n1port; free_port hport; free_port eport
  free_port aport
  build_hello
  start_cairn "$cport" "$TMP/db" "$TMP/cairn.log"
  local cairn_pid=$CAIRN_PID
  start_nginx "$nport"
  local nginx_pid=$NGINX_PID
  start_nginx "$n1port" 1
  local nginx1_pid=$NGINX_PID
  start_hello "$hport"
  start_express "$eport"
  wait_ready cairn "$cairn_pid" "$cport" /health 15 "$TMP/cairn.log"
  wait_ready cairn "$cairn_pid" "$cport" /api/v1/health 15 "$TMP/cairn.log"
  wait_ready nginx "$nginx_pid" "$nport" / 15 "$TMP/nginx-$BENCH_NGINX_WORKERS/error.log"
  wait_ready nginx "$nginx1_pid" "$n1port" / 15 "$TMP/nginx-1/error.log"
  wait_ready httplib-hello "$HELLO_PID" "$hport" /health 15 "$TMP/hello.log"
  wait_ready express "$EXPRESS_PID" "$eport" /health 30 "$TMP/express.log"
  log "up: cairn :$cport (pid $cairn_pid), nginx :$nport and :$n1port, httplib :$hport, express :$eport"

  # Idle RSS: after startup and a few requests on both endpoints (so lazily
  # touched pages, the SQLite connection and a pool thread or two are in),
  # but before any load.
  for t in 1 2 3 4 5 6 7 8 9 10; do
    probe "$cport" /health || die "cairn stopped answering /health"
    probe "$cport" /api/v1/health || die "cairn stopped answering /api/v1/health"
  done
  sleep 1
  IDLE_KB=$(rss_kb "$cairn_pid")
  [ -n "$IDLE_KB" ] || die "could not read cairn's VmRSS"
  log "cairn idle RSS $(kb_to_mb "$IDLE_KB") MB"

  # The authenticated runs' account, then the auth peer on the same database
  # (it loads revoked sessions at start and reads users per request).
  register_bench_user "$cport"
  start_express_auth "$aport" "$TMP/db/cairn.db"
  wait_ready express-auth "$EXPRESS_AUTH_PID" "$aport" /health 30 "$TMP/express-auth.log"
  login_token "$cport"
  me_ok "$cport" || die "cairn's GET /api/v1/auth/me answered $HTTP_STATUS: $HTTP_BODY"
  me_ok "$aport" || die "the auth peer's GET /api/v1/auth/me answered $HTTP_STATUS: $HTTP_BODY"
  log "express-auth :$aport (pid $EXPRESS_AUTH_PID) answers /auth/me for cairn's token"

  # A second Cairn on the same database with rate limiting on: a per-user
  # rule no run reaches (two rules, the most a class has, so the check is
  # the costliest kind) and an anonymous rule of 1 per hour, so that after
  # its first request an anonymous flood is all 429s.
  local lport
  free_port lport
  start_cairn "$lport" "$TMP/db" "$TMP/cairn-limited.log" RATE_LIMIT_ENABLED=1 \
    RATE_LIMIT_USER=1000000000/1m,1000000000/1h RATE_LIMIT_ANON=1/1h
  local limited_pid=$CAIRN_PID
  wait_ready cairn-limited "$limited_pid" "$lport" /health 15 "$TMP/cairn-limited.log"
  me_ok "$lport" || die "the rate-limited cairn's GET /api/v1/auth/me answered $HTTP_STATUS: $HTTP_BODY"

  # The load runs. Later issues add endpoints here with bench_target.
  RSS_PID=$cairn_pid bench_target "cairn /health" "http://$HOST:$cport/health"
  RSS_PID=$cairn_pid bench_target "cairn /api/v1/health" "http://$HOST:$cport/api/v1/health"
  bench_target "nginx /" "http://$HOST:$nport/"
  bench_target "nginx 1 worker /" "http://$HOST:$n1port/"
  bench_target "httplib hello /health" "http://$HOST:$hport/health"
  bench_target "express /health" "http://$HOST:$eport/health"
  login_token "$cport"
  bench_target "express-auth /auth/me" "http://$HOST:$aport/api/v1/auth/me" -H "Authorization: Bearer $TOKEN"
  # Rate limiting's cost, A/B: limiting off and on (the same token: both
  # read one database), then a 429 flood against /health.
  login_token "$cport"
  ab_compare "cairn /auth/me, A/B" "http://$HOST:$cport/api/v1/auth/me" \
    "cairn /auth/me limited, A/B" "http://$HOST:$lport/api/v1/auth/me" \
    -H "Authorization: Bearer $TOKEN"
  [ "${AB_NON2XX[b]}" = 0 ] ||
    die "the rate-limited /auth/me runs had ${AB_NON2XX[b]} answers other than 200"
  ab_compare "cairn /health, A/B" "http://$HOST:$cport/health" \
    "cairn 429 flood /api/v1, A/B" "http://$HOST:$lport/api/v1"
  check_flood
  # Cairn's /auth/me last, just before the storm: it is the storm's "before".
  login_token "$cport"
  RSS_PID=$cairn_pid bench_target "cairn /auth/me" "http://$HOST:$cport/api/v1/auth/me" \
    -H "Authorization: Bearer $TOKEN"
  login_storm "$cport" "$cairn_pid"

  kill -0 "$cairn_pid" 2>/dev/null || die "cairn died during the load runs"
  HWM_KB=$(rss_kb "$cairn_pid" VmHWM)

  print_report "cairn /health" | sed 's/[[:space:]]*$//'  # no trailing blanks in the table
}

main "$@"
