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
mod supply;
mod town_contracts;
mod town_poll_exchange;
mod vectors;
