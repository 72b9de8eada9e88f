#!/usr/bin/env bash
# Builds Yui's town contracts for wasm32v1-none and prints each module's size.
#
# Output: wasm-contracts/contracts/target/wasm32v1-none/release/*.wasm. The
# crate's tests run this script when a contract's .wasm is missing or older
# than its sources, so `cargo test -p yui-wasm-contracts` works on a fresh
# clone. The build ignores RUSTFLAGS and CARGO_TARGET_DIR from the
# environment so that the bytes (and so the code hash) depend on the sources
# and the toolchain only.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
contracts="$here/contracts"

if ! rustup target list --installed | grep -qx wasm32v1-none; then
    rustup target add wasm32v1-none
fi

unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR
cd "$contracts"
cargo build --release --target wasm32v1-none --target-dir "$contracts/target"

for wasm in "$contracts"/target/wasm32v1-none/release/*.wasm; do
    echo "$(basename "$wasm"): $(wc -c < "$wasm") bytes"
done
