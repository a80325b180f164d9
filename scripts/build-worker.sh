#!/bin/sh
# Builds the Worker (wrangler runs this as its [build] command): Rust to wasm with worker-build,
# using the local wasm-bindgen, wasm-opt and esbuild (worker-build would download them).
set -eu
cd "$(dirname "$0")/.."

WASM_BINDGEN_BIN=$(command -v wasm-bindgen || echo "$HOME/.cargo/bin/wasm-bindgen")
WASM_OPT_BIN="$PWD/node_modules/.bin/wasm-opt"
ESBUILD_BIN="$PWD/node_modules/.bin/esbuild"
export WASM_BINDGEN_BIN WASM_OPT_BIN ESBUILD_BIN

# One build at a time (every `wrangler dev` runs this on start), and none when nothing changed.
mkdir -p target
exec 9>target/.build-worker.lock
flock 9
stamp=build/.built
if [ -f "$stamp" ] && [ -z "$(find src Cargo.toml Cargo.lock -newer "$stamp" -print -quit)" ]; then
    echo "build-worker: build/ is up to date"
    exit 0
fi

patched=$(sh scripts/patch-webauthn.sh)

# A command-line [patch] rewrites Cargo.lock (the entry loses its registry source); keep the
# committed lock as it is so native and wasm builds do not flip it back and forth.
cp Cargo.lock target/Cargo.lock.native
restore_lock() { cp target/Cargo.lock.native Cargo.lock; }
trap restore_lock EXIT
worker-build --release -- --config "patch.crates-io.webauthn-rs-core.path=\"$patched\""
restore_lock
trap - EXIT
touch "$stamp"
