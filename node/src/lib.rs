//! The Yui node: RocksDB storage, the mempool, the engine that drives the
//! consensus core, and the gRPC API. This is the only crate that knows tokio,
//! sockets, the clock and the disk.
#![forbid(unsafe_code)]

pub mod analytics;
pub mod api;
pub mod chain;
pub mod config;
pub mod crash_point;
pub mod engine;
pub mod genesis;
pub mod keys;
pub mod mempool;
pub mod metrics;
pub mod network;
pub mod snapshot;
pub mod storage;
pub mod verified;
pub mod vote_journal;
