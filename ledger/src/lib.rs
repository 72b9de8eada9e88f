//! Yui's ledger: the transactions wallets sign, the blocks validators agree on,
//! and the pure state machine that turns a block into state changes.
//!
//! The crate does no I/O, reads no clock and spawns no task: block time comes
//! from the header, state comes through [`state::StateRead`], changes leave as
//! an ordered [`state::WriteSet`]. That is what lets every validator, and an
//! auditor replaying the chain years later, compute the same state root.
#![forbid(unsafe_code)]

pub mod asset;
pub mod auth;
pub mod block;
pub mod commitment;
pub mod contract;
pub mod credential;
pub mod crypto;
pub mod error;
pub mod exec;
pub mod genesis;
pub mod governance;
pub mod limits;
pub mod receipt;
pub mod render;
mod replay_tree;
pub mod state;
pub mod town;
pub mod tree_node;
mod tree_ranges;
pub mod tree_update;
pub mod tx;

pub use asset::{AssetClass, AssetKind, Campaign, ExpiryPolicy, MerchantClass, SpendScope};
pub use block::{Block, BlockHeader};
pub use crypto::{Address, Hash, Keypair};
pub use error::{ErrorKind, TxError};
pub use exec::{
    BlockExecutor, BlockOutcome, Ctx, check_tx, check_tx_signed, execute_block, precheck_relayed,
    query_contract,
};
pub use genesis::Genesis;
pub use receipt::{Event, Receipt};
pub use state::{MemState, Role, StateRead, WriteSet};
pub use tx::{Expiry, Operation, SignedTransaction, Transaction};
/// The contract engine, for the node and the CLI (only the ledger runs it).
pub use yui_wasm_contracts as wasm;
