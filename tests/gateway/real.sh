#!/usr/bin/env bash
# The real-gateway suite (tests/real_gateway): installs Node 24 and the pinned OpenClaw
# releases into the cache (reused across runs), then runs the suite inside a network
# namespace that has only loopback (when root), so neither the gateways nor anything that
# talks to them can reach beyond this machine. The service under test uses SQLite there.
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=$(bash tests/gateway/openclaw.sh install)
cargo build -p system-tests --tests --bins
cargo build -p mission-control --bins
exec bash tests/gateway/openclaw.sh netns-run \
  env OPENCLAW_CACHE="$cache" CARGO_NET_OFFLINE=true \
  cargo nextest run -p system-tests --test real_gateway --no-fail-fast --test-threads 1 "$@"
