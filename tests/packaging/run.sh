#!/usr/bin/env bash
# Every packaging check, the one entry point (`make test` calls it after the cargo tests):
#
#   1. static checks (pytest, tests/packaging/test_*.py): hadolint; the Helm chart linted
#      (strict, Kubernetes 1.28 and 1.37) and rendered with several value sets, every object
#      through kubernetes-validate --strict, bad values rejected by the schema; k8s/ through
#      kustomize, kubernetes-validate and yamllint; the examples against the CRD's schema;
#      the drift between k8s/ and the chart; the generated parts of the chart.
#   2. the container (container.sh): the Dockerfile's runtime stages built by a private
#      Docker engine around the debug binaries, run against loopback PostgreSQL and Redis.
#
# Needs TEST_DATABASE_URL (admin URL) and TEST_REDIS_URL, else starts private ones with
# tests/deps.sh; the binaries in ${CARGO_TARGET_DIR:-target}/debug (PACKAGING_BIN_DIR
# overrides). Python tools go into a venv under the target dir, made once.
# PACKAGING_SKIP_CONTAINER=1 runs the static checks only (for quick iteration; never in CI).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

if [ -z "${TEST_DATABASE_URL:-}" ] || [ -z "${TEST_REDIS_URL:-}" ]; then
  exec bash tests/deps.sh bash "$0" "$@"
fi

target=${CARGO_TARGET_DIR:-target}
case $target in /*) ;; *) target=$repo/$target ;; esac
bin_dir=${PACKAGING_BIN_DIR:-$target/debug}
venv=$target/packaging-venv
started=$SECONDS

# --- the venv: created once, reinstalled only when requirements.txt changes ----------------
stamp=$venv/.requirements.sha256
want=$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "packaging: installing the Python tools into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  echo "$want" >"$stamp"
fi
command -v kubectl >/dev/null || { echo "packaging: kubectl (for kustomize) is missing" >&2; exit 1; }

failed=()

echo "packaging: static checks" >&2
if ! (cd "$here" && PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" -m pytest -q -p no:cacheprovider \
  --rootdir "$here" test_chart.py test_manifests.py); then
  failed+=("static checks")
fi

if [ "${PACKAGING_SKIP_CONTAINER:-}" = 1 ]; then
  echo "packaging: PACKAGING_SKIP_CONTAINER=1: the container check did NOT run" >&2
  failed+=("container (skipped)")
else
  echo "packaging: container" >&2
  bash "$here/container.sh" "$bin_dir" || failed+=("container")
fi

echo "packaging: done in $((SECONDS - started)) s" >&2
if [ ${#failed[@]} -gt 0 ]; then
  echo "packaging: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "packaging: all checks passed" >&2
