//! The chain's own records beside the state: blocks and their
//! certificates, proposed blocks kept until their height commits, the
//! transaction index's reads, each block's begin events, the consensus
//! state and evidence of conflicting votes.

use rocksdb::{Direction, IteratorMode};
use yui_consensus::CommitCertificate;
use yui_ledger::{Block, Hash};

use super::{BEGIN_EVENTS_INDEX, BeginEvents, Store, StoreError, cf, decode, hkey, meta, rkey};

impl Store {
    /// Keeps a proposed block until its height is committed. Not synced on its
    /// own: the consensus state written (synced) before the proposal or a vote
    /// for it leaves makes it durable too, since both share one write-ahead log.
    pub fn save_pending_block(&self, block: &Block) -> Result<(), StoreError> {
        let mut k = hkey(block.header.height).to_vec();
        k.extend_from_slice(&block.hash());
        self.db
            .put_cf(self.cf(cf::PENDING_BLOCKS)?, k, block.to_bytes())?;
        Ok(())
    }

    pub fn pending_block(&self, height: u64, hash: &Hash) -> Result<Option<Block>, StoreError> {
        let mut k = hkey(height).to_vec();
        k.extend_from_slice(hash);
        self.get(cf::PENDING_BLOCKS, &k)?
            .map(|b| decode(cf::PENDING_BLOCKS, &b))
            .transpose()
    }

    pub fn block(&self, height: u64) -> Result<Option<Block>, StoreError> {
        self.get(cf::BLOCKS, &hkey(height))?
            .map(|b| decode(cf::BLOCKS, &b))
            .transpose()
    }

    pub fn certificate(&self, height: u64) -> Result<Option<CommitCertificate>, StoreError> {
        self.get(cf::CERTIFICATES, &hkey(height))?
            .map(|b| decode(cf::CERTIFICATES, &b))
            .transpose()
    }

    pub fn height_of(&self, hash: &Hash) -> Result<Option<u64>, StoreError> {
        self.get_height(cf::BLOCK_INDEX, hash, "height")
    }

    pub fn tx_location(&self, hash: &Hash) -> Result<Option<(u64, u32)>, StoreError> {
        if let Some(at) = self.index.tx(hash) {
            return Ok(Some(at));
        }
        self.get(cf::TX_INDEX, hash)?
            .map(|b| decode(cf::TX_INDEX, &b))
            .transpose()
    }

    pub fn begin_events(&self, height: u64) -> Result<Vec<yui_ledger::Event>, StoreError> {
        Ok(self
            .get(cf::RECEIPTS, &rkey(height, BEGIN_EVENTS_INDEX))?
            .map(|b| decode::<BeginEvents>(cf::RECEIPTS, &b))
            .transpose()?
            .map(|b| b.events)
            .unwrap_or_default())
    }

    /// Keeps the consensus state; with `sync`, durable before the caller
    /// sends anything that depends on it. A node that does not vote signs
    /// nothing, so it need not wait for the disk: its write goes with the
    /// next synced one (a commit shares the write-ahead log), and a crash
    /// can lose only steps it watched.
    pub fn save_consensus_state(&self, bytes: &[u8], sync: bool) -> Result<(), StoreError> {
        if sync {
            return self.put_sync(cf::METADATA, meta::CONSENSUS_STATE, bytes);
        }
        Ok(self
            .db
            .put_cf(self.cf(cf::METADATA)?, meta::CONSENSUS_STATE, bytes)?)
    }

    pub fn consensus_state(&self) -> Result<Option<Vec<u8>>, StoreError> {
        self.get(cf::METADATA, meta::CONSENSUS_STATE)
    }

    /// Keeps evidence of a validator's conflicting votes.
    pub fn save_evidence(&self, key: &[u8], bytes: &[u8]) -> Result<(), StoreError> {
        let mut k = meta::EVIDENCE_PREFIX.to_vec();
        k.extend_from_slice(key);
        self.put_sync(cf::METADATA, &k, bytes)
    }

    pub fn evidence(&self, limit: usize) -> Result<Vec<Vec<u8>>, StoreError> {
        let iter = self.db.iterator_cf(
            self.cf(cf::METADATA)?,
            IteratorMode::From(meta::EVIDENCE_PREFIX, Direction::Forward),
        );
        let mut out = Vec::new();
        for item in iter {
            let (k, v) = item?;
            if !k.starts_with(meta::EVIDENCE_PREFIX) || out.len() >= limit {
                break;
            }
            out.push(v.to_vec());
        }
        Ok(out)
    }
}
