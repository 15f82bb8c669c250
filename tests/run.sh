#!/usr/bin/env bash
# The whole test suite (what `make test` runs): unit tests and the black-box system tests of
# the built binaries, the operator's suite, and the packaging checks. PostgreSQL and Redis
# come from TEST_DATABASE_URL / TEST_REDIS_URL, or from private instances (tests/deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TEST_DATABASE_URL:-}" ] || [ -z "${TEST_REDIS_URL:-}" ]; then
  exec bash tests/deps.sh bash "$0" "$@"
fi

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "run: installing cargo-nextest" >&2
  cargo install --locked cargo-nextest
fi

cargo build --workspace --bins
bash tests/schemathesis/install.sh
cargo nextest run --workspace --no-fail-fast --test-threads "${TEST_THREADS:-4}" --exclude mission-control-operator \
  -E 'not binary(real_gateway)'
bash tests/gateway/real.sh
bash operator/test.sh
if [ -f tests/packaging/run.sh ]; then
  bash tests/packaging/run.sh
fi
