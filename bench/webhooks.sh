#!/usr/bin/env bash
# Inbound webhooks on the durable jobs (PostgreSQL + Redis), three phases:
#  1. ingest: signed 4 KiB JSON deliveries posted with wrk while no runner takes jobs (req/s
#     and latency of payload + memory note + job in one transaction);
#  2. drain: two replicas' runners work off that backlog (jobs/s);
#  3. steady: a light stream of deliveries to both replicas while their runners run;
#     enqueue-to-done latency of those jobs (p50, p99) from the jobs table.
# Needs TEST_DATABASE_URL (admin URL), TEST_REDIS_URL, psql, wrk, openssl, python3 and a
# release build of mission-control (MISSION_CONTROL_BIN overrides it). BENCH_DURATION
# (default 10s), BENCH_CONNECTIONS (default 32), JOBS_CONCURRENCY (default 4).
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
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
LOG=$(mktemp)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -qX "$ADMIN" -c "DROP DATABASE IF EXISTS $DBNAME WITH (FORCE)" >/dev/null || true
  rm -f "$LOG"
}
trap cleanup EXIT
start() { # port, extra env...
  local port=$1
  shift
  env -i PATH="$PATH" HOST=127.0.0.1 PORT="$port" LOG_LEVEL=warn LOG_FORMAT=json \
    LOCAL_AUTH_TOKEN=$TOKEN DATABASE_URL="$DB" RATE_LIMIT_BACKEND=redis RATE_LIMIT_REDIS_URL="$TEST_REDIS_URL" \
    RATE_LIMIT_REDIS_PREFIX="bench:$$" TRUSTED_PROXIES=127.0.0.1 DB_POOL_MAX_CONNECTIONS=16 \
    RATE_LIMIT_WEBHOOK_REQUESTS=1000000 JOBS_CONCURRENCY="${JOBS_CONCURRENCY:-4}" "$@" "$BIN" serve >>"$LOG" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.05; done
  echo "bench: the service did not start:" >&2; tail -5 "$LOG" >&2; exit 1
}
left() { psql -qtAX "$DB" -c "SELECT count(*) FROM jobs WHERE kind = 'webhook_delivery' AND status <> 'done'"; }
wait_drained() { while [ "$(left)" != 0 ]; do sleep 0.2; done; }
PORT_A=$(free_port)
A=http://127.0.0.1:$PORT_A
api() { curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }

# 1. Ingest, with the runner held back (a poll interval longer than the run).
start "$PORT_A" JOBS_POLL_SECONDS=3600
api -X POST "$A/api/v1/auth/bootstrap" >/dev/null
BOARD=$(api -X POST "$A/api/v1/boards" -d '{"name":"Hooks","slug":"hooks","description":"bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
HOOK=$(api -X POST "$A/api/v1/boards/$BOARD/webhooks" -d '{"description":"bench","secret":"bench-secret"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
BODY=$(python3 -c 'import json; print(json.dumps({"action": "opened", "number": 42, "repository": {"full_name": "acme/widgets"}, "notes": "x" * 4000}, separators=(",", ":")))')
SIG="sha256=$(printf '%s' "$BODY" | openssl dgst -sha256 -hmac bench-secret -r | cut -d' ' -f1)"
export MC_BODY=$BODY MC_SIGNATURE=$SIG MC_PATH="/api/v1/boards/$BOARD/webhooks/$HOOK"
out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s bench/wrk/webhook.lua "$A" 2>&1)
rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
queued=$(left)
echo
echo "| scenario ($CONNS connections, $DURATION, ${#BODY}-byte signed JSON body) | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
echo "| POST /api/v1/boards/{id}/webhooks/{id} → 202 (payload + memory + job, one tx) | $rps | $p50 | $p99 | ${non2xx:-0} |"
echo
echo "stored payloads: $(psql -qtAX "$DB" -c 'SELECT count(*) FROM board_webhook_payloads'); delivery jobs left (the replica's runner still wakes on its own enqueues): $queued"

# 2. Drain on two replicas with running runners.
kill "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true
PIDS=()
started=$(date +%s.%N)
start "$PORT_A"
PORT_B=$(free_port)
start "$PORT_B"
wait_drained
ended=$(date +%s.%N)
python3 - "$queued" "$started" "$ended" "${JOBS_CONCURRENCY:-4}" <<'PY'
import sys
n, a, b, c = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
secs = b - a
print(f"drain: {n} delivery jobs in {secs:.1f} s = {n / secs:.0f} jobs/s on two replicas "
      f"(JOBS_CONCURRENCY={c} each; includes their start-up)")
PY

# 3. Steady: one connection to each replica, runners working as deliveries arrive.
mark=$(psql -qtAX "$DB" -c "SELECT now()::timestamp")
wrk -t1 -c1 -d"$DURATION" -s bench/wrk/webhook.lua "$A" >/dev/null 2>&1 &
W1=$!
wrk -t1 -c1 -d"$DURATION" -s bench/wrk/webhook.lua "http://127.0.0.1:$PORT_B" >/dev/null 2>&1 &
W2=$!
wait "$W1" "$W2" || true
wait_drained
read -r n lat50 lat99 < <(psql -qtAX "$DB" -F ' ' -c "SELECT count(*), \
  round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - created_at)) * 1000)::numeric, 1), \
  round((percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - created_at)) * 1000)::numeric, 1) \
  FROM jobs WHERE kind = 'webhook_delivery' AND created_at >= '$mark'")
echo "steady: $n deliveries over two replicas in $DURATION; enqueue-to-done p50 $lat50 ms, p99 $lat99 ms"
records=$(psql -qtAX "$DB" -c "SELECT count(*) FROM activity_events WHERE event_type = 'webhook.delivery_notify_failed'")
jobs=$(psql -qtAX "$DB" -c "SELECT count(*) FROM jobs WHERE kind = 'webhook_delivery'")
retried=$(psql -qtAX "$DB" -c "SELECT count(*) FROM jobs WHERE kind = 'webhook_delivery' AND attempts <> 1")
echo "delivery jobs: $jobs, run more than once: $retried; delivery records: $records (none expected: the bench board has no agent, so a delivery is its memory note and stream event)"
if grep -q '"level":"ERROR"' "$LOG"; then echo "service logged errors:"; grep '"level":"ERROR"' "$LOG" | head -5; fi
