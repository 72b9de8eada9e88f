//! Why code is refused and why a call fails.
//!
//! A failed call ends in the ledger's receipt, which validators hash, so every
//! failure is data: a variant with typed, bounded fields and a stable numeric
//! `code()`, never an English sentence (wasmi's messages may change with its
//! version; `Display` is for logs only). Borsh encodes a variant by its
//! position, so new variants are appended at the end and existing ones never
//! move.

use core::num::NonZeroU32;

use borsh::{BorshDeserialize, BorshSerialize};
use thiserror::Error;

/// Why [`validate`](crate::validate) refused a module.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Error)]
pub enum CodeError {
    /// The module is larger than [`CODE_BYTES_MAX`](crate::limits::CODE_BYTES_MAX).
    #[error("module of {size} bytes exceeds {max}")]
    TooLarge { size: u64, max: u64 },
    /// The bytes are not a WebAssembly module valid under the engine's
    /// configuration (malformed, unsupported proposal, over wasmi's strict
    /// structural limits). [`diagnose`](crate::diagnose) gives wasmi's reason
    /// for logs.
    #[error("not a valid module for this engine")]
    Invalid,
    /// The module uses `f32` or `f64` types or instructions.
    #[error("module uses floating point")]
    FloatsUsed,
    /// The module declares a start function.
    #[error("module declares a start function")]
    StartFunction,
    /// An import that is not in the host table (names cut to
    /// [`NAME_IN_ERROR_BYTES_MAX`](crate::limits::NAME_IN_ERROR_BYTES_MAX)).
    #[error("unknown import {module}.{name}")]
    UnknownImport { module: String, name: String },
    /// A host function imported with the wrong signature.
    #[error("import yui.{name} has the wrong signature")]
    BadImportSignature { name: String },
    /// The module exports no memory named `memory`.
    #[error("module exports no memory named \"memory\"")]
    NoMemory,
    /// The memory's initial or declared maximum size exceeds the limit, in pages.
    #[error("memory of {pages} pages exceeds {max}")]
    MemoryTooLarge { pages: u64, max: u64 },
    /// An exported function is not `() -> ()`.
    #[error("export {name} is not a function of no parameters and no results")]
    BadExportSignature { name: String },
    /// An exported function's name is empty or longer than
    /// [`METHOD_NAME_LEN_MAX`](crate::limits::METHOD_NAME_LEN_MAX).
    #[error("export name {name} is not a valid method name")]
    BadMethodName { name: String },
    /// More exported functions than [`METHODS_MAX`](crate::limits::METHODS_MAX).
    #[error("{count} methods exceed {max}")]
    TooManyMethods { count: u32, max: u32 },
    /// The module does not instantiate within the store limits (a table too
    /// large, a data or element segment out of bounds).
    #[error("module does not instantiate within the limits")]
    Instantiation,
    /// The code does not hash to the code hash it was called under.
    #[error("code does not match its hash")]
    HashMismatch,
}

impl CodeError {
    /// The stable number of this refusal.
    pub fn code(&self) -> u32 {
        match self {
            Self::TooLarge { .. } => 1,
            Self::Invalid => 2,
            Self::FloatsUsed => 3,
            Self::StartFunction => 4,
            Self::UnknownImport { .. } => 5,
            Self::BadImportSignature { .. } => 6,
            Self::NoMemory => 7,
            Self::MemoryTooLarge { .. } => 8,
            Self::BadExportSignature { .. } => 9,
            Self::BadMethodName { .. } => 10,
            Self::TooManyMethods { .. } => 11,
            Self::Instantiation => 12,
            Self::HashMismatch => 13,
        }
    }
}

/// A host function's failure, as the ledger reports it to the runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize, Error)]
pub enum HostError {
    /// A state change was attempted in [`Mode::Query`](crate::Mode::Query).
    /// The runtime raises this itself; the host never sees the attempt.
    #[error("state change in a read-only call")]
    ReadOnly,
    /// A ledger rule refused a transfer or grant. `code` is the ledger's own
    /// number (see [`refusal`](crate::refusal) for the shared ones); the
    /// contract receives it as the host function's result and may react.
    #[error("refused by ledger rule {code}")]
    Refused { code: NonZeroU32 },
    /// The node could not read its own state. This is not the contract's
    /// fault and not deterministic: the ledger treats it as its own failure,
    /// not as a contract refusal.
    #[error("state unavailable")]
    StateUnavailable,
    /// A limit the ledger keeps for contracts was exceeded.
    #[error("host limit exceeded")]
    LimitExceeded,
}

impl HostError {
    /// A [`HostError::Refused`] for a ledger code; 0 is not a code and maps
    /// to [`refusal::OTHER`](crate::refusal::OTHER).
    pub fn refused(code: u32) -> Self {
        let code = NonZeroU32::new(code).unwrap_or(crate::refusal::OTHER_NONZERO);
        Self::Refused { code }
    }

    /// The stable number of this failure.
    pub fn code(&self) -> u32 {
        match self {
            Self::ReadOnly => 1,
            Self::Refused { .. } => 2,
            Self::StateUnavailable => 3,
            Self::LimitExceeded => 4,
        }
    }
}

/// Which WebAssembly trap ended a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum TrapKind {
    /// The `unreachable` instruction ran (Rust's `panic` with `panic = "abort"`).
    Unreachable,
    /// A load, store or host function touched memory outside the instance's.
    MemoryOutOfBounds,
    /// Integer division or remainder by zero.
    DivisionByZero,
    /// Signed division overflow (`i32::MIN / -1`).
    IntegerOverflow,
    /// `call_indirect` with a function of another type.
    IndirectCallMismatch,
    /// `call_indirect` to an empty or out-of-range table slot.
    UndefinedElement,
    /// Any other trap wasmi reports.
    Other,
}

impl TrapKind {
    /// The stable number of this trap.
    pub fn code(&self) -> u32 {
        match self {
            Self::Unreachable => 1,
            Self::MemoryOutOfBounds => 2,
            Self::DivisionByZero => 3,
            Self::IntegerOverflow => 4,
            Self::IndirectCallMismatch => 5,
            Self::UndefinedElement => 6,
            Self::Other => 7,
        }
    }
}

/// Which per-call limit a contract exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum LimitKind {
    /// More than `EVENTS_PER_CALL_MAX` events.
    Events,
    /// An event topic or data over its size limit.
    EventSize,
    /// More than `STORAGE_WRITES_PER_CALL_MAX` writes and removals.
    StorageWrites,
    /// A storage key over `STORAGE_KEY_BYTES_MAX`.
    StorageKey,
    /// A storage value over `STORAGE_VALUE_BYTES_MAX`.
    StorageValue,
    /// An output over `OUTPUT_BYTES_MAX`.
    Output,
    /// More than `VALUE_MOVES_PER_CALL_MAX` transfers and grants.
    ValueMoves,
    /// An asset name over `ASSET_NAME_BYTES_MAX`.
    AssetName,
    /// A credential kind over `CREDENTIAL_KIND_BYTES_MAX`.
    CredentialKind,
    /// The host's description of attached value over `ATTACHED_BYTES_MAX`.
    Attached,
}

impl LimitKind {
    /// The stable number of this limit.
    pub fn code(&self) -> u32 {
        match self {
            Self::Events => 1,
            Self::EventSize => 2,
            Self::StorageWrites => 3,
            Self::StorageKey => 4,
            Self::StorageValue => 5,
            Self::Output => 6,
            Self::ValueMoves => 7,
            Self::AssetName => 8,
            Self::CredentialKind => 9,
            Self::Attached => 10,
        }
    }
}

/// Why a call did not complete.
///
/// On any failure the runtime returns no output and no events, but storage
/// writes, transfers and grants the contract made before failing have
/// already reached the [`Host`](crate::Host): discarding them is the ledger's
/// job (it runs each call in a child overlay and drops it on failure).
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Error)]
pub enum CallFailure {
    /// The call burnt all its fuel; `fuel_used` equals the limit.
    #[error("out of fuel")]
    OutOfFuel,
    /// The contract tried to grow its memory or table past the limit.
    #[error("memory limit")]
    MemoryLimit,
    /// Calls nested deeper than the stack allows.
    #[error("stack overflow")]
    StackOverflow,
    /// A WebAssembly trap.
    #[error("trap {0:?}")]
    Trap(TrapKind),
    /// The contract called `abort(code)`.
    #[error("aborted with code {code}")]
    Aborted { code: u32 },
    /// A host function failed in a way the contract cannot handle.
    #[error("host: {0}")]
    Host(HostError),
    /// The method is not an exported function of the contract.
    #[error("unknown method")]
    UnknownMethod,
    /// The input is larger than `INPUT_BYTES_MAX`.
    #[error("input too large")]
    BadInput,
    /// A per-call limit was exceeded.
    #[error("limit exceeded: {what:?}")]
    LimitExceeded { what: LimitKind },
    /// The code does not pass validation.
    #[error("invalid code: {0}")]
    InvalidCode(CodeError),
    /// The interpreter or the host panicked. This is a bug in Yui or wasmi,
    /// contained so that it cannot stop the node.
    #[error("internal error")]
    Internal,
}

impl CallFailure {
    /// The stable number of this failure.
    pub fn code(&self) -> u32 {
        match self {
            Self::OutOfFuel => 1,
            Self::MemoryLimit => 2,
            Self::StackOverflow => 3,
            Self::Trap(_) => 4,
            Self::Aborted { .. } => 5,
            Self::Host(_) => 6,
            Self::UnknownMethod => 7,
            Self::BadInput => 8,
            Self::LimitExceeded { .. } => 9,
            Self::InvalidCode(_) => 10,
            Self::Internal => 11,
        }
    }
}
