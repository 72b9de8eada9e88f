//! The ledger's test suite, as one test binary.
#![allow(clippy::unwrap_used, clippy::panic)]

mod commitment;
mod contract_rules;
mod contracts;
mod credentials;
mod encoding;
mod expiry;
mod fixture;
mod golden;
mod golden_samples;
mod governance;
mod jobs;
mod ops;
mod refusals;
mod signatures;
mod state_maps;
mod supply;
mod town_contracts;
mod town_poll_exchange;
mod vectors;

/// This crate's folder, as the test runner names it when the tests run (the
/// compile-time path is only a fallback: a build reused from another clone
/// would point into that clone).
pub fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
}
