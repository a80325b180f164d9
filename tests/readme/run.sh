#!/bin/sh
# Checks that the README's "Try it" flows (curl with the software authenticator, and the Python
# SDK) work as written, against one fresh, real `wrangler dev`.
set -eu
cd "$(dirname "$0")/../.."
exec node tests/support/with-server.mjs -- \
  sh -c 'sh tests/readme/curl_flow.sh && sh tests/readme/python_flow.sh'
