#!/usr/bin/env bash
# Benchmarks the release build on PostgreSQL + Redis with a realistic board.
#   bench/run.sh            (uses TEST_DATABASE_URL / TEST_REDIS_URL, or private instances)
# Needs wrk, python3 and psql. Prints a markdown table; see bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "bench: install wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release -p mission-control -p system-tests --bin mission-control --bin stream-bench >&2
exec bash tests/deps.sh bash bench/inner.sh
