#!/bin/sh
# Checks the README's "Try it with the Python SDK": the Python shown is taken line for line from
# tests/python/example_sdk.py, and the shell commands, run as written except for the server's
# address (scripts/mint-token.mjs signs with the test server's HOST_* key), register a passkey,
# sign in and list with the session.
#
#   node tests/support/with-server.mjs -- sh tests/readme/python_flow.sh
set -eu
cd "$(dirname "$0")/../.."
: "${API_URL:?run me through tests/support/with-server.mjs}"

section="### Try it with the Python SDK"
script=tests/python/example_sdk.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Every line of the README's Python must be a line of the script it claims to show.
node tests/readme/readme-block.mjs "$section" python | while IFS= read -r line; do
  trimmed=$(printf '%s' "$line" | sed 's/^ *//')
  [ -z "$trimmed" ] && continue
  if ! sed 's/^ *//' "$script" | grep -qxF -- "$trimmed"; then
    echo "python_flow: README line not in $script: $trimmed" >&2
    exit 1
  fi
done

# The README's commands; the venv line is skipped when the venv already has the requirements.
node tests/readme/readme-block.mjs "$section" sh >"$work/readme.sh"
skip_venv='^$'
if .venv/bin/python -c 'import better_auth, cbor2, cryptography' 2>/dev/null; then
  skip_venv='^python3 -m venv \.venv '
fi
grep -v "$skip_venv" "$work/readme.sh" \
  | sed -e 's|http://127\.0\.0\.1:8787|$API_URL|' >"$work/flow.sh"
if [ "$(grep -cF '$API_URL' "$work/flow.sh")" != 1 ]; then
  echo "python_flow: the README's commands no longer have exactly one http://127.0.0.1:8787" >&2
  exit 1
fi
sh -eu "$work/flow.sh" >"$work/out"

node - "$work/out" <<'CHECK'
const assert = require("node:assert/strict");
const text = require("node:fs").readFileSync(process.argv[2], "utf8");
const printed = Object.fromEntries(
  text.trim().split("\n").map((line) => {
    const [, label, json] = line.match(/^(\w+): (.*)$/) ?? assert.fail(`unexpected line: ${line}`);
    return [label, JSON.parse(json)];
  }),
);
assert.deepEqual(Object.keys(printed), ["passkey", "user", "listed"], text);
assert.match(printed.passkey.credentialID, /^[A-Za-z0-9_-]+$/);
assert.equal(printed.passkey.userId, "user-2");
assert.equal(printed.passkey.name, "Python SDK");
assert.deepEqual([printed.user.id, printed.user.email], ["user-2", "grace@example.com"]);
assert.deepEqual(printed.listed, [printed.passkey.credentialID]);
console.log("Python SDK flow: registered, signed in, listed with the session token");
CHECK
