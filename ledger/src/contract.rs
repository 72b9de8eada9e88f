//! Town contracts as the ledger records them: uploaded code, deployed
//! contracts with their account, the assets they may hold and the budget
//! governance allotted them, and their own storage.
//!
//! The WebAssembly itself runs in `yui-wasm-contracts`; the ledger decides
//! everything around it. Code is uploaded by consortium members in chunks
//! that fit a transaction, then deployed, upgraded, paused or removed only by
//! a governance proposal. A contract holds value only in its own account (an
//! address derived from its id, for which no key exists), pays only from it,
//! and mints only from its budget, under the same asset policies as anyone.
//! Code, records and storage all live in the state tree, so they are under
//! the state root and provable with `GetProof`.

use borsh::{BorshDeserialize, BorshSerialize};

use crate::crypto::{Address, Hash, sha256};

/// Domain tag of a contract's account address.
pub const CONTRACT_ACCOUNT_DOMAIN: &[u8] = b"yui/contract-account/v1";

/// The caller a contract sees when governance calls it (deploy's `init`, an
/// upgrade's `migrate`, a governance call): the all-zero address, which no
/// key can sign for.
pub const GOVERNANCE_CALLER: Address = Address([0; 32]);

/// Most bytes of code in one upload transaction (it must fit in a
/// transaction of `limits::TX_BYTES_MAX` with its other fields).
pub const CODE_CHUNK_BYTES_MAX: usize = 3 * 1024;

/// Most assets a contract may hold, and most budget lines.
pub const CONTRACT_ASSETS_MAX: usize = 8;

/// Most kinds of value attached to one call.
pub const ATTACHED_ASSETS_MAX: usize = 8;

/// Methods only governance may call: `init` at deployment, `migrate` at an
/// upgrade.
pub const RESERVED_METHODS: [&str; 2] = ["init", "migrate"];

/// The account of contract `id`: SHA-256 of the domain tag and the id.
pub fn contract_account(id: &str) -> Address {
    let bytes = borsh::to_vec(&(CONTRACT_ACCOUNT_DOMAIN, id)).unwrap_or_default();
    Address(sha256(&bytes))
}

/// Whether a contract runs.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    Active,
    /// Calls are refused until governance resumes it; state and value stay.
    Paused,
    /// Calls are refused for good; its record, storage and any value it
    /// still holds stay on chain for audit.
    Removed,
}

impl ContractStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            ContractStatus::Active => "active",
            ContractStatus::Paused => "paused",
            ContractStatus::Removed => "removed",
        }
    }
}

/// What governance allotted a contract to mint of one asset, and how much of
/// it the contract has granted.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Budget {
    pub asset: String,
    pub allotted: u64,
    pub granted: u64,
}

impl Budget {
    pub fn remaining(&self) -> u64 {
        self.allotted.saturating_sub(self.granted)
    }
}

/// A deployed contract.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Contract {
    pub id: String,
    pub code_hash: Hash,
    /// Size of the code, in bytes.
    pub code_size: u32,
    /// Exported methods of the code, sorted.
    pub methods: Vec<String>,
    /// The engine and fuel-table versions the code was validated for.
    pub engine_version: u32,
    pub fuel_table_version: u32,
    /// Its own account (see [`contract_account`]).
    pub account: Address,
    /// Assets it may hold (receive attached to calls), sorted.
    pub assets: Vec<String>,
    /// What it may mint, by asset, sorted.
    pub budget: Vec<Budget>,
    pub status: ContractStatus,
    /// The proposal that deployed it.
    pub proposal_id: String,
    pub deployed_height: u64,
    pub deployed_ms: u64,
    pub upgraded_height: Option<u64>,
    /// Calls that succeeded, and fuel they used (failed calls' fuel is in
    /// their receipts).
    pub calls: u64,
    pub fuel_used: u64,
}

impl Contract {
    pub fn may_hold(&self, asset: &str) -> bool {
        self.assets.iter().any(|a| a == asset)
    }
}

/// Code being uploaded in chunks, keyed by (uploader, code hash).
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct CodeUpload {
    pub total_len: u32,
    pub received_len: u32,
    pub chunks: u32,
}
