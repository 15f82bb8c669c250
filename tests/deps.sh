#!/usr/bin/env bash
# Runs a command with a PostgreSQL and a Redis for the tests.
#   tests/deps.sh <command...>
# TEST_DATABASE_URL (an admin URL: the tests create and drop their own databases) and
# TEST_REDIS_URL are used when set; otherwise private instances are started on free ports
# and stopped when the command ends.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

work=$(mktemp -d /tmp/mc-test-deps.XXXXXX)
chmod 755 "$work"
cleanup() {
  [ -d "$work/pg" ] && bash "$here/pg-instance.sh" stop "$work/pg" || true
  [ -d "$work/redis" ] && bash "$here/redis-instance.sh" stop "$work/redis" || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  TEST_DATABASE_URL=$(bash "$here/pg-instance.sh" start "$work/pg" "$(free_port)")
  echo "deps: private PostgreSQL at $TEST_DATABASE_URL" >&2
fi
if [ -z "${TEST_REDIS_URL:-}" ]; then
  TEST_REDIS_URL=$(bash "$here/redis-instance.sh" start "$work/redis" "$(free_port)")
  echo "deps: private Redis at $TEST_REDIS_URL" >&2
fi
export TEST_DATABASE_URL TEST_REDIS_URL
"$@"
