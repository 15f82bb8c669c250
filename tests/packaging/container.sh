#!/usr/bin/env bash
# The container check: builds the Dockerfile's runtime stages with a private Docker engine
# and runs the image against loopback PostgreSQL and Redis.
#
#   tests/packaging/container.sh BIN_DIR
#
# BIN_DIR holds `mission-control` and `mission-control-operator` built by cargo outside
# (no rust image can be pulled here): the Dockerfile's builder stage is swapped for a stage
# that copies them, and every later stage is built exactly as written. The base image
# (debian:bookworm-slim) is a local stand-in made with debootstrap and cached under the
# target dir. Needs TEST_DATABASE_URL (admin URL) and TEST_REDIS_URL.
#
# Asserts: the image runs as 65532:65532, exposes 8000, carries the OCI labels, has no
# shell, puts both binaries on PATH; `mission-control migrate` then `serve` on a read-only
# root filesystem answer /readyz 200 with database and Redis ok; `docker stop` ends it with
# exit code 0 well before the kill timeout. Prints the image size (not asserted: debug
# binaries are large). Everything it starts (dockerd, containers, the database) is removed
# on exit, also on failure.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
bin_dir=$(cd "${1:?usage: container.sh BIN_DIR}" && pwd)
: "${TEST_DATABASE_URL:?TEST_DATABASE_URL (an admin PostgreSQL URL) is required}"
: "${TEST_REDIS_URL:?TEST_REDIS_URL is required}"
target=${CARGO_TARGET_DIR:-$repo/target}
case $target in /*) ;; *) target=$repo/$target ;; esac
cache=$target/packaging
mkdir -p "$cache"

image=mission-control:packaging-test
base_image=debian:bookworm-slim
base_tar=$cache/debian-bookworm-slim.tar

say() { echo "container: $*" >&2; }
failure=
# The reason is printed now and again last, after the engine's log, so a CI log's tail shows it.
fail() {
  failure="$*"
  echo "container: FAIL: $*" >&2
  exit 1
}

for tool in psql curl python3; do
  command -v "$tool" >/dev/null || fail "$tool is required"
done

# --- tools: Debian's docker.io engine and debootstrap, installed only when missing -------
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
docker_cli=/usr/bin/docker # the client that ships with the engine
[ -x "$docker_cli" ] || docker_cli=$(command -v docker)

# One engine per target dir at a time: its data root (the layer cache) is kept there.
exec 9>"$cache/docker.lock"
flock -w 900 9 || fail "another packaging run holds $cache/docker.lock"

run_dir=$(mktemp -d /tmp/mc-pkg.XXXXXX) # short path: the socket path has a length limit
export DOCKER_HOST=unix://$run_dir/docker.sock
container=mc-pkg-$$
db_name=mc_pkg_$$_$RANDOM
db_created=
dockerd_pid=

docker() { "$docker_cli" "$@"; }

cleanup() {
  local rc=$?
  set +e
  if [ -n "$dockerd_pid" ]; then
    docker rm -f "$container" "$container-files" >/dev/null 2>&1
    if [ $rc -ne 0 ] && [ -s "$run_dir/dockerd.log" ]; then
      say "last lines of dockerd's log:"
      grep -v 'level=info' "$run_dir/dockerd.log" | tail -n 10 >&2
    fi
    kill "$dockerd_pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$dockerd_pid" 2>/dev/null
    # dockerd leaves its network namespace mounted under the exec root.
    grep -o " $run_dir/[^ ]*" /proc/mounts | sort -r | xargs -r umount -l
  fi
  if [ -n "$db_created" ]; then
    psql -q "$TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" >/dev/null 2>&1
  fi
  rm -rf "$run_dir"
  [ $rc -eq 0 ] || echo "container: FAIL: ${failure:-a command failed (exit code $rc; see above)}" >&2
  exit $rc
}
trap cleanup EXIT
trap 'failure=${failure:-"line $LINENO: $BASH_COMMAND (exit code $?)"}' ERR
trap 'exit 130' INT TERM

# --- the engine ----------------------------------------------------------------------------
say "starting dockerd"
dockerd --iptables=false --ip6tables=false --bridge=none \
  --data-root "$cache/docker-data" --exec-root "$run_dir/exec" \
  --host "$DOCKER_HOST" --pidfile "$run_dir/docker.pid" >"$run_dir/dockerd.log" 2>&1 &
dockerd_pid=$!
deadline=$((SECONDS + 60))
until docker version >/dev/null 2>&1; do
  kill -0 "$dockerd_pid" 2>/dev/null || fail "dockerd exited at start (log above)"
  [ $SECONDS -lt $deadline ] || fail "dockerd did not answer within 60 s"
  sleep 0.2
done
say "engine up: $(docker info -f 'server {{.ServerVersion}}, storage driver {{.Driver}}')"

# --- the base image: debootstrap once, cache the tarball, import when absent ---------------
if ! docker image inspect "$base_image" >/dev/null 2>&1; then
  if [ ! -s "$base_tar" ]; then
    mirror=$(sed -n 's/^URIs: *\([^ ]*debian\/*\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 1p)
    mirror=${mirror:-http://deb.debian.org/debian}
    say "making $base_image with debootstrap from $mirror (once; cached in $base_tar)"
    rootfs=$run_dir/rootfs
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$run_dir/debootstrap.log" 2>&1 ||
      { tail -n 20 "$run_dir/debootstrap.log" >&2; fail "debootstrap failed"; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -cf "$base_tar.tmp" . && mv "$base_tar.tmp" "$base_tar"
    rm -rf "$rootfs"
  fi
  say "importing $base_image"
  docker import "$base_tar" "$base_image" >/dev/null
fi

# --- build: the Dockerfile with its builder stage replaced by the prebuilt binaries --------
ctx=$run_dir/context
mkdir -p "$ctx/bin"
for b in mission-control mission-control-operator; do
  [ -x "$bin_dir/$b" ] || fail "$bin_dir/$b is missing: build it with cargo first"
  ln "$bin_dir/$b" "$ctx/bin/$b" 2>/dev/null || cp "$bin_dir/$b" "$ctx/bin/$b"
done
python3 - "$repo/Dockerfile" "$ctx/Dockerfile" <<'EOF'
import re, sys
lines = open(sys.argv[1]).read().splitlines(keepends=True)
starts = [i for i, l in enumerate(lines) if re.match(r"FROM\s", l)]
builder = [i for i in starts if re.match(r"FROM\s+\S+\s+AS\s+builder\s*$", lines[i], re.I)]
if len(builder) != 1:
    sys.exit("Dockerfile: expected exactly one `FROM ... AS builder` stage")
b = builder[0]
end = min(i for i in starts if i > b)
stub = "FROM scratch AS builder\nCOPY bin/ /out/bin/\n\n"
open(sys.argv[2], "w").write("".join(lines[:b]) + stub + "".join(lines[end:]))
EOF
say "building the runtime stage"
# --network=host: the rootfs stage installs ca-certificates with apt (no bridge here).
docker build --network=host -q -t "$image" "$ctx" >"$run_dir/build.log" 2>&1 ||
  { cat "$run_dir/build.log" >&2; fail "docker build failed"; }

# --- static properties of the image --------------------------------------------------------
cfg=$(docker image inspect -f '{{json .Config}}' "$image")
python3 - "$cfg" <<'EOF' || fail "image configuration"
import json, sys
c = json.loads(sys.argv[1])
problems = []
if c.get("User") != "65532:65532":
    problems.append(f"User is {c.get('User')!r}, want 65532:65532")
if "8000/tcp" not in (c.get("ExposedPorts") or {}):
    problems.append("port 8000 is not exposed")
labels = c.get("Labels") or {}
for key in ("title", "description", "source", "licenses", "version", "revision"):
    if not labels.get(f"org.opencontainers.image.{key}"):
        problems.append(f"label org.opencontainers.image.{key} is missing")
env = dict(e.split("=", 1) for e in c.get("Env") or [])
if env.get("HOST") != "0.0.0.0":
    problems.append("HOST is not 0.0.0.0")
if c.get("Entrypoint") or c.get("Cmd") != ["mission-control", "serve"]:
    problems.append(f"entrypoint/cmd are {c.get('Entrypoint')} {c.get('Cmd')}")
for p in problems:
    print("container: image:", p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
docker create --name "$container-files" "$image" >/dev/null
files=$(docker export "$container-files" | tar -t)
docker rm "$container-files" >/dev/null
for f in usr/local/bin/mission-control usr/local/bin/mission-control-operator \
  etc/ssl/certs/ca-certificates.crt etc/passwd; do
  grep -qx "$f" <<<"$files" || fail "the image lacks /$f"
done
if grep -Eqx '(usr/)?s?bin/(sh|bash|dash|busybox)' <<<"$files"; then
  fail "the image has a shell: $(grep -Ex '(usr/)?s?bin/(sh|bash|dash|busybox)' <<<"$files" | tr '\n' ' ')"
fi
crd=$(docker run --rm --network=none "$image" mission-control-operator crd) ||
  fail "mission-control-operator crd did not run in the image"
[ "$crd" = "$(cat "$repo/k8s/crd.yaml")" ] ||
  fail "mission-control-operator crd in the image differs from k8s/crd.yaml"
# The previous run's image is now untagged: drop it (the base and apt layers stay cached).
docker image prune -f >/dev/null
size=$(docker image inspect -f '{{.Size}}' "$image")
say "image $image: $((size / 1000000)) MB with the binaries from $bin_dir"

# --- run against loopback PostgreSQL and Redis ---------------------------------------------
psql -q "$TEST_DATABASE_URL" -c "CREATE DATABASE \"$db_name\"" >/dev/null
db_created=1
db_url=$(python3 - "$TEST_DATABASE_URL" "$db_name" <<'EOF'
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))
EOF
)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token=$(python3 -c 'import secrets, string; print("".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(64)))')
# As on Kubernetes: read-only root filesystem, writable /tmp and DATA_DIR, no capabilities.
run_flags=(--network=host --read-only --tmpfs /tmp --tmpfs /var/lib/mission-control:uid=65532,gid=65532
  --cap-drop=ALL --security-opt=no-new-privileges
  -e PORT="$port" -e DATABASE_URL="$db_url" -e LOCAL_AUTH_TOKEN="$token"
  -e RATE_LIMIT_BACKEND=redis -e RATE_LIMIT_REDIS_URL="$TEST_REDIS_URL"
  -e RATE_LIMIT_REDIS_PREFIX="mc-pkg-$$" -e SHUTDOWN_DRAIN_SECONDS=5)

say "mission-control migrate"
docker run --rm "${run_flags[@]}" "$image" mission-control migrate >"$run_dir/migrate.log" 2>&1 ||
  { cat "$run_dir/migrate.log" >&2; fail "mission-control migrate failed in the container"; }

say "mission-control serve on 127.0.0.1:$port"
docker run -d --name "$container" "${run_flags[@]}" -e DB_AUTO_MIGRATE=false "$image" >/dev/null
deadline=$((SECONDS + 30))
ready=
while [ $SECONDS -lt $deadline ]; do
  [ "$(docker inspect -f '{{.State.Running}}' "$container")" = true ] || break
  if body=$(curl -fsS --max-time 2 "http://127.0.0.1:$port/readyz" 2>/dev/null); then
    ready=$body
    break
  fi
  sleep 0.2
done
if [ -z "$ready" ]; then
  docker logs "$container" >&2 || true
  fail "/readyz did not answer 200 within 30 s"
fi
python3 - "$ready" <<'EOF' || fail "/readyz body: $ready"
import json, sys
b = json.loads(sys.argv[1])
assert b["ok"] is True and b["checks"]["database"] == "ok" and b["checks"]["redis"] == "ok", b
EOF
# No `producer | grep -q` / `| head` under pipefail: the reader leaving early would fail the
# producer with SIGPIPE at random. Capture first, then look.
metrics=$(curl -fsS --max-time 2 "http://127.0.0.1:$port/metrics") || fail "/metrics did not answer 200"
grep -q '^# TYPE' <<<"$metrics" || fail "/metrics is not Prometheus text"
# dockerd copies the container's output to its log asynchronously: wait for a first line.
first_line=
deadline=$((SECONDS + 10))
while [ -z "$first_line" ] && [ $SECONDS -lt $deadline ]; do
  logs=$(docker logs "$container" 2>&1) || fail "docker logs failed"
  first_line=${logs%%$'\n'*}
  [ -n "$first_line" ] || sleep 0.2
done
python3 -c 'import json, sys; json.loads(sys.argv[1])' "$first_line" 2>/dev/null ||
  fail "the first log line is not JSON (LOG_FORMAT=json in the image): $first_line"
say "/readyz: $ready"

start=$SECONDS
docker stop -t 30 "$container" >/dev/null
took=$((SECONDS - start))
code=$(docker inspect -f '{{.State.ExitCode}}' "$container")
if [ "$code" != 0 ]; then
  docker logs "$container" 2>&1 | tail -n 20 >&2
  fail "exit code $code after docker stop (want 0)"
fi
[ $took -lt 25 ] || fail "docker stop took ${took}s: SIGTERM was not handled promptly"
say "docker stop: exit code 0 after ${took}s"
say "ok"
