//! The interface the ledger implements for a contract call.
//!
//! It is byte-level on purpose: this crate knows nothing of the ledger's
//! accounts, assets or state keys, so the ledger can change its own types
//! without touching the runtime, and the runtime can be tested with a map.
//! Events are not part of it: the runtime buffers them and returns them in
//! [`CallOutcome`](crate::CallOutcome) only when the call succeeds, so the
//! host never has to take an event back.

use crate::HostError;

/// How a call may touch state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A transaction: storage writes, events, transfers and grants allowed.
    Execute,
    /// A read-only query: `storage_write`, `storage_remove`, `emit`,
    /// `transfer` and `grant` fail the call with [`HostError::ReadOnly`]
    /// before the host is asked.
    Query,
}

/// The ledger's side of a contract call, over its block overlay.
///
/// Writes go straight to the host; if the call fails, the ledger discards
/// them (it runs each call in a child overlay). A method returning
/// `Err` other than [`HostError::Refused`] fails the whole call with
/// [`CallFailure::Host`](crate::CallFailure::Host).
pub trait Host {
    /// The account that signed the transaction (or asked the query).
    fn caller(&self) -> [u8; 32];
    /// The contract's own account, the only one it can pay from.
    fn contract_account(&self) -> [u8; 32];
    /// The contract's id, as governance named it (1 to 64 bytes of UTF-8).
    fn contract_id(&self) -> Vec<u8>;
    /// Height of the block being executed.
    fn block_height(&self) -> u64;
    /// Time of the block being executed, from its header, in milliseconds.
    fn block_time_ms(&self) -> u64;
    /// The value attached to this call: borsh `Vec<(String, u64)>` bytes
    /// (asset, amount), already moved to the contract's account. At most
    /// [`ATTACHED_BYTES_MAX`](crate::limits::ATTACHED_BYTES_MAX) bytes.
    fn attached(&self) -> Vec<u8>;
    /// The value under `key` in the contract's own storage.
    fn storage_read(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, HostError>;
    /// Sets `key` in the contract's own storage.
    fn storage_write(&mut self, key: &[u8], value: &[u8]) -> Result<(), HostError>;
    /// Removes `key` from the contract's own storage (absent is fine).
    fn storage_remove(&mut self, key: &[u8]) -> Result<(), HostError>;
    /// Whether `account` holds a valid credential of `kind` now.
    fn has_credential(&mut self, account: &[u8; 32], kind: &[u8]) -> Result<bool, HostError>;
    /// `account`'s spendable balance of `asset`.
    fn balance(&mut self, account: &[u8; 32], asset: &[u8]) -> Result<u64, HostError>;
    /// Moves value from the contract's own account only, under the asset's
    /// policy; a rule that refuses is [`HostError::Refused`].
    fn transfer(&mut self, to: &[u8; 32], asset: &[u8], amount: u64) -> Result<(), HostError>;
    /// Mints from the budget governance allotted to the contract; a spent
    /// budget is `Refused` with [`refusal::BUDGET_EXHAUSTED`](crate::refusal::BUDGET_EXHAUSTED).
    fn grant(&mut self, to: &[u8; 32], asset: &[u8], amount: u64) -> Result<(), HostError>;
}

/// An event a successful call emitted, in the order emitted.
#[derive(Debug, Clone, PartialEq, Eq, borsh::BorshSerialize, borsh::BorshDeserialize)]
pub struct Event {
    /// A short name, at most [`EVENT_TOPIC_BYTES_MAX`](crate::limits::EVENT_TOPIC_BYTES_MAX) bytes.
    pub topic: Vec<u8>,
    /// The payload, at most [`EVENT_BYTES_MAX`](crate::limits::EVENT_BYTES_MAX) bytes.
    pub data: Vec<u8>,
}

/// A host with nothing in it, for instantiating a module in
/// [`validate`](crate::validate) without running any of its code.
pub(crate) struct NullHost;

impl Host for NullHost {
    fn caller(&self) -> [u8; 32] {
        [0; 32]
    }
    fn contract_account(&self) -> [u8; 32] {
        [0; 32]
    }
    fn contract_id(&self) -> Vec<u8> {
        Vec::new()
    }
    fn block_height(&self) -> u64 {
        0
    }
    fn block_time_ms(&self) -> u64 {
        0
    }
    fn attached(&self) -> Vec<u8> {
        Vec::new()
    }
    fn storage_read(&mut self, _key: &[u8]) -> Result<Option<Vec<u8>>, HostError> {
        Ok(None)
    }
    fn storage_write(&mut self, _key: &[u8], _value: &[u8]) -> Result<(), HostError> {
        Err(HostError::ReadOnly)
    }
    fn storage_remove(&mut self, _key: &[u8]) -> Result<(), HostError> {
        Err(HostError::ReadOnly)
    }
    fn has_credential(&mut self, _account: &[u8; 32], _kind: &[u8]) -> Result<bool, HostError> {
        Ok(false)
    }
    fn balance(&mut self, _account: &[u8; 32], _asset: &[u8]) -> Result<u64, HostError> {
        Ok(0)
    }
    fn transfer(&mut self, _to: &[u8; 32], _asset: &[u8], _amount: u64) -> Result<(), HostError> {
        Err(HostError::ReadOnly)
    }
    fn grant(&mut self, _to: &[u8; 32], _asset: &[u8], _amount: u64) -> Result<(), HostError> {
        Err(HostError::ReadOnly)
    }
}
