#!/usr/bin/env bash
# The body of bench/run.sh, run with TEST_DATABASE_URL and TEST_REDIS_URL set.
set -euo pipefail
BIN=${MISSION_CONTROL_BIN:-target/release/mission-control}
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-32}
TOKEN=bench-token-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN
ADMIN=$TEST_DATABASE_URL
DBNAME=mc_bench_$$
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

SERVICE=(env -i PATH="$PATH" HOST=127.0.0.1 PORT=$PORT LOG_LEVEL=warn LOG_FORMAT=json
  LOCAL_AUTH_TOKEN=$TOKEN DATABASE_URL=$DB RATE_LIMIT_BACKEND=redis RATE_LIMIT_REDIS_URL=$TEST_REDIS_URL
  RATE_LIMIT_REDIS_PREFIX="bench:$$" TRUSTED_PROXIES=127.0.0.1 DB_POOL_MAX_CONNECTIONS=16 "$BIN" serve)

start() {
  "${SERVICE[@]}" >>"$LOG" 2>&1 &
  PID=$!
}

# Cold start: process spawn to the first 200 (first start also migrates; measure the second).
start
python3 - "$BASE" <<'PY'
import sys, time, urllib.request
for _ in range(3000):
    try:
        urllib.request.urlopen(sys.argv[1] + "/healthz", timeout=1); break
    except Exception: time.sleep(0.005)
PY
kill "$PID"; wait "$PID" 2>/dev/null || true
COLD=$(python3 - "$BASE" "${SERVICE[@]}" <<'PY'
import subprocess, sys, time, urllib.request
base, cmd = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
while True:
    try:
        urllib.request.urlopen(base + "/healthz", timeout=1); break
    except Exception: time.sleep(0.001)
print(f"{(time.perf_counter() - t0) * 1000:.0f} ms")
p.terminate(); p.wait()
PY
)
start
for _ in $(seq 1 200); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.05; done
eval "$(python3 bench/seed.py "$BASE" "$TOKEN" "$DB")"

run() { # name script path [method]
  local name=$1 script=$2 path=$3 method=${4:-GET}
  local out
  out=$(MC_TOKEN=$TOKEN MC_AGENT_TOKEN=$AGENT_TOKEN MC_PATH=$path MC_METHOD=$method \
    wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s "bench/wrk/$script" "$BASE" 2>&1)
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}"
}

echo "| scenario ($CONNS connections, $DURATION) | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
run "GET /healthz" user_tasks.lua /healthz
run "user GET /api/v1/boards/{id}/tasks?limit=50" user_tasks.lua "/api/v1/boards/$BOARD/tasks?limit=50"
run "agent GET /api/v1/agent/boards/{id}/tasks?limit=10" agent.lua "/api/v1/agent/boards/$BOARD/tasks?limit=10"
run "agent POST /api/v1/agent/heartbeat" agent.lua /api/v1/agent/heartbeat POST
run "429 path (one client over budget)" limited.lua /api/v1/agent/healthz
RSS=$(awk '/VmHWM/ {print $2 " " $3}' "/proc/$PID/status")
echo
echo "peak RSS under load (VmHWM): $RSS"
echo "cold start to first 200: $COLD"

# Agent authentication cost against a small and a large fleet.
echo
echo "| agents in the database | agent GET /api/v1/agent/healthz req/s | p50 | p99 |"
echo "|---|---|---|---|"
fleet() {
  local out
  out=$(MC_AGENT_TOKEN=$AGENT_TOKEN MC_PATH=/api/v1/agent/healthz wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s bench/wrk/agent.lua "$BASE" 2>&1)
  printf '| %s | %s | %s | %s |\n' "$1" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")"
}
psql -qX "$DB" -c "DELETE FROM agents WHERE id NOT IN (SELECT id FROM agents ORDER BY created_at LIMIT 10) AND agent_token_hash IS NULL" >/dev/null
fleet "$(psql -qtAX "$DB" -c 'SELECT count(*) FROM agents')"
python3 bench/more_agents.py "$DB" "$ORG" "$BOARD" "$HASH_KEY" 10000
fleet "$(psql -qtAX "$DB" -c 'SELECT count(*) FROM agents')"

# Read models on a 2,000-task board, and live-stream fan-out across two replicas.
BIG=$(python3 bench/seed_big.py "$BASE" "$TOKEN" 2000)
echo
echo "| scenario ($CONNS connections, $DURATION) | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
run "GET /api/v1/boards/{id}/snapshot (2,000 tasks)" user_tasks.lua "/api/v1/boards/$BIG/snapshot"
run "GET /api/v1/metrics/dashboard?range_key=7d (2,000 tasks)" user_tasks.lua "/api/v1/metrics/dashboard?range_key=7d"

PORT2=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
env -i PATH="$PATH" HOST=127.0.0.1 PORT=$PORT2 LOG_LEVEL=warn LOG_FORMAT=json \
  LOCAL_AUTH_TOKEN=$TOKEN DATABASE_URL=$DB RATE_LIMIT_BACKEND=redis RATE_LIMIT_REDIS_URL=$TEST_REDIS_URL \
  RATE_LIMIT_REDIS_PREFIX="bench:$$" "$BIN" serve >>"$LOG" 2>&1 &
PID2=$!
for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$PORT2/healthz" >/dev/null && break; sleep 0.05; done
echo
echo "stream fan-out (write on replica A, 1,000 subscribers on replica B):"
"${STREAM_BENCH:-target/release/stream-bench}" "$BASE" "http://127.0.0.1:$PORT2" "$TOKEN" "$BOARD" 1000 50
kill "$PID2"; wait "$PID2" 2>/dev/null || true
