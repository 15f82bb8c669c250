#!/usr/bin/env bash
# Only the live-stream fan-out of bench/inner.sh: a write on replica A, 1,000 subscribers of
# the board's task stream on replica B (PostgreSQL + Redis), 50 writes; prints the
# response-to-delivery latency. Needs TEST_DATABASE_URL (admin URL) and TEST_REDIS_URL, psql,
# and release builds of mission-control and stream-bench (MISSION_CONTROL_BIN / STREAM_BENCH
# override them).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${MISSION_CONTROL_BIN:-target/release/mission-control}
TOKEN=bench-token-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN
ADMIN=$TEST_DATABASE_URL
DBNAME=mc_stream_bench_$$
psql -qX "$ADMIN" -c "CREATE DATABASE $DBNAME" >/dev/null
DB=$(python3 -c "import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p._replace(path='/'+sys.argv[2]).geturl())" "$ADMIN" "$DBNAME")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port); PORT2=$(free_port)
LOG=$(mktemp)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  psql -qX "$ADMIN" -c "DROP DATABASE IF EXISTS $DBNAME WITH (FORCE)" >/dev/null || true
  rm -f "$LOG"
}
trap cleanup EXIT
replica() {
  env -i PATH="$PATH" HOST=127.0.0.1 PORT="$1" LOG_LEVEL=warn LOG_FORMAT=json \
    LOCAL_AUTH_TOKEN=$TOKEN DATABASE_URL=$DB RATE_LIMIT_BACKEND=redis RATE_LIMIT_REDIS_URL=$TEST_REDIS_URL \
    RATE_LIMIT_REDIS_PREFIX="bench:$$" "$BIN" serve >>"$LOG" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.05; done
  echo "replica on $1 did not start:" >&2; cat "$LOG" >&2; exit 1
}
replica "$PORT"
eval "$(python3 bench/seed.py "http://127.0.0.1:$PORT" "$TOKEN" "$DB")"
replica "$PORT2"
echo "stream fan-out (write on replica A, 1,000 subscribers on replica B):"
"${STREAM_BENCH:-target/release/stream-bench}" "http://127.0.0.1:$PORT" "http://127.0.0.1:$PORT2" "$TOKEN" "$BOARD" 1000 50
