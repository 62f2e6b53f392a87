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
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_NGINX_WORKERS=${BENCH_NGINX_WORKERS:-auto}
BENCH_STARTUP_RUNS=${BENCH_STARTUP_RUNS:-5}
BENCH_STORM_RAMP=${BENCH_STORM_RAMP:-2}
LIMITER_BIN=${LIMITER_BIN:-}

EXPRESS_DIR=$ROOT/bench/peers/express

# The account the authenticated runs use, registered on the run's fresh
# database.
BENCH_EMAIL=bench@example.com
BENCH_PASSWORD=benchPassw0rd

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

# ---------------------------------------------------------------------------
# Peers only this script runs.

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
# with the same header and flags as Cairn (TLS support included, so it links
# OpenSSL as Cairn does).
build_hello() {
  g++ -std=c++20 -O2 -DPICOJSON_USE_INT64 -I"$ROOT/src" -I"$ROOT/third_party/httplib" \
    -o "$TMP/httplib_hello" "$ROOT/bench/peers/httplib_hello.cpp" -static -s \
    -lssl -lcrypto -lpthread -ldl \
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

# Node peers' packages, installed on first use (npm, from each package-lock.json).
install_express_peer() {
  [ -d "$EXPRESS_DIR/node_modules/express" ] && return
  log "installing the Express peer's dependencies (npm)"
  (cd "$EXPRESS_DIR" && npm install --no-audit --no-fund --silent) || die "npm install failed in $EXPRESS_DIR"
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

# me_ok PORT: 0 if GET /api/v1/auth/me with TOKEN answers 200 with the bench
# account (a peer answering anything else would be measured doing less work).
me_ok() {
  http_call GET "$1" /api/v1/auth/me "" "$TOKEN" && [ "$HTTP_STATUS" = 200 ] &&
    [[ $HTTP_BODY == *\"email\":\"$BENCH_EMAIL\"* ]]
}

# The storm's wrk script: the login body, and a count of answers by HTTP
# status (each thread's counts are read back in done()). At login rates the
# per-response callback costs wrk nothing.
write_login_lua() {  # FILE
  cat >"$1" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"$BENCH_EMAIL","password":"$BENCH_PASSWORD"}'
threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
LUA
  lua_status_counter >>"$1"
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
  print_results "$line"
  figure "cairn /health rps / nginx rps" "${r_n:-}" '>=' "$T_RPS_VS_NGINX"
  figure "cairn /health rps / express rps" "${r_e:-}" '>=' "$T_RPS_VS_EXPRESS"
  figure "cairn /health p99 / nginx p99" "${r_p:-}" '<=' "$T_P99_VS_NGINX"
  figure "cairn /health rps / nginx 1 worker rps" "${r_n1:-}"
  figure "cairn /health rps / httplib hello rps" "${r_h:-}"
  figure "httplib hello rps / nginx rps" "${r_hn:-}"
  figure "cairn /auth/me rps / express-auth rps" "${r_me_e:-}" '>=' "$T_ME_VS_EXPRESS"
  figure "cairn /auth/me rps / nginx rps" "${r_me_n:-}" '>=' "$T_ME_VS_NGINX"
  figure "cairn /auth/me p99 / nginx p99" "${r_me_p:-}" '<=' "$T_ME_P99_VS_NGINX"
  figure "cairn /auth/me rps in login storm / before" "${r_storm:-}" '>=' "$T_STORM_ME"
  figure "cairn logins answered 200 per second, storm" "${STORM_LOGIN_OK:-}"
  figure "cairn /auth/me rps, rate limiting on / off" "${r_limited:-}" '>=' "$T_LIMITED_ME"
  figure "cairn 429s per second / cairn /health rps" "${r_flood:-}" '>=' "$T_FLOOD_VS_HEALTH"
  figure "limiter heap, 1,000,000 keys (MB)" "${LIMITER_HEAP_MB:-}" '<' "$T_LIMITER_MB"
  printf '%-44s %12s  %-12s %s\n' "limiter cap held, no growth past it" "${LIMITER_OK:-n/a}" "-" "${LIMITER_OK:-}"
  figure "cairn peak RSS in login storm (MB)" "${storm_rss_mb:-}" '<' "$T_STORM_RSS_MB"
  figure "cairn idle RSS (MB)" "${idle_mb:-}" '<' "$T_IDLE_RSS_MB"
  figure "cairn RSS under /health load, max (MB)" "${load_mb:-}"
  figure "cairn VmHWM after all runs (MB)" "${hwm_mb:-}"
  figure "cairn stripped binary (MB; $BIN_STRIPPED bytes)" "${bin_mb:-}" '<' "$T_BINARY_MB"
  figure "cairn exec to first 200, median (ms)" "${STARTUP_MS:-}" '<' "$T_STARTUP_MS"
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
