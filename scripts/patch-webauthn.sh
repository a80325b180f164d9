#!/bin/sh
# Makes the patched copy of webauthn-rs-core that the wasm build compiles, and prints its path.
#
# Why: webauthn-rs-core 0.6.2's `register_credential` reads `SystemTime::now()` on every call,
# and on wasm32-unknown-unknown that panics ("time not implemented on this platform"). The
# time only feeds attestation CA chain checks, which this service never asks for (it requests
# attestation "none" and passes no CA list). The copy changes that one line to use the epoch
# when no CA list is given; every other check of the library runs unchanged. The copy lives in
# the ignored target/ folder: no third-party source is committed, and native builds
# (`cargo test`) use the registry crate as published.
set -eu
cd "$(dirname "$0")/.."

version=0.6.2
dest="$PWD/target/patched/webauthn-rs-core-$version"
if [ -f "$dest/.patched" ]; then
    echo "$dest"
    exit 0
fi

cargo fetch --quiet >&2
src=$(cargo metadata --format-version 1 --locked 2>/dev/null | node -e '
    let text = "";
    process.stdin.on("data", (chunk) => (text += chunk));
    process.stdin.on("end", () => {
        const pkg = JSON.parse(text).packages.find(
            (p) => p.name === "webauthn-rs-core" && p.version === process.argv[1]);
        process.stdout.write(require("path").dirname(pkg.manifest_path));
    });' "$version")

rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
cp -R "$src" "$dest"
chmod -R u+w "$dest"

needle='        let current_time = SystemTime::now();'
fixed='        let current_time = if attestation_cas.is_some() { SystemTime::now() } else { SystemTime::UNIX_EPOCH };'
count=$(grep -c -x -F "$needle" "$dest/src/core.rs" || true)
if [ "$count" != 1 ]; then
    echo "patch-webauthn: expected the SystemTime::now() line once in core.rs, found $count" >&2
    exit 1
fi
sed -i "s|^$needle\$|$fixed|" "$dest/src/core.rs"
grep -q -F "$fixed" "$dest/src/core.rs"
touch "$dest/.patched"
echo "$dest"
