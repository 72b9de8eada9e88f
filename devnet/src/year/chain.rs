//! Writes the simulated year as a real chain into a node's RocksDB store:
//! each block executed by the ledger on the stored state, its roots
//! computed, certified by precommits that the devnet's validator keys sign,
//! and committed the way a node commits a decided block. `yui-node` then
//! serves it and an auditor verifies it like any other chain.

use std::collections::BTreeMap;
use std::path::Path;

use yui_consensus::{CommitCertificate, ValidatorSet, Vote, VoteKind};
use yui_ledger::block::tx_root_of;
use yui_ledger::commitment;
use yui_ledger::exec::{BlockExecutor, Ctx, receipts_root};
use yui_ledger::{
    Address, Block, BlockHeader, Event, Expiry, Genesis, Hash, Keypair, MemState, Receipt,
    SignedTransaction, Transaction,
};
use yui_node::storage::Store;

/// The most transactions in one block (the node's default block size).
pub const BLOCK_TXS_MAX: usize = 2_000;

pub struct Writer {
    pub store: Store,
    chain_id: String,
    set: ValidatorSet,
    /// Validator index → key, in the set's order.
    keys: Vec<Keypair>,
    prev_hash: Hash,
    prev_time_ms: u64,
    pub height: u64,
    nonces: BTreeMap<Address, u64>,
    pub transactions: u64,
    pub failed: u64,
}

impl Writer {
    /// Opens a fresh store at `db` and writes the genesis.
    pub fn create(
        db: &Path,
        genesis: &Genesis,
        genesis_json: &str,
        validators: &[Keypair],
    ) -> anyhow::Result<Self> {
        let store = Store::open(db)?;
        if store.genesis_json()?.is_some() {
            anyhow::bail!("{} already holds a chain", db.display());
        }
        let writes = genesis.state_writes(&MemState::default());
        let (_, tree) = commitment::update(&store, &writes, 0).map_err(|e| anyhow::anyhow!(e))?;
        store.init_genesis(genesis_json, &writes, &tree)?;
        let set = yui_node::chain::validators_in(&store)?.set;
        let mut keys = Vec::new();
        for i in 0..set.len() as u32 {
            let v = set
                .get(i)
                .ok_or_else(|| anyhow::anyhow!("validator {i} missing"))?;
            let k = validators
                .iter()
                .find(|k| k.address().0 == v.public_key)
                .ok_or_else(|| anyhow::anyhow!("no key for validator {i}"))?;
            keys.push(Keypair::from_seed(k.seed()));
        }
        Ok(Self {
            store,
            chain_id: genesis.chain_id.clone(),
            set,
            keys,
            prev_hash: genesis.hash(),
            prev_time_ms: genesis.genesis_time_ms,
            height: 0,
            nonces: BTreeMap::new(),
            transactions: 0,
            failed: 0,
        })
    }

    /// Signs `op` for `key` with its next nonce, valid for an hour after `at_ms`.
    pub fn sign(
        &mut self,
        key: &Keypair,
        op: yui_ledger::Operation,
        at_ms: u64,
    ) -> SignedTransaction {
        let signer = key.address();
        let nonce = self.nonces.entry(signer).or_default();
        let tx = Transaction {
            chain_id: self.chain_id.clone(),
            signer,
            nonce: *nonce,
            expiry: Expiry::Time(at_ms + 3_600_000),
            op,
        };
        *nonce += 1;
        tx.sign(key)
    }

    /// Executes, certifies and commits one block at `time_ms` (moved past
    /// the previous block's time if needed). Returns its receipts and
    /// block-start events.
    pub fn block(
        &mut self,
        time_ms: u64,
        txs: Vec<SignedTransaction>,
    ) -> anyhow::Result<(Vec<Receipt>, Vec<Event>)> {
        let height = self.height + 1;
        let time_ms = time_ms.max(self.prev_time_ms + 1);
        let ctx = Ctx {
            chain_id: self.chain_id.clone(),
            height,
            time_ms,
        };
        let mut ex = BlockExecutor::begin(&self.store, ctx)
            .map_err(|e| anyhow::anyhow!("block {height}: {e}"))?;
        let mut hashes = Vec::with_capacity(txs.len());
        for stx in &txs {
            let h = stx.hash();
            // The generator signed it: the signature is known good.
            ex.push_hashed(stx, h, true)
                .map_err(|e| anyhow::anyhow!("block {height}: a transaction was refused: {e}"))?;
            hashes.push(h);
        }
        let outcome = ex.finish();
        let (state_root, tree) = commitment::update(&self.store, &outcome.writes, height)
            .map_err(|e| anyhow::anyhow!(e))?;
        let proposer = self.set.proposer(height, 0);
        let header = BlockHeader {
            chain_id: self.chain_id.clone(),
            height,
            time_ms,
            prev_hash: self.prev_hash,
            tx_root: tx_root_of(&hashes),
            receipts_root: receipts_root(&outcome.receipts, &outcome.begin_events),
            state_root,
            proposer: self.keys[proposer as usize].address(),
            validators_hash: self.set.hash(),
        };
        let block = Block { header, txs };
        let hash = block.hash();
        let votes: Vec<Vote> = self
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                Vote::sign(
                    k.signing_key(),
                    &self.chain_id,
                    i as u32,
                    VoteKind::Precommit,
                    height,
                    0,
                    Some(hash),
                )
            })
            .collect();
        let cert = CommitCertificate::from_precommits(height, 0, hash, &votes);
        self.store.commit_block(&block, &cert, &outcome, &tree)?;
        self.transactions += block.txs.len() as u64;
        self.failed += outcome
            .receipts
            .iter()
            .filter(|r| r.error.is_some())
            .count() as u64;
        self.prev_hash = hash;
        self.prev_time_ms = time_ms;
        self.height = height;
        Ok((outcome.receipts, outcome.begin_events))
    }

    pub fn last_time_ms(&self) -> u64 {
        self.prev_time_ms
    }
}
