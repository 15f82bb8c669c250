#!/usr/bin/env bash
# Inbound webhooks on the durable jobs (PostgreSQL + Redis): signed deliveries posted with wrk
# (ingest req/s and latency: payload, memory note and job in one transaction), then how fast
# the runner drains the delivery jobs the run left behind (jobs/s on one replica).
# Needs TEST_DATABASE_URL (admin URL), TEST_REDIS_URL, psql, wrk, python3 and a release build
# of mission-control (MISSION_CONTROL_BIN overrides it). BENCH_DURATION (default 10s),
# BENCH_CONNECTIONS (default 32), JOBS_CONCURRENCY (default 4).
set -euo pipefail
command -v wrk >/dev/null || { echo "bench: install wrk (apt-get install wrk)" >&2; exit 1; }
cd "$(dirname "$0")/.."
BIN=${MISSION_CONTROL_BIN:-target/release/mission-control}
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-32}
TOKEN=bench-token-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN
ADMIN=$TEST_DATABASE_URL
DBNAME=mc_webhook_bench_$$
psql -qX "$ADMIN" -c "CREATE DATABASE $DBNAME" >/dev/null
DB=$(python3 -c "import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p._replace(path='/'+sys.argv[2]).geturl())" "$ADMIN" "$DBNAME")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
LOG=$(mktemp)
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  psql -qX "$ADMIN" -c "DROP DATABASE IF EXISTS $DBNAME WITH (FORCE)" >/dev/null || true
  rm -f "$LOG"
}
trap cleanup EXIT
start() { # extra env...
  env -i PATH="$PATH" HOST=127.0.0.1 PORT="$PORT" LOG_LEVEL=warn LOG_FORMAT=json \
    LOCAL_AUTH_TOKEN=$TOKEN DATABASE_URL="$DB" RATE_LIMIT_BACKEND=redis RATE_LIMIT_REDIS_URL="$TEST_REDIS_URL" \
    RATE_LIMIT_REDIS_PREFIX="bench:$$" TRUSTED_PROXIES=127.0.0.1 DB_POOL_MAX_CONNECTIONS=16 \
    RATE_LIMIT_WEBHOOK_REQUESTS=100000000 JOBS_CONCURRENCY="${JOBS_CONCURRENCY:-4}" "$@" "$BIN" serve >>"$LOG" 2>&1 &
  PID=$!
  for _ in $(seq 1 200); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.05; done
}
api() { curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
# Ingest with the runner held back (a poll interval longer than the run), so the drain below
# is measured on its own.
start JOBS_POLL_SECONDS=3600
api -X POST "$BASE/api/v1/auth/bootstrap" >/dev/null
BOARD=$(api -X POST "$BASE/api/v1/boards" -d '{"name":"Hooks","slug":"hooks","description":"bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
HOOK=$(api -X POST "$BASE/api/v1/boards/$BOARD/webhooks" -d '{"description":"bench","secret":"bench-secret"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
BODY='{"action":"opened","number":42,"repository":{"full_name":"acme/widgets"}}'
SIG="sha256=$(printf '%s' "$BODY" | openssl dgst -sha256 -hmac bench-secret -r | cut -d' ' -f1)"
out=$(MC_BODY=$BODY MC_SIGNATURE=$SIG MC_PATH="/api/v1/boards/$BOARD/webhooks/$HOOK" \
  wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s bench/wrk/webhook.lua "$BASE" 2>&1)
rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
stored=$(psql -qtAX "$DB" -c 'SELECT count(*) FROM board_webhook_payloads')
queued=$(psql -qtAX "$DB" -c "SELECT count(*) FROM jobs WHERE kind = 'webhook_delivery' AND status = 'ready'")
echo
echo "| scenario ($CONNS connections, $DURATION) | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
echo "| signed POST /api/v1/boards/{id}/webhooks/{id} → 202 (payload + memory + job, one tx) | $rps | $p50 | $p99 | ${non2xx:-0} |"
echo
echo "stored payloads: $stored; delivery jobs waiting: $queued"
# Drain: restart with a running runner and time it until no delivery job is left.
kill "$PID"; wait "$PID" 2>/dev/null || true
started=$(date +%s.%N)
start
while [ "$(psql -qtAX "$DB" -c "SELECT count(*) FROM jobs WHERE kind = 'webhook_delivery' AND status <> 'done'")" != 0 ]; do
  sleep 0.2
done
ended=$(date +%s.%N)
python3 - "$queued" "$started" "$ended" "${JOBS_CONCURRENCY:-4}" <<'PY'
import sys
n, a, b, c = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
secs = b - a
print(f"drain: {n} delivery jobs in {secs:.1f} s = {n / secs:.0f} jobs/s on one replica (JOBS_CONCURRENCY={c}, includes start-up)")
PY
records=$(psql -qtAX "$DB" -c "SELECT count(*) FROM activity_events WHERE event_type = 'webhook.delivery_notify_failed'")
echo "delivery records: $records (one per job)"
if grep -q '"level":"ERROR"' "$LOG"; then echo "service logged errors:"; grep '"level":"ERROR"' "$LOG" | head -5; fi
