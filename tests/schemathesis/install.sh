#!/usr/bin/env bash
# Installs the pinned Schemathesis into target/schemathesis-venv (once; reruns are no-ops).
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/schemathesis-venv
want=$(grep -E '^schemathesis==' tests/schemathesis/requirements.txt)
if [ -x "$venv/bin/schemathesis" ] && [ "$(cat "$venv/.installed" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
echo "schemathesis: installing $want into $venv" >&2
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/schemathesis/requirements.txt
echo "$want" > "$venv/.installed"
