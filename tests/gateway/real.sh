#!/usr/bin/env bash
# The real-gateway suite (tests/real_gateway): installs Node 24 and the pinned OpenClaw
# releases into the cache (reused across runs), then runs the suite inside a network
# namespace that has only loopback (when root), so neither the gateways nor anything that
# talks to them can reach beyond this machine. The service under test uses SQLite there.
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=$(bash tests/gateway/openclaw.sh install)
# The same package set as the main run (tests/run.sh), so nothing is built again.
cargo build --workspace --bins
exec bash tests/gateway/openclaw.sh netns-run \
  env OPENCLAW_CACHE="$cache" CARGO_NET_OFFLINE=true \
  cargo nextest run --workspace --exclude mission-control-operator -E 'binary(real_gateway)' \
  --no-fail-fast --test-threads 1 "$@"
