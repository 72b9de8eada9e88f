//! The ledger's test suite, as one test binary.
#![allow(clippy::unwrap_used, clippy::panic)]

mod commitment;
mod encoding;
mod expiry;
mod fixture;
mod jobs;
mod ops;
mod refusals;
mod signatures;
mod supply;
