#!/usr/bin/env bash
# Helpers shared by Cairn's benchmark scripts (bench/run.sh, bench/payments.sh),
# sourced after `set -euo pipefail`: process bookkeeping that stops every
# started process on exit, loopback probes and single HTTP calls in pure bash,
# wrk runs parsed into a results table, Cairn and the Express + better-sqlite3
# peer (bench/peers/express-auth) started and installed. Every load goes to
# 127.0.0.1 only.
#
# Settings shared by the scripts (all optional; each script lists its own):
#   BENCH_SECONDS        measured wrk run per target, seconds       (10)
#   BENCH_WARMUP         wrk warmup per target, seconds             (2)
#   BENCH_CONNECTIONS    wrk connections                            (64)
#   BENCH_THREADS        wrk threads                                (2)
#   BENCH_WORKER_THREADS WORKER_THREADS for every Cairn started     (Cairn's default)
#   BENCH_AB_ROUNDS      rounds of each side of an A/B comparison   (3)
#   CAIRN_BIN            server binary                              (build/cairn)

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

BENCH_SECONDS=${BENCH_SECONDS:-10}
BENCH_WARMUP=${BENCH_WARMUP:-2}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-64}
BENCH_THREADS=${BENCH_THREADS:-2}
BENCH_WORKER_THREADS=${BENCH_WORKER_THREADS:-}
BENCH_AB_ROUNDS=${BENCH_AB_ROUNDS:-3}
CAIRN_BIN=${CAIRN_BIN:-build/cairn}

HOST=127.0.0.1
EXPRESS_AUTH_DIR=$ROOT/bench/peers/express-auth

# The signing secret Cairn and the Express peer share, new per run (set by
# the script once TMP exists).
BENCH_JWT_SECRET=
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

# figure NAME VALUE [OP TARGET]: one row of the figures table; with OP and
# TARGET, the target and its verdict. An empty VALUE shows as n/a.
figure() {
  if [ $# -ge 4 ]; then
    printf '%-44s %12s  %-12s %s\n' "$1" "${2:-n/a}" "$3 $4" "$(verdict "$2" "$3" "$4")"
  else
    printf '%-44s %12s  %-12s %s\n' "$1" "${2:-n/a}" "-" ""
  fi
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

# start_express_auth PORT DB: the auth peer on Cairn's database file; sets
# EXPRESS_AUTH_PID (the cluster's primary; its workers stop with it).
start_express_auth() {
  (cd "$EXPRESS_AUTH_DIR" && NODE_ENV=production PORT=$1 DATABASE_PATH=$2 \
     JWT_SECRET=$BENCH_JWT_SECRET WORKERS=2 exec node server.js) >"$TMP/express-auth.log" 2>&1 &
  EXPRESS_AUTH_PID=$!
  PIDS+=("$EXPRESS_AUTH_PID")
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

# print_results RULE: the table of every recorded run (name, requests/s,
# p99, peak RSS, notes), then the heading of the figures table below it.
print_results() {
  local line=$1 i
  printf '%-28s %14s %12s %12s  %s\n' "target" "requests/s" "p99 ms" "peak RSS MB" "notes"
  echo "$line"
  for i in "${!R_NAMES[@]}"; do
    printf '%-28s %14s %12s %12s  %s\n' "${R_NAMES[$i]}" "${R_RPS[$i]}" "${R_P99[$i]:--}" \
      "$(if [ -n "${R_PEAK[$i]}" ]; then kb_to_mb "${R_PEAK[$i]}"; else echo -; fi)" "${R_NOTE[$i]}"
  done
  echo "$line"
  printf '%-44s %12s  %-12s %s\n' "figure" "value" "target" "verdict"
  echo "$line"
}

# lua_status_counter: the part of a wrk script that counts answers by HTTP
# status and prints them once the run is over as "status CODE COUNT" lines,
# which parse_wrk reads. The script it goes into keeps a global `threads`
# table that its setup(thread) fills, and sets `statuses = {}` in init().
lua_status_counter() {
  cat <<'LUA'
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
