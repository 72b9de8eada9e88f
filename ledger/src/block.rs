//! Blocks. A header commits to its parent, its transactions, its receipts and
//! the state after executing it; its hash is what validators sign.

use borsh::{BorshDeserialize, BorshSerialize};

use crate::crypto::{Address, Hash, sha256};
use crate::tx::SignedTransaction;

/// Domain tag of block hashes.
pub const BLOCK_DOMAIN: &[u8] = b"yui/block/v1";

#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct BlockHeader {
    pub chain_id: String,
    pub height: u64,
    /// The proposer's clock, ms since the Unix epoch; later than the parent's.
    pub time_ms: u64,
    /// Hash of the parent block (the genesis hash for height 1).
    pub prev_hash: Hash,
    /// Merkle root of the transaction hashes.
    pub tx_root: Hash,
    /// Hash of the receipts and block-start events.
    pub receipts_root: Hash,
    /// Root of the state after this block (Jellyfish Merkle tree, version = height).
    pub state_root: Hash,
    pub proposer: Address,
    /// Hash of the validator set that certifies this block.
    pub validators_hash: Hash,
}

impl BlockHeader {
    pub fn hash(&self) -> Hash {
        sha256(&borsh::to_vec(&(BLOCK_DOMAIN, self)).unwrap_or_default())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Block {
    pub header: BlockHeader,
    pub txs: Vec<SignedTransaction>,
}

impl Block {
    pub fn hash(&self) -> Hash {
        self.header.hash()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        borsh::to_vec(self).unwrap_or_default()
    }

    pub fn from_bytes(b: &[u8]) -> Result<Self, String> {
        borsh::from_slice(b).map_err(|e| format!("cannot decode block: {e}"))
    }

    /// Whether the header's `tx_root` matches the transactions.
    pub fn tx_root_matches(&self) -> bool {
        tx_root(&self.txs) == self.header.tx_root
    }
}

/// Merkle root over transaction hashes: leaves `H(0x00 ‖ h)`, nodes
/// `H(0x01 ‖ l ‖ r)`, an odd node carried up unchanged; empty = `H("")`.
pub fn tx_root(txs: &[SignedTransaction]) -> Hash {
    let hashes: Vec<Hash> = txs.iter().map(|t| t.hash()).collect();
    tx_root_of(&hashes)
}

/// [`tx_root`] from the transactions' hashes.
pub fn tx_root_of(tx_hashes: &[Hash]) -> Hash {
    let mut level: Vec<Hash> = tx_hashes
        .iter()
        .map(|h| {
            let mut b = [0u8; 33];
            b[1..].copy_from_slice(h);
            sha256(&b)
        })
        .collect();
    if level.is_empty() {
        return sha256(&[]);
    }
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|p| match p {
                [l, r] => {
                    let mut b = vec![1u8];
                    b.extend_from_slice(l);
                    b.extend_from_slice(r);
                    sha256(&b)
                }
                [one] => *one,
                _ => sha256(&[]),
            })
            .collect();
    }
    level[0]
}
