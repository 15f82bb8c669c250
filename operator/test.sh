#!/usr/bin/env bash
# Every operator test in one command (called by `make test`):
#   1. cargo tests of mission-control-operator: CRD freshness, pure validate/build/status with
#      fixture snapshots, reconcile wiring against a mocked API;
#   2. whole-controller runs of the real binary against the patched kmock emulator
#      (tests/kmock/), installed into a venv under the target dir on first use.
# Honours CARGO_TARGET_DIR (default: the workspace target/). Exits non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cd "$root"

echo "== operator: cargo tests"
cargo test -p mission-control-operator

echo "== operator: building the binary for the emulator runs"
cargo build -p mission-control-operator --bin mission-control-operator
binary="$CARGO_TARGET_DIR/debug/mission-control-operator"
# The readiness-gate scenario probes a real service's /readyz.
cargo build -p mission-control --bin mission-control
export MISSION_CONTROL_BIN="$CARGO_TARGET_DIR/debug/mission-control"

venv="$CARGO_TARGET_DIR/kmock-venv"
kmock_version="0.8"
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('kmock') != '$kmock_version')" 2>/dev/null; then
  echo "== operator: installing kmock==$kmock_version into $venv"
  rm -rf "$venv"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian ships venv support separately.
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
      apt-get install -y -q python3-venv >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q python3-venv >/dev/null; }
      rm -rf "$venv"
      python3 -m venv "$venv"
    else
      echo "python3 -m venv failed: install python3-venv" >&2
      exit 1
    fi
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check "kmock==$kmock_version"
fi

echo "== operator: whole-controller runs against the kmock emulator"
timeout 600 "$venv/bin/python" "$root/tests/kmock/run.py" "$binary"
