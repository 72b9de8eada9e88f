//! Yui's consensus: the types every validator signs and checks (votes, commit
//! certificates, validator sets) and a pure Tendermint state machine.
//!
//! Nothing in this crate does I/O, reads a clock, draws randomness or spawns a
//! task: the node feeds it messages, timeouts and the current time, and carries
//! out what it returns. That is what lets the simulation in the tests replay a
//! whole network from one seed.
#![forbid(unsafe_code)]

pub mod types;

pub use types::*;
