#!/usr/bin/env bash
# Runs the Python SDK end-to-end test: Better Auth's `better-auth` SDK against a fresh, real
# `wrangler dev`. Makes `.venv` at the repository root on first use and installs
# tests/python/requirements.txt into it only when that file changed since the last install.
# Exits with pytest's status. Extra arguments go to pytest (e.g. `-k sign_in`).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

venv=.venv
requirements=tests/python/requirements.txt
stamp="$venv/.tests-python-requirements.sha256"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$wanted" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  echo "$wanted" >"$stamp"
fi

exec node tests/support/with-server.mjs -- "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/python "$@"
