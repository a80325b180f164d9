#!/bin/sh
# Runs the service locally on http://127.0.0.1:8787 with local KV and D1 (state in
# .wrangler/state), after installing what is missing, creating local keys if there are none,
# and applying the migrations.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh

node scripts/dev-keys.mjs
STATE=.wrangler/state
npx wrangler d1 migrations apply DB --local --persist-to "$STATE"
export CLOUDFLARE_CF_FETCH_ENABLED=false
exec npx wrangler dev --ip 127.0.0.1 --port 8787 --persist-to "$STATE" "$@"
