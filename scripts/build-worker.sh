#!/bin/sh
# Builds the Worker (wrangler runs this as its [build] command): Rust to wasm with worker-build,
# using the local wasm-bindgen, wasm-opt and esbuild (worker-build would download them).
set -eu
cd "$(dirname "$0")/.."

WASM_BINDGEN_BIN=$(command -v wasm-bindgen || echo "$HOME/.cargo/bin/wasm-bindgen")
WASM_OPT_BIN="$PWD/node_modules/.bin/wasm-opt"
ESBUILD_BIN="$PWD/node_modules/.bin/esbuild"
export WASM_BINDGEN_BIN WASM_OPT_BIN ESBUILD_BIN

patched=$(sh scripts/patch-webauthn.sh)

# A command-line [patch] rewrites Cargo.lock (the entry loses its registry source); keep the
# committed lock as it is so native and wasm builds do not flip it back and forth.
mkdir -p target
cp Cargo.lock target/Cargo.lock.native
trap 'cp target/Cargo.lock.native Cargo.lock' EXIT
worker-build --release -- --config "patch.crates-io.webauthn-rs-core.path=\"$patched\""
