#!/bin/sh
# Browser end-to-end test: Better Auth's JS client in headless Chromium against a real
# `wrangler dev`. Installs Debian's Chromium when it is missing (npm packages come from
# `npm ci` in scripts/setup.sh), then runs tests/browser/run.mjs, which serves the page,
# starts the Worker through tests/support/with-server.mjs, and stops both when done.
set -eu
cd "$(dirname "$0")/../.."

if [ -z "${CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
    printf '\033[1m==> %s\033[0m\n' "installing Debian's chromium" >&2
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium
fi

printf '\033[1m==> %s\033[0m\n' "browser end-to-end test (Chromium, Better Auth client)" >&2
exec node tests/browser/run.mjs
