#!/usr/bin/env bash
# The payments benchmark (issue 6); `make bench` runs it after bench/run.sh as
# `bash bench/payments.sh` with SEED_BIN set. Over loopback only, it measures:
#
# QR payments, committed durably: Cairn with SQLITE_SYNCHRONOUS=FULL (its
#   default) and the Express + better-sqlite3 peer (bench/peers/express-auth,
#   two workers, synchronous=FULL) each take BENCH_PAY_CONNECTIONS connections
#   of POST /api/v1/transactions/qr-payment spread over BENCH_PAY_USERS
#   payers, every request with its own Idempotency-Key, on the same database
#   file (the same users, tokens and merchant). Each payment is the same
#   transaction on both: idempotency lookup, paying account, merchant, sandbox
#   bank debit with its balance check, cached balance, transaction row, two
#   outbox events, idempotency record. Every answer must be 201, and
#   `cairn check` must pass on the file afterwards.
# Transactions list: bench/seed_payments (SEED_BIN) makes BENCH_LIST_PAYMENTS
#   payments through the payments domain over BENCH_LIST_USERS users, one
#   payer holding a tenth of them; then GET /api/v1/transactions, 20 rows, as
#   that payer: page 1 (empty cursor) and page 5,000 by cursor (keyset), A/B
#   interleaved; page 1 in page style (counting the payer's rows for `total`)
#   and page 5,000 by offset, for contrast. The database's size per 1,000,000
#   payments and `cairn backup` of it are measured too.
#
# Environment (all optional), besides bench/lib.sh's BENCH_SECONDS,
# BENCH_WARMUP, BENCH_THREADS, BENCH_AB_ROUNDS, BENCH_WORKER_THREADS, CAIRN_BIN:
#   BENCH_PAY_CONNECTIONS  connections paying at once           (32)
#   BENCH_PAY_USERS        payers registered through the API    (256)
#   BENCH_LIST_PAYMENTS    payments seeded for the list         (1000000)
#   BENCH_LIST_USERS       users seeded for the list            (10000)
#   BENCH_LIST_CONNECTIONS connections reading the list         (64)
#   SEED_BIN               bench/seed_payments.cpp built; unset skips the
#                          list part (`make bench` builds it and sets this)
# Misses are reported, not failed; the exit status is non-zero only if
# something could not be started or measured, or a payment was refused.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_PAY_CONNECTIONS=${BENCH_PAY_CONNECTIONS:-32}
BENCH_PAY_USERS=${BENCH_PAY_USERS:-256}
BENCH_LIST_PAYMENTS=${BENCH_LIST_PAYMENTS:-1000000}
BENCH_LIST_USERS=${BENCH_LIST_USERS:-10000}
BENCH_LIST_CONNECTIONS=${BENCH_LIST_CONNECTIONS:-64}
SEED_BIN=${SEED_BIN:-}

BENCH_PASSWORD=benchPassw0rd

# Targets (issue 6).
T_QR_RPS=3000          # cairn QR payments per second, FULL, 32 connections >=
T_QR_VS_EXPRESS=10     # cairn QR payments/s / express peer's              >=
T_LIST_RPS=10000       # list page by cursor, requests/s                   >=
T_LIST_DEPTH=0.20      # |page 5,000 / page 1 - 1| by requests/s            <=

# ---------------------------------------------------------------------------
# QR payments.

# register_payer PORT EMAIL: registers, signs in, links a sandbox account of
# 1,000,000 NOK; prints the access token.
register_payer() {
  local port=$1 email=$2 body
  body=$(printf '{"email":"%s","password":"%s","firstName":"Bench","lastName":"Payer","dateOfBirth":"1990-01-01"}' \
    "$email" "$BENCH_PASSWORD")
  http_call POST "$port" /api/v1/auth/register "$body" && [ "$HTTP_STATUS" = 201 ] ||
    die "register $email answered ${HTTP_STATUS:-nothing}: $HTTP_BODY"
  BENCH_EMAIL=$email login_token "$port"
  http_call POST "$port" /api/v1/bank-accounts '{"bankName":"Bench Bank","initialBalance":1000000}' "$TOKEN" &&
    [ "$HTTP_STATUS" = 201 ] || die "linking an account for $email answered ${HTTP_STATUS:-nothing}: $HTTP_BODY"
  printf '%s\n' "$TOKEN"
}

# make_payers PORT N FILE: N payers, registered by two shells at once (each
# registration and sign-in is an Argon2id hash); their tokens into FILE.
make_payers() {
  local port=$1 n=$2 file=$3 half=$(( $2 / 2 )) part
  for part in 0 1; do
    (
      local i from=$(( part * half + 1 )) to=$half
      [ "$part" = 1 ] && to=$n
      for i in $(seq "$from" "$to"); do register_payer "$port" "payer$i@example.com"; done
    ) >"$file.$part" &
  done
  wait -n && wait -n || die "registering the payers failed"
  cat "$file.0" "$file.1" >"$file"
  [ "$(wc -l <"$file")" = "$n" ] || die "expected $n payer tokens, got $(wc -l <"$file")"
}

# make_merchant PORT: a merchant account; sets MERCHANT_ID.
make_merchant() {
  local port=$1 email=merchant@example.com
  http_call POST "$port" /api/v1/auth/register \
    "{\"email\":\"$email\",\"password\":\"$BENCH_PASSWORD\",\"firstName\":\"Bench\",\"lastName\":\"Shop\",\"dateOfBirth\":\"1990-01-01\"}" &&
    [ "$HTTP_STATUS" = 201 ] || die "register merchant answered ${HTTP_STATUS:-nothing}: $HTTP_BODY"
  BENCH_EMAIL=$email login_token "$port"
  http_call POST "$port" /api/v1/merchants/register \
    '{"businessName":"Bench Shop","orgNumber":"123456785","bankAccount":"12345678903"}' "$TOKEN" &&
    [ "$HTTP_STATUS" = 201 ] || die "merchant registration answered ${HTTP_STATUS:-nothing}: $HTTP_BODY"
  [[ $HTTP_BODY =~ \"id\":\"(mer_[0-9a-f]+)\" ]] || die "no merchant id in: $HTTP_BODY"
  MERCHANT_ID=${BASH_REMATCH[1]}
}

# The payment script: tokens from a file, spread over the connections so each
# request pays as another user; an Idempotency-Key unique to the server (the
# environment's QR_RUN), the wrk run (random), the thread and the request, so
# no payment is a replay; answers counted by status.
write_qr_lua() {  # FILE TOKENS_FILE MERCHANT_ID
  cat >"$1" <<LUA
local tokens = {}
for line in io.lines("$2") do tokens[#tokens + 1] = line end
local body = '{"merchantId":"$3","amount":1.5}'
threads, next_id = {}, 0
function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end
function init(args)
  local urandom = io.open("/dev/urandom", "rb")
  prefix = (os.getenv("QR_RUN") or "run") .. "-" ..
    urandom:read(6):gsub(".", function(c) return string.format("%02x", c:byte()) end)
  urandom:close()
  statuses, n = {}, 0
end
function request()
  n = n + 1
  return wrk.format("POST", "/api/v1/transactions/qr-payment", {
    ["Authorization"] = "Bearer " .. tokens[(n * 31 + tid * 17) % #tokens + 1],
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("%s-%d-%d", prefix, tid, n),
  }, body)
end
LUA
  lua_status_counter >>"$1"
}

# only_201 NAME: the last parsed run answered nothing but 201.
only_201() {
  [ -z "${W_NON2XX:-}" ] && [[ $W_NOTE == "statuses: 201 x"* ]] && [[ $W_NOTE != *", "* ]] ||
    die "$1: answers other than 201 ($W_NOTE)"
}

bench_qr() {
  local dbdir=$TMP/qr cport aport
  free_port cport; free_port aport
  start_cairn "$cport" "$dbdir" "$TMP/cairn-qr.log" SQLITE_SYNCHRONOUS=FULL
  local cairn_pid=$CAIRN_PID
  wait_ready cairn "$cairn_pid" "$cport" /api/v1/health 15 "$TMP/cairn-qr.log"
  log "QR payments: registering $BENCH_PAY_USERS payers and a merchant (Argon2id each; about $(( BENCH_PAY_USERS / 8 )) s)"
  make_payers "$cport" "$BENCH_PAY_USERS" "$TMP/tokens.txt"
  make_merchant "$cport"
  write_qr_lua "$TMP/qr.lua" "$TMP/tokens.txt" "$MERCHANT_ID"

  local BENCH_CONNECTIONS=$BENCH_PAY_CONNECTIONS
  # --timeout 10s: a payment slower than wrk's default 2 s is a slow 201,
  # not a dropped connection (the run must see every answer).
  QR_RUN=cairn RSS_PID=$cairn_pid bench_target "cairn qr-payment" \
    "http://$HOST:$cport/api/v1/transactions/qr-payment" -s "$TMP/qr.lua" --timeout 10s
  only_201 "cairn qr-payment"
  QR_CAIRN_PAID=$W_REQS
  # Cairn stops before the peer runs: its workers (the event dispatcher
  # above all) would otherwise take the write lock from the peer's processes,
  # whose busy handler sleeps and retries while Cairn's threads queue.
  stop_pid "$cairn_pid"

  start_express_auth "$aport" "$dbdir/cairn.db"
  wait_ready express-auth "$EXPRESS_AUTH_PID" "$aport" /health 30 "$TMP/express-auth.log"
  QR_RUN=express bench_target "express qr-payment" \
    "http://$HOST:$aport/api/v1/transactions/qr-payment" -s "$TMP/qr.lua" --timeout 10s
  only_201 "express qr-payment"
  stop_pid "$EXPRESS_AUTH_PID"
  QR_CHECK=$("$CAIRN_BIN" check --db "$dbdir/cairn.db" 2>&1) || die "cairn check failed after the payments: $QR_CHECK"
}

# ---------------------------------------------------------------------------
# The list over a million payments.

bench_list() {
  if [ -z "$SEED_BIN" ]; then
    log "SEED_BIN unset: not measuring the transactions list"
    return
  fi
  [ -x "$SEED_BIN" ] || die "$SEED_BIN not found or not executable"
  local dbdir=$TMP/list t0 t1 port
  mkdir -p "$dbdir"
  log "seeding $BENCH_LIST_PAYMENTS payments over $BENCH_LIST_USERS users (a few minutes)"
  t0=$(now_us)
  SEED_OUT=$("$SEED_BIN" "$dbdir/cairn.db" "$BENCH_LIST_PAYMENTS" "$BENCH_LIST_USERS") ||
    die "$SEED_BIN failed"
  t1=$(now_us)
  SEED_S=$(awk -v t=$(( t1 - t0 )) 'BEGIN { printf "%.1f", t / 1e6 }')
  DB_BYTES=$(stat -c %s "$dbdir/cairn.db")
  DB_MB_PER_M=$(awk -v b="$DB_BYTES" -v n="$BENCH_LIST_PAYMENTS" 'BEGIN { printf "%.1f", b / 1e6 * 1e6 / n }')
  log "seeded in ${SEED_S}s: $DB_BYTES bytes"

  t0=$(now_us)
  "$CAIRN_BIN" backup --db "$dbdir/cairn.db" --out "$TMP/backup.db" >/dev/null 2>"$TMP/backup.log" ||
    { cat "$TMP/backup.log" >&2; die "cairn backup failed"; }
  t1=$(now_us)
  BACKUP_S=$(awk -v t=$(( t1 - t0 )) 'BEGIN { printf "%.2f", t / 1e6 }')
  BACKUP_BYTES=$(stat -c %s "$TMP/backup.db")
  rm -f "$TMP/backup.db"
  log "cairn backup: ${BACKUP_S}s, $BACKUP_BYTES bytes"

  free_port port
  start_cairn "$port" "$dbdir" "$TMP/cairn-list.log"
  local pid=$CAIRN_PID
  wait_ready cairn "$pid" "$port" /api/v1/health 30 "$TMP/cairn-list.log"
  BENCH_EMAIL=bench@example.com login_token "$port"
  local base="/api/v1/transactions"
  http_call GET "$port" "$base?pageSize=20" "" "$TOKEN" && [ "$HTTP_STATUS" = 200 ] ||
    die "the first page answered ${HTTP_STATUS:-nothing}: $HTTP_BODY"
  [[ $HTTP_BODY =~ \"pagination\":\{[^}]*\"total\":([0-9]+) ]] ||
    die "no pagination total in the first page: ${HTTP_BODY:0:300}"
  LIST_ROWS=${BASH_REMATCH[1]}
  [ "$LIST_ROWS" -ge 100000 ] || die "the bench payer has $LIST_ROWS payments; page 5,000 needs 100,000"
  # The cursor to page 5,000 comes from page 4,999, fetched once by offset.
  http_call GET "$port" "$base?limit=20&offset=$(( 4998 * 20 ))" "" "$TOKEN" && [ "$HTTP_STATUS" = 200 ] ||
    die "page 4,999 by offset answered ${HTTP_STATUS:-nothing}"
  [[ $HTTP_BODY =~ \"nextCursor\":\"([^\"]+)\" ]] || die "no nextCursor on page 4,999"
  local cursor5000=${BASH_REMATCH[1]}
  http_call GET "$port" "$base?pageSize=20&cursor=$cursor5000" "" "$TOKEN" && [ "$HTTP_STATUS" = 200 ] &&
    [[ $HTTP_BODY == *'"id":"tx_qr_'* ]] || die "page 5,000 by cursor answered ${HTTP_STATUS:-nothing}: ${HTTP_BODY:0:300}"

  local BENCH_CONNECTIONS=$BENCH_LIST_CONNECTIONS auth="Authorization: Bearer $TOKEN"
  RSS_PID=$pid bench_target "list page 1, page style" "http://$HOST:$port$base?pageSize=20" -H "$auth"
  ab_compare "list page 1, cursor" "http://$HOST:$port$base?pageSize=20&cursor=" \
    "list page 5000, cursor" "http://$HOST:$port$base?pageSize=20&cursor=$cursor5000" -H "$auth"
  bench_target "list page 5000, offset" "http://$HOST:$port$base?limit=20&offset=$(( 4999 * 20 ))" -H "$auth"
  LIST_HWM_KB=$(rss_kb "$pid" VmHWM)
  stop_pid "$pid"
}

# ---------------------------------------------------------------------------

print_report() {
  local line qr_c qr_e r_qr l1 l5000 depth depth_dev
  line=$(printf '%.0s-' $(seq 1 78))
  qr_c=$(rps_of "cairn qr-payment"); qr_e=$(rps_of "express qr-payment")
  r_qr=$(ratio "$qr_c" "$qr_e")
  l1=$(rps_of "list page 1, cursor"); l5000=$(rps_of "list page 5000, cursor")
  depth=$(ratio "$l5000" "$l1")
  depth_dev=$(awk -v d="$depth" 'BEGIN { if (d != "") { x = d - 1; printf "%.2f", x < 0 ? -x : x } }')
  echo
  echo "Cairn payments benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')  $(nproc) cores, $(uname -r)"
  echo "load average (1 min) before the run: $LOAD_BEFORE"
  echo "QR: wrk -t$BENCH_THREADS -c$BENCH_PAY_CONNECTIONS -d${BENCH_SECONDS}s, $BENCH_PAY_USERS payers, synchronous=FULL on both"
  echo "list: $BENCH_LIST_CONNECTIONS connections, 20 rows; the payer holds ${LIST_ROWS:-n/a} of ${BENCH_LIST_PAYMENTS} payments"
  echo "$line"
  print_results "$line"
  figure "cairn QR payments per second (FULL)" "${qr_c:-}" '>=' "$T_QR_RPS"
  figure "cairn QR payments/s / express peer's" "${r_qr:-}" '>=' "$T_QR_VS_EXPRESS"
  figure "list page 1 by cursor, requests/s" "${l1:-}" '>=' "$T_LIST_RPS"
  figure "list page 5,000 by cursor, requests/s" "${l5000:-}" '>=' "$T_LIST_RPS"
  figure "list page 5,000 / page 1, |ratio - 1|" "${depth_dev:-}" '<=' "$T_LIST_DEPTH"
  figure "list page 1 counted (page style) / cursor" "$(ratio "$(rps_of "list page 1, page style")" "${l1:-}")"
  figure "list page 5,000 by offset / by cursor" "$(ratio "$(rps_of "list page 5000, offset")" "${l5000:-}")"
  figure "database MB per 1,000,000 payments" "${DB_MB_PER_M:-}"
  figure "cairn backup of it, seconds" "${BACKUP_S:-}"
  figure "cairn VmHWM after the list runs (MB)" "$(mb_or_empty "${LIST_HWM_KB:-}")"
  echo "$line"
  echo "QR payments made by cairn in the measured run: ${QR_CAIRN_PAID:-n/a}; cairn check afterwards: ${QR_CHECK:-n/a}"
  if [ -n "${SEED_OUT:-}" ]; then
    echo "seeded in ${SEED_S}s ($(printf '%s' "$SEED_OUT" | awk '$1 ~ /^seconds_/ { printf "%s%s %ss", (n++ ? ", " : ""), substr($1, 9), $2 }')):" \
      "$DB_BYTES bytes; backup $BACKUP_BYTES bytes"
  fi
  echo "MB = 10^6 bytes. Misses are reported, not failed: exit status is 0."
}

main() {
  local t
  for t in wrk node npm awk; do
    command -v "$t" >/dev/null || die "$t not found (run scripts/deps.sh bench)"
  done
  [ -x "$CAIRN_BIN" ] || die "$CAIRN_BIN not found or not executable (run make first)"
  for t in BENCH_SECONDS BENCH_WARMUP BENCH_THREADS BENCH_AB_ROUNDS BENCH_PAY_CONNECTIONS \
           BENCH_PAY_USERS BENCH_LIST_PAYMENTS BENCH_LIST_USERS BENCH_LIST_CONNECTIONS; do
    [[ ${!t} =~ ^[0-9]+$ ]] || die "$t must be a whole number (got '${!t}')"
  done
  [ "$BENCH_PAY_USERS" -ge 2 ] || die "BENCH_PAY_USERS must be at least 2"
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench-payments.XXXXXX")
  install_auth_peer
  BENCH_JWT_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)

  bench_qr
  bench_list
  print_report | sed 's/[[:space:]]*$//'
}

main "$@"
