//! Integration tests of yui-wasm-contracts: validation, calls under every
//! limit, fuel determinism, the dependency rule, and the real contracts
//! (cleanup-day, voucher-sale, civic-poll, exchange).
#![allow(clippy::unwrap_used, clippy::panic)]

mod built;
mod calls;
mod civic_poll;
mod cleanup_day;
mod deps;
mod exchange;
mod mock;
/// The SDK's copy of the refusal codes, compiled here to compare.
#[path = "../../sdk/src/refusal.rs"]
mod sdk_refusal;
mod validation;
mod voucher_sale;

use yui_wasm_contracts::{Call, CallOutcome, Mode, Runtime, code_hash};

/// Wasm bytes from WebAssembly text.
pub fn wasm(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap()
}

/// Runs `method` of `code` on `runtime`.
pub fn run(
    runtime: &Runtime,
    code: &[u8],
    method: &str,
    input: &[u8],
    fuel_limit: u64,
    mode: Mode,
    host: &mut mock::MockHost,
) -> CallOutcome {
    let call = Call {
        code,
        code_hash: code_hash(code),
        method,
        input,
        fuel_limit,
        mode,
    };
    runtime.call(&call, host)
}

/// This crate's folder, as the test runner names it when the tests run (the
/// compile-time path is only a fallback: a build reused from another clone
/// would point into that clone).
pub fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
}
