//! Yui's fuzz targets, as plain functions of the input bytes.
//!
//! Each target decodes untrusted bytes the way a node, an auditor or a
//! wallet does, then asserts a property: no panic, the decode → encode round
//! trip where the encoding is canonical, and verdicts that agree with each
//! other (a signature that verifies as a single check verifies in a batch,
//! a re-signed message verifies, admission agrees with execution). A
//! violated property panics, which the fuzzer reports as a crash.
//!
//! The instrumented harness in `fuzz/harness` (cargo-fuzz, its own Cargo
//! workspace) calls these functions; so does this crate's test
//! `tests/corpus.rs`, which replays every committed corpus file without
//! instrumentation on the stable toolchain (how CI runs each target on its
//! corpus). `fuzz/README.md` says how to run the fuzzer.
//!
//! Panicking is the point of an assertion here, so the workspace's lints
//! against `panic!` and `unwrap` are lifted for this crate's checks.
#![allow(clippy::panic, clippy::unwrap_used)]

pub mod block;
mod choices;
pub mod consensus;
pub mod contract;
pub mod core;
pub mod genesis;
pub mod net_core;
pub mod node;
pub mod read_auth;
pub mod seeds;
pub mod stream;
pub mod supply;
mod town_chain;
pub mod tx;
mod world;

/// A fuzz target: its name (the corpus folder `fuzz/corpus/<name>` and the
/// harness binary) and its function.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, in the order the README lists them.
pub const TARGETS: &[Target] = &[
    ("signed_tx", tx::signed_tx),
    ("block", block::block),
    ("consensus_msg", consensus::consensus_msg),
    ("consensus_core", core::consensus_core),
    ("consensus_net", net_core::consensus_net),
    ("read_auth", read_auth::read_auth),
    ("contract", contract::contract),
    ("genesis", genesis::genesis),
    ("supply", supply::supply),
    ("net", node::net),
    ("gossip", node::gossip),
    ("grpc", node::grpc),
    ("grpc_stream", stream::grpc_stream),
    ("config", node::config),
];
