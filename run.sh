#!/usr/bin/env bash
# Yui's two entry points, each setting up what it needs on a fresh Debian machine:
#   ./run.sh devnet   build, start a local devnet and play the demo story
#   ./run.sh test     formatting, lints and the whole test suite
# Also: ./run.sh down | status | bench
set -euo pipefail
cd "$(dirname "$0")"

# Extra packages as arguments (the tests add chromium).
need_packages() {
  local missing=()
  for p in libclang-dev clang build-essential "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]} (RocksDB's bindings need libclang)"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  command -v cargo >/dev/null || { echo "cargo not found: install the Rust toolchain (rustup) first" >&2; exit 1; }
}

target_dir() {
  echo "${CARGO_TARGET_DIR:-$PWD/target}"
}

build_bins() {
  echo "building Yui (the first build compiles RocksDB: about 20 minutes on 2 cores)"
  cargo build --bins --quiet
  # The town contracts, for wasm32v1-none (the script adds the target if missing).
  wasm-contracts/build.sh >/dev/null
}

case "${1:-}" in
  devnet)
    need_packages
    build_bins
    "$(target_dir)/debug/yui-devnet" down >/dev/null 2>&1 || true
    exec "$(target_dir)/debug/yui-devnet" up
    ;;
  down | status)
    exec "$(target_dir)/debug/yui-devnet" "$1"
    ;;
  test)
    # chromium: the shop terminal's browser test (clients/python/tests/test_terminal.py);
    # prometheus: its promtool checks the node's metrics (tests/tests/it/grpc.rs);
    # openssl: certificates for the TLS test (tests/tests/it/tls.rs);
    # fonts-noto-cjk: Japanese glyphs for the report page's browser test
    # (clients/python/tests/test_report_page.py; without it labels are tofu).
    need_packages chromium prometheus openssl fonts-noto-cjk
    cargo fmt --all --check
    build_bins
    cargo clippy --workspace --all-targets --quiet -- -D warnings
    # The API documentation builds without a warning (broken links, bad markup).
    RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --quiet
    # The contracts and their SDK are workspaces of their own (wasm32v1-none).
    (cd wasm-contracts/contracts && cargo fmt --all --check && cargo clippy --release --quiet --target wasm32v1-none -- -D warnings)
    (cd wasm-contracts/sdk && cargo fmt --check && cargo clippy --quiet --target wasm32v1-none -- -D warnings)
    if cargo nextest --version >/dev/null 2>&1; then
      cargo nextest run --workspace --no-fail-fast
    else
      cargo test --workspace --no-fail-fast
    fi
    YUI_BIN_DIR="$(target_dir)/debug" clients/python/run-tests.sh
    YUI_BIN_DIR="$(target_dir)/debug" clients/typescript/run-tests.sh
    ;;
  bench)
    need_packages
    build_bins
    exec "$(target_dir)/debug/yui-bench" "${@:2}"
    ;;
  *)
    echo "usage: ./run.sh devnet | test | status | down | bench" >&2
    exit 2
    ;;
esac
