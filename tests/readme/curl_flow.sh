#!/bin/sh
# Runs the README's "Try it with curl" commands, exactly as written except for the server's
# address (scripts/mint-token.mjs signs with the test server's HOST_* key), against the server of `tests/support/with-server.mjs`
# (API_URL, HOST_*), and checks what each step printed: the registered passkey, the sign-in's
# session and user, and the passkeys listed with the session token.
#
#   node tests/support/with-server.mjs -- sh tests/readme/curl_flow.sh
set -eu
cd "$(dirname "$0")/../.."
: "${API_URL:?run me through tests/support/with-server.mjs}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The README's block with the address replaced, exactly once.
node tests/readme/readme-block.mjs "### Try it with curl" sh >"$work/readme.sh"
sed -e 's|^API=http://127\.0\.0\.1:8787/api/auth$|API=$API_URL/api/auth|' \
  "$work/readme.sh" >"$work/flow.sh"
if [ "$(grep -cF 'API=$API_URL/api/auth' "$work/flow.sh")" != 1 ]; then
  echo "curl_flow: the README's curl block lacks exactly one API=http://127.0.0.1:8787/api/auth" >&2
  exit 1
fi

# A credential file of this run only.
SOFT_AUTHENTICATOR_STORE="$work/passkeys.json" sh -eu "$work/flow.sh" >"$work/out"

node - "$work/out" <<'CHECK'
const assert = require("node:assert/strict");
const lines = require("node:fs").readFileSync(process.argv[2], "utf8").trim().split("\n");
assert.equal(lines.length, 3, `expected three printed lines, got:\n${lines.join("\n")}`);
const [passkey, signedIn, listed] = lines.map((line) => JSON.parse(line));

assert.match(passkey.credentialID, /^[A-Za-z0-9_-]+$/, `registration: ${lines[0]}`);
assert.equal(passkey.userId, "user-1");
assert.equal(passkey.name, "Ada's laptop");
assert.equal(passkey.counter, 0);

assert.equal(signedIn.session.token.split(".").length, 3, `sign-in: ${lines[1]}`);
assert.equal(signedIn.session.userId, "user-1");
assert.deepEqual([signedIn.user.id, signedIn.user.email], ["user-1", "ada@example.com"]);

assert.deepEqual(listed.map((p) => p.credentialID), [passkey.credentialID], `list: ${lines[2]}`);
assert.equal(listed[0].counter, 1);
console.log("curl flow: registered, signed in, listed with the session token");
CHECK
