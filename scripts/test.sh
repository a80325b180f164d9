#!/bin/sh
# Runs every test: formatting and lints, unit tests, and the end-to-end suite against a real
# `wrangler dev` (which it starts and stops itself). Installs what is missing first.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh

printf '\033[1m==> %s\033[0m\n' "cargo fmt --check, cargo clippy"
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings

printf '\033[1m==> %s\033[0m\n' "unit and end-to-end tests"
cargo test
