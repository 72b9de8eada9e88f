//! Yui's consensus: the types every validator signs and checks (votes,
//! proposals, commit certificates, validator sets) and a pure Tendermint state
//! machine.
//!
//! Nothing in this crate does I/O, reads a clock, draws randomness or spawns a
//! task: the node feeds it messages, expired timeouts and the blocks it built,
//! and carries out what it returns. That is what lets the simulation in the
//! tests replay a whole network, faults included, from one seed. The one
//! exception is [`signature`], Yui's ed25519 rule: its batch verification
//! draws random coefficients and may start scoped threads, and its verdicts
//! are always those of single verification (ADR 0006).
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::panic)]

pub mod core;
pub mod driver;
pub mod signature;
pub mod types;

pub use crate::core::{
    Core, Input, Output, PROPOSALS_PER_ROUND_MAX, Params, PersistentState, Rejection, SignStep,
    Step, TimeoutKind,
};
pub use types::*;
