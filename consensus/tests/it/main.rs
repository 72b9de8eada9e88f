//! The consensus crate's one integration-test binary: a deterministic
//! simulation of a network of Yui validators, each a [`yui_consensus::Core`].
//!
//! Every random draw (delays, drops, duplicates, partitions, crashes) comes
//! from one `ChaCha8Rng` seeded per run, and time is simulated, so a seed
//! replays exactly: `YUI_SIM_SEED=<n> cargo test -p yui-consensus --test it`.
//! See `consensus/SIMULATION.md`.
//!
//! `signatures` checks the ed25519 rule, single against batch, on the public
//! vectors in `consensus/tests/vectors`.
#![allow(clippy::unwrap_used, clippy::panic)]

mod checker;
mod scenarios;
mod schedule;
mod signatures;
mod sim;
