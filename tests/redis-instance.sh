#!/usr/bin/env bash
# Starts or stops a private Redis (no persistence, loopback only).
#   redis-instance.sh start DIR PORT  -> prints the URL on stdout
#   redis-instance.sh stop DIR
# Installs Debian's redis-server package when it is missing (needs root).
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?directory}
case "$cmd" in
  start)
    port=${3:?port}
    if ! command -v redis-server >/dev/null 2>&1; then
      echo "redis-instance: installing redis-server from Debian packages" >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server >&2
    fi
    mkdir -p "$dir"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >&2
    for _ in $(seq 1 100); do
      if redis-cli -p "$port" ping >/dev/null 2>&1; then
        echo "redis://127.0.0.1:$port"
        exit 0
      fi
      sleep 0.05
    done
    echo "redis-instance: redis did not answer on port $port" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/redis.pid" ]; then
      pid=$(cat "$dir/redis.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
      done
      rm -f "$dir/redis.pid"
    fi
    ;;
  *)
    echo "usage: $0 start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
