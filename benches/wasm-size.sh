#!/bin/sh
# Builds the Worker with scripts/build-worker.sh and prints what it deploys: the wasm module and
# its JavaScript glue, raw and compressed with gzip -9 (Workers' script size limit counts the
# compressed upload: 3 MB on the free plan, 10 MB on paid, per the docs at the time of writing).
#
# The build time is printed only when a build ran: build-worker.sh skips the build when nothing
# under src/, Cargo.toml or Cargo.lock changed since the last one, and otherwise recompiles only
# what changed. `--cold` instead builds a copy of the sources in a temporary folder with its own
# target/ and build/, so it times a build from scratch (crates come from cargo's download cache)
# and never rewrites the build/ that a running `wrangler dev` serves.
#
# Usage: sh benches/wasm-size.sh [--cold]
set -eu
cd "$(dirname "$0")/.."

case "${1:-}" in
    "") kind="incremental" ;;
    --cold)
        kind="cold"
        copy=$(mktemp -d)
        trap 'rm -rf "$copy"' EXIT
        cp -R Cargo.toml Cargo.lock src scripts tests benches "$copy/"
        ln -s "$PWD/node_modules" "$copy/node_modules"
        unset CARGO_TARGET_DIR
        cd "$copy"
        ;;
    *) echo "usage: sh benches/wasm-size.sh [--cold]" >&2; exit 2 ;;
esac

log=$(mktemp -p "${TMPDIR:-/tmp}")
start=$(date +%s%N)
if ! sh scripts/build-worker.sh >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "wasm-size: the build failed" >&2
    exit 1
fi
end=$(date +%s%N)

if grep -q "build/ is up to date" "$log"; then
    echo "build: up to date, not rebuilt (--cold times a build from scratch)"
else
    awk -v ns=$((end - start)) -v kind="$kind" -v cpus="$(nproc)" \
        'BEGIN { printf "build: %.1f s (%s, %d CPUs)\n", ns / 1e9, kind, cpus }'
fi
rm -f "$log"

# One line per file: raw and gzip -9 sizes in bytes and KiB.
report() {
    raw=$(wc -c <"$1")
    gz=$(gzip -9 -c "$1" | wc -c)
    awk -v f="$1" -v r="$raw" -v g="$gz" \
        'BEGIN { printf "%-22s %9d B (%7.1f KiB)   gzip -9 %9d B (%7.1f KiB)\n", f, r, r / 1024, g, g / 1024 }'
}
printf "%-22s %-24s   %s\n" "file" "raw" "compressed"
report build/index_bg.wasm
report build/index.js
total_gz=$(cat build/index_bg.wasm build/index.js | gzip -9 | wc -c)
awk -v g="$total_gz" 'BEGIN { printf "%-22s %26s   gzip -9 %9d B (%7.1f KiB)\n", "both, one stream", "", g, g / 1024 }'
