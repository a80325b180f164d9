#!/bin/sh
# Runs every test: formatting and lints, unit tests, and three end-to-end suites, each against
# its own real `wrangler dev` (started and stopped by the suite): the Rust suite with a software
# authenticator, the Python SDK suite, and the browser suite (Better Auth's JS client in
# headless Chromium). Installs what is missing first.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh

printf '\033[1m==> %s\033[0m\n' "cargo fmt --check, cargo clippy"
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings

printf '\033[1m==> %s\033[0m\n' "unit tests and the Rust end-to-end suite"
cargo test

printf '\033[1m==> %s\033[0m\n' "Python SDK end-to-end suite"
bash tests/python/run.sh

printf '\033[1m==> %s\033[0m\n' "README flows: curl with the software authenticator, and the Python SDK"
sh tests/readme/run.sh

sh tests/browser/run.sh
