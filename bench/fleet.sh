#!/usr/bin/env bash
# The agent side at fleet scale: 10,000 agents on 100 boards (PostgreSQL + Redis), and the
# same requests made by the user for comparison. Needs TEST_DATABASE_URL (admin URL),
# TEST_REDIS_URL, psql, wrk, and a release build of mission-control (MISSION_CONTROL_BIN
# overrides it). BENCH_DURATION (default 10s) and BENCH_CONNECTIONS (default 32).
set -euo pipefail
command -v wrk >/dev/null || { echo "bench: install wrk (apt-get install wrk)" >&2; exit 1; }
cd "$(dirname "$0")/.."
BIN=${MISSION_CONTROL_BIN:-target/release/mission-control}
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-32}
TOKEN=bench-token-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN
ADMIN=$TEST_DATABASE_URL
DBNAME=mc_fleet_bench_$$
psql -qX "$ADMIN" -c "CREATE DATABASE $DBNAME" >/dev/null
DB=$(python3 -c "import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p._replace(path='/'+sys.argv[2]).geturl())" "$ADMIN" "$DBNAME")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
LOG=$(mktemp)
FLEET=$(mktemp)
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  psql -qX "$ADMIN" -c "DROP DATABASE IF EXISTS $DBNAME WITH (FORCE)" >/dev/null || true
  rm -f "$LOG" "$FLEET"
}
trap cleanup EXIT
env -i PATH="$PATH" HOST=127.0.0.1 PORT="$PORT" LOG_LEVEL=warn LOG_FORMAT=json \
  LOCAL_AUTH_TOKEN=$TOKEN DATABASE_URL="$DB" RATE_LIMIT_BACKEND=redis RATE_LIMIT_REDIS_URL="$TEST_REDIS_URL" \
  RATE_LIMIT_REDIS_PREFIX="bench:$$" TRUSTED_PROXIES=127.0.0.1 DB_POOL_MAX_CONNECTIONS=16 "$BIN" serve >>"$LOG" 2>&1 &
PID=$!
for _ in $(seq 1 200); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.05; done
eval "$(python3 bench/seed_fleet.py "$BASE" "$TOKEN" "$DB" "$FLEET")"
echo "fleet: $(psql -qtAX "$DB" -c 'SELECT count(*) FROM agents') agents on $BOARDS boards, $(psql -qtAX "$DB" -c 'SELECT count(*) FROM tasks') tasks"

run() { # label kind as count
  local out
  out=$(MC_KIND=$2 MC_AS=$3 MC_COUNT=$4 MC_LINES=$FLEET MC_TOKEN=$TOKEN \
    wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s bench/wrk/fleet.lua "$BASE" 2>&1)
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  echo "| $1 | $rps | $p50 | $p99 | ${non2xx:-0} |"
}
echo
echo "| scenario ($CONNS connections, $DURATION) | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
run "agent GET /api/v1/agent/boards/{id}/tasks?limit=20 (10,000 agents)" list agent "$LINES"
run "user GET /api/v1/boards/{id}/tasks?limit=20 (100 boards)" list user "$LINES"
run "agent POST …/tasks/{id}/comments (10,000 agents)" comment agent "$LINES"
run "user POST …/tasks/{id}/comments (100 boards)" comment user "$LINES"
run "agent PATCH …/tasks/{id} status round trip (2,000 agents, own task)" patch agent "$PATCH_LINES"
run "user PATCH …/tasks/{id} status round trip (2,000 tasks)" patch user "$PATCH_LINES"
if grep -q '"level":"ERROR"' "$LOG"; then echo "service logged errors:"; grep '"level":"ERROR"' "$LOG" | head -5; fi
