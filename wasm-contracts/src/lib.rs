//! Yui's town contracts: WebAssembly code that governance deploys and that
//! every validator runs with the same result and the same cost.
//!
//! # Why it is built this way
//!
//! A contract call is part of a block, so its output, its failure and its
//! fuel must be bit-for-bit the same on every validator and on an auditor's
//! replay years later. That rules out anything whose behaviour depends on
//! the machine, and it is why this crate:
//!
//! - runs code in **wasmi `=2.0.0`**, an interpreter, pinned to the exact
//!   version: no JIT whose code generation differs by CPU, and fuel counted
//!   per instruction by the interpreter itself. Upgrading wasmi can change
//!   fuel counts, so it is a consensus change (`docs/adr/0005-contracts-wasmi.md`);
//! - configures it in one place, [`engine_config`]: fuel on, eager
//!   compilation (so fuel never depends on the cache), floats off, no start
//!   function, wasmi's strict structural limits, bounded call depth;
//! - bounds everything a contract can use ([`limits`]) and charges host
//!   functions from the same fuel ([`FUEL_TABLE`], versioned by
//!   [`FUEL_TABLE_VERSION`]); the whole rule set is [`ENGINE_VERSION`];
//! - reports every failure as typed data with a stable code
//!   ([`CodeError`], [`CallFailure`]), never as wasmi's English, and never
//!   panics the node: a trap, a limit, a memory bomb or a host error ends
//!   the call, not the process;
//! - knows nothing of the ledger: the [`Host`] trait is byte-level, so the
//!   ledger implements it over its block overlay and tests use a map. Like
//!   the ledger, the crate does no I/O, reads no clock and uses no randomness.
//!
//! Writes reach the host as they happen; on failure the ledger discards its
//! child overlay. Events are buffered here and returned only on success.
//!
//! wasmi is built with its loop ("portable") dispatch: the default tail-call
//! dispatch relies on LLVM turning calls into jumps, and in this workspace's
//! test build an endless loop overflowed the native stack with it.
//!
//! # Contracts and the SDK
//!
//! `wasm-contracts/sdk` (`yui-contract-sdk`, `no_std`) wraps the host
//! functions below for Rust contracts; `wasm-contracts/contracts` is a
//! separate Cargo workspace of contracts (`cleanup-day`, `voucher-sale`,
//! `civic-poll`, `exchange`; its README lists them) built
//! for `wasm32v1-none` by `wasm-contracts/build.sh`. Neither is a member of
//! the Yui workspace: they use `unsafe` for the imports and build for
//! another target. This crate's tests run the real `.wasm`, building it with
//! the script when it is missing or stale.
//!
//! # Host ABI (engine version 1)
//!
//! All functions are imported from module `"yui"`. Pointers and lengths are
//! `i32` read as unsigned; an out-of-bounds range traps with
//! `Trap(MemoryOutOfBounds)`. Accounts are 32 bytes. `u64` values travel as
//! `i64` bits.
//!
//! | Function | Signature | Effect |
//! |---|---|---|
//! | `input_len` | `() -> i32` | length of the call input |
//! | `input_read` | `(ptr)` | copies the whole input to `ptr` |
//! | `output` | `(ptr, len)` | sets the call output (the last call wins) |
//! | `caller` | `(ptr)` | writes the caller's 32-byte account |
//! | `contract_account` | `(ptr)` | writes the contract's own account |
//! | `block_height` | `() -> i64` | height of the block |
//! | `block_time_ms` | `() -> i64` | block time from its header, ms |
//! | `storage_read` | `(key_ptr, key_len, val_ptr, val_cap) -> i32` | -1 if absent, else the value's full length; copies `min(len, cap)` bytes |
//! | `storage_write` | `(key_ptr, key_len, val_ptr, val_len)` | sets a key of the contract's storage |
//! | `storage_remove` | `(key_ptr, key_len)` | removes a key |
//! | `emit` | `(topic_ptr, topic_len, data_ptr, data_len)` | buffers an event |
//! | `has_credential` | `(acct_ptr, kind_ptr, kind_len) -> i32` | 1 if held and valid, else 0 |
//! | `balance` | `(acct_ptr, asset_ptr, asset_len) -> i64` | spendable balance |
//! | `transfer` | `(to_ptr, asset_ptr, asset_len, amount: i64) -> i32` | pays from the contract's account; 0 or a [`refusal`] code |
//! | `grant` | `(to_ptr, asset_ptr, asset_len, amount: i64) -> i32` | mints from the contract's budget; 0 or a [`refusal`] code |
//! | `attached_len` | `() -> i32` | length of the attached-value bytes |
//! | `attached_read` | `(ptr)` | copies borsh `Vec<(String, u64)>` of attached value |
//! | `abort` | `(code: i32)` | ends the call with `Aborted { code }` |
//! | `contract_id_len` | `() -> i32` | length of the contract's id |
//! | `contract_id_read` | `(ptr)` | copies the contract's id (UTF-8) |
//!
//! In [`Mode::Query`], `storage_write`, `storage_remove`, `emit`, `transfer`
//! and `grant` fail the call with `Host(ReadOnly)`. A host error other than a
//! refusal fails the call with `Host(error)`.
//!
//! # Fuel table (version 1)
//!
//! wasmi burns about 1 fuel per instruction. On top of that, per call and per
//! host function (bytes are those crossing the boundary):
//!
//! | Item | Fuel |
//! |---|---|
//! | every call | 10,000 |
//! | every host function | 50 + 1 per byte copied |
//! | `storage_read` | + 1,000 + 1 per byte of the stored value |
//! | `storage_write` | + 5,000 + 10 per key and value byte |
//! | `storage_remove` | + 2,000 |
//! | `emit` | + 1,000 + 5 per topic and data byte |
//! | `has_credential`, `balance` | + 1,000 |
//! | `transfer`, `grant` | + 5,000 |
#![forbid(unsafe_code)]

mod abi;
mod config;
mod error;
mod fuel;
mod host;
pub mod limits;
pub mod refusal;
mod runtime;
mod validate;

pub use abi::IMPORT_MODULE;
pub use config::{ENGINE_VERSION, engine_config, store_limits};
pub use error::{CallFailure, CodeError, HostError, LimitKind, TrapKind};
pub use fuel::{FUEL_TABLE, FUEL_TABLE_VERSION, FuelTable};
pub use host::{Event, Host, Mode};
pub use runtime::{Call, CallOutcome, Runtime};
pub use validate::{CodeInfo, code_hash, diagnose, validate};
