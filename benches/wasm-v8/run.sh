#!/bin/sh
# Compiles the ceremony steps to wasm the way the Worker is built (same profile, patched
# webauthn-rs-core, wasm-bindgen, then wasm-opt with worker-build's release arguments) and times
# them in Node's V8, the engine workerd embeds.
# Usage: sh benches/wasm-v8/run.sh
set -eu
cd "$(dirname "$0")/../.."

sh scripts/patch-webauthn.sh >/dev/null
# Start from the Worker's lock so that every shared crate is the version the Worker ships.
cp Cargo.lock benches/wasm-v8/Cargo.lock
target="$PWD/target/wasm-v8-bench"
CARGO_TARGET_DIR="$target" cargo build --quiet --release --target wasm32-unknown-unknown \
    --manifest-path benches/wasm-v8/Cargo.toml
wasm-bindgen --target nodejs --out-dir "$target/pkg" \
    "$target/wasm32-unknown-unknown/release/passkey_api_wasm_bench.wasm"
module="$target/pkg/passkey_api_wasm_bench_bg.wasm"
node_modules/.bin/wasm-opt "$module" -o "$module.opt" -O --enable-mutable-globals \
    --enable-sign-ext --enable-nontrapping-float-to-int --enable-bulk-memory \
    --enable-multivalue --enable-reference-types --enable-exception-handling --debuginfo
mv "$module.opt" "$module"
node benches/wasm-v8/run.mjs "$target/pkg/passkey_api_wasm_bench.js"
