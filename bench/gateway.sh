#!/usr/bin/env bash
# Gateway figures against a real openclaw 2026.9.6 gateway (tests/gateway/openclaw.sh):
# provisioning time per agent, notification delivery latency, and the cost of a gateway call
# on a fresh vs a kept connection (tests/src/bin/gateway-bench.rs). The gateway, the service
# (SQLite) and the bench run in a loopback-only network namespace (as root).
# BENCH_AGENTS (20), BENCH_NOTIFICATIONS (10), BENCH_CALLS (50); MISSION_CONTROL_BIN picks the
# service binary (default target/release/mission-control, else target/debug).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--inner" ]; then
  bash tests/gateway/openclaw.sh install >/dev/null
  cargo build -q -p system-tests --bin gateway-bench
  exec bash tests/gateway/openclaw.sh netns-run bash "$0" --inner
fi
BIN=${MISSION_CONTROL_BIN:-target/release/mission-control}
[ -x "$BIN" ] || BIN=target/debug/mission-control
work=$(mktemp -d)
TOKEN=bench-token-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN
cleanup() {
  [ -n "${SVC:-}" ] && kill "$SVC" 2>/dev/null || true
  bash tests/gateway/openclaw.sh stop "$work/gw" || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/gw"
bash tests/gateway/openclaw.sh start 2026.9.6 "$work/gw" 18789 bench-gateway-token
DATA_DIR="$work/data" LOCAL_AUTH_TOKEN=$TOKEN PORT=18000 LOG_LEVEL=warn \
  JOBS_POLL_SECONDS=0.2 SOULS_DIRECTORY_BASE_URL=off "$BIN" serve > "$work/service.log" 2>&1 &
SVC=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18000/healthz >/dev/null && break; sleep 0.1; done
echo "service: $BIN; gateway: openclaw 2026.9.6 (protocol 4)"
MC_URL=http://127.0.0.1:18000 MC_TOKEN=$TOKEN GW_URL=ws://127.0.0.1:18789 GW_TOKEN=bench-gateway-token \
  target/debug/gateway-bench
