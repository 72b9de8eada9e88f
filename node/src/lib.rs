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

/// The hasher of the node's in-memory maps keyed by hashes, node keys and
/// addresses: foldhash, seeded per process, so no sender can aim keys at
/// one bucket. Only where nothing depends on iteration order.
pub(crate) type Fast = foldhash::fast::RandomState;
