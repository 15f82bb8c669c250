#!/usr/bin/env bash
# The whole test suite: unit tests, then the black-box system tests against the built
# binaries with PostgreSQL and Redis from tests/deps.sh, then the operator's own suite.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "run: installing cargo-nextest" >&2
  cargo install --locked cargo-nextest
fi

cargo build --workspace --bins
bash tests/deps.sh cargo nextest run --workspace --no-fail-fast --test-threads "${TEST_THREADS:-4}" \
  --exclude mission-control-operator
if [ -x operator/test.sh ]; then
  bash operator/test.sh
fi
