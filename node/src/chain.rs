//! The node's view of the chain: the committed head, building a block from the
//! mempool, checking a proposed block by executing it, and committing a
//! decided block with its certificate.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::{Notify, broadcast, oneshot};
use yui_consensus::{CommitCertificate, Validator, ValidatorSet};
use yui_ledger::block::tx_root_of;
use yui_ledger::commitment::TreeChange;
use yui_ledger::exec::{BlockOutcome, receipts_root};
use yui_ledger::governance::{ValidatorChange, ValidatorInfo};
use yui_ledger::state::StateError;
use yui_ledger::{
    Address, Block, BlockExecutor, BlockHeader, Ctx, Event, Genesis, Hash, MemState, Receipt,
    StateRead, commitment,
};

use crate::config::Config;
use crate::crash_point::{self, Point};
use crate::mempool::{Limits, Mempool};
use crate::storage::{Store, StoreError};
use crate::verified::{self, Verified};
use crate::vote_journal::{self, VoteJournal};

/// The newest committed block, as the API and the engine see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub height: u64,
    pub hash: Hash,
    pub state_root: Hash,
    pub time_ms: u64,
}

/// The hashes of a block's transactions, in order, as this node computed
/// them ([`yui_ledger::SignedTransaction::hash`]) when it admitted each
/// one: [`Shared::validate_block`] then hashes none of them again. Only a
/// block rebuilt from this node's own pool has them; a block from a peer
/// is hashed here.
pub struct KnownHashes(Vec<Hash>);

impl KnownHashes {
    /// `hashes` must be the transactions' hashes computed by this node
    /// (the keys it found each one under in its pool).
    pub fn admitted(hashes: Vec<Hash>) -> Self {
        Self(hashes)
    }
}

/// A block with everything its execution produced, ready to commit.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub block: Block,
    /// The hashes of the block's transactions, in order.
    pub tx_hashes: Vec<Hash>,
    pub outcome: BlockOutcome,
    /// The block's state tree version, as the store keeps it.
    pub tree: TreeChange,
}

/// What subscribers learn when a block commits.
#[derive(Debug, Clone)]
pub struct Committed {
    pub block: Block,
    pub certificate: CommitCertificate,
    pub receipts: Vec<Receipt>,
    pub begin_events: Vec<Event>,
}

/// How a transaction reached the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// From a wallet: its operation is dry-run on the committed state, so
    /// the wallet hears at once what a block would refuse.
    Submitted,
    /// From a peer that admitted it that way: only the checks before the
    /// operation are made here (the block that includes it runs it).
    Relayed,
}

/// Why a transaction was not admitted to the mempool.
#[derive(Debug, thiserror::Error)]
pub enum AdmitError {
    #[error("{0}")]
    Tx(yui_ledger::TxError),
    #[error("{0}")]
    Mempool(crate::mempool::MempoolError),
}

impl Committed {
    /// Every event of the block in order: its start (expiries, no
    /// transaction hash) first, then each transaction's, with its hash.
    pub fn events(&self) -> impl Iterator<Item = (Vec<u8>, &Event)> {
        let begin = self.begin_events.iter().map(|e| (Vec::new(), e));
        let txs = self
            .receipts
            .iter()
            .flat_map(|r| r.events.iter().map(move |e| (r.tx_hash.to_vec(), e)));
        begin.chain(txs)
    }
}

/// State shared by the engine and the API.
pub struct Shared {
    pub cfg: Config,
    pub store: Store,
    pub genesis: Genesis,
    pub genesis_json: String,
    pub genesis_hash: Hash,
    /// The validator set deciding the next height (head + 1), read from the
    /// committed state after each commit: governance changes it.
    validators: RwLock<Validators>,
    pub node_key: Option<Address>,
    pub auditors: Vec<Address>,
    pub head: RwLock<Head>,
    pub mempool: Mutex<Mempool>,
    pub mempool_notify: Notify,
    pub committed: broadcast::Sender<Arc<Committed>>,
    pub waiters: Mutex<Waiters>,
    /// Gossip batches of transactions being verified and admitted off the
    /// network task, at most [`GOSSIP_ADMISSIONS_MAX`] at once.
    pub gossip_admissions: Arc<tokio::sync::Semaphore>,
    pub round: AtomicU32,
    pub peers: RwLock<Vec<String>>,
    /// The highest head a peer reported in sync (0 before any).
    pub best_peer_height: std::sync::atomic::AtomicU64,
    /// Peers subscribed to the transaction topic (network nodes only).
    pub tx_gossip_peers: AtomicU32,
    /// Validators of the current set that a transaction submitted here does
    /// not reach by gossip (itself excepted); `u32::MAX` until the network
    /// has counted. Zero is what the Transactions service's health calls
    /// ready.
    pub tx_gossip_missing: AtomicU32,
    /// Transactions whose signatures this node has verified.
    pub verified: Verified,
    pub metrics: crate::metrics::Metrics,
    /// Every vote signed or received, when the configuration asks for it.
    vote_journal: Option<Mutex<VoteJournal>>,
}

/// Milliseconds since the Unix epoch by this machine's clock. Only the node
/// reads the clock; the ledger and consensus get time as input.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A validator set with the names the chain gives its members.
#[derive(Debug, Clone)]
pub struct Validators {
    pub set: ValidatorSet,
    pub infos: Vec<ValidatorInfo>,
    /// `set.hash()`, which every block header carries.
    pub hash: Hash,
}

/// The validator set recorded in `state`: the one deciding the height after
/// the state's block.
pub fn validators_in<S: StateRead + ?Sized>(state: &S) -> anyhow::Result<Validators> {
    let infos = yui_ledger::state::validators(state)?;
    let set = ValidatorSet::new(
        infos
            .iter()
            .map(|v| Validator {
                public_key: v.public_key.0,
                power: v.power,
            })
            .collect(),
    )
    .map_err(|e| anyhow::anyhow!("validator set in state: {e}"))?;
    Ok(Validators {
        hash: set.hash(),
        set,
        infos,
    })
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    /// Opens the store, writing genesis on first start. Start-up reads the
    /// head from the last block: no replay, whatever the chain's length.
    pub fn open(
        cfg: Config,
        base: &std::path::Path,
        node_key: Option<Address>,
    ) -> anyhow::Result<Self> {
        let genesis_path = base.join(&cfg.node.genesis_file);
        let genesis_json = std::fs::read_to_string(&genesis_path)
            .map_err(|e| anyhow::anyhow!("cannot read genesis {}: {e}", genesis_path.display()))?;
        let genesis = Genesis::from_json(&genesis_json).map_err(|e| anyhow::anyhow!("{e}"))?;
        let cache = usize::try_from(cfg.storage.block_cache_mib << 20)?;
        let store = Store::open_with_cache(&base.join(&cfg.node.data_dir).join("db"), cache)?
            .with_state_history(cfg.storage.state_history)
            .with_tree_writes(cfg.storage.tree_interval, cfg.storage.tree_offset);
        match store.genesis_json()? {
            None => {
                let writes = genesis.state_writes(&MemState::default());
                let (_, tree) =
                    commitment::update(&store, &writes, 0).map_err(|e| anyhow::anyhow!(e))?;
                store.init_genesis(&genesis_json, &writes, &tree)?;
            }
            Some(stored) => {
                let g = Genesis::from_json(&stored).map_err(|e| anyhow::anyhow!(e))?;
                if g.hash() != genesis.hash() {
                    anyhow::bail!(
                        "the data directory holds a different chain's genesis than {}",
                        genesis_path.display()
                    );
                }
            }
        }
        let validators = validators_in(&store)?;
        let auditors = cfg
            .api
            .auditors
            .iter()
            .map(|a| {
                a.parse::<Address>()
                    .map_err(|e| anyhow::anyhow!("auditor key '{a}': {e}"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let head = load_head(&store, &genesis)?;
        let limits = Limits {
            txs_max: cfg.mempool.txs_max,
            per_account_txs_max: cfg.mempool.per_account_txs_max,
            nonce_window: cfg.mempool.nonce_window,
            gapped_ttl_ms: cfg.mempool.gapped_ttl_ms,
            wait_max_ms: cfg.mempool.wait_max_ms,
        };
        let (committed, _) = broadcast::channel(1024);
        let vote_journal = if cfg.consensus.vote_journal {
            let dir = base.join(&cfg.node.data_dir);
            let j = VoteJournal::open(&dir)
                .map_err(|e| anyhow::anyhow!("vote journal in {}: {e}", dir.display()))?;
            Some(Mutex::new(j))
        } else {
            None
        };
        Ok(Self {
            genesis_hash: genesis.hash(),
            genesis,
            genesis_json,
            cfg,
            store,
            validators: RwLock::new(validators),
            node_key,
            auditors,
            head: RwLock::new(head),
            mempool: Mutex::new(Mempool::new(limits)),
            mempool_notify: Notify::new(),
            committed,
            waiters: Mutex::new(Waiters::default()),
            gossip_admissions: Arc::new(tokio::sync::Semaphore::new(GOSSIP_ADMISSIONS_MAX)),
            round: AtomicU32::new(0),
            peers: RwLock::new(Vec::new()),
            best_peer_height: std::sync::atomic::AtomicU64::new(0),
            tx_gossip_peers: AtomicU32::new(0),
            tx_gossip_missing: AtomicU32::new(u32::MAX),
            verified: Verified::new(crate::verified::VERIFIED_MAX),
            metrics: crate::metrics::Metrics::new(),
            vote_journal,
        })
    }

    /// Appends a vote to the vote journal, if it is kept. A journal that
    /// cannot be written is logged and left: it serves investigations, and
    /// consensus does not depend on it.
    pub fn journal_vote(&self, source: vote_journal::Source, vote: &yui_consensus::Vote) {
        if let Some(j) = &self.vote_journal {
            let mut j = j.lock().unwrap_or_else(|e| e.into_inner());
            if let Err(e) = j.append(source, vote) {
                tracing::warn!(error = %e, "cannot write the vote journal");
            }
        }
    }

    /// The validator set deciding the next height.
    pub fn validators(&self) -> ValidatorSet {
        self.validators
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .set
            .clone()
    }

    /// The hash of the set deciding the next height.
    pub fn validators_hash(&self) -> Hash {
        self.validators
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .hash
    }

    /// The validators deciding the next height, with their names.
    pub fn validator_infos(&self) -> Vec<ValidatorInfo> {
        self.validators
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .infos
            .clone()
    }

    /// Keys of the validators the network admits: the current set and those
    /// governance has approved to join at a later height (so they can catch
    /// up before their first vote counts).
    pub fn validator_keys_to_admit(&self) -> Vec<Address> {
        let mut keys: Vec<Address> = self
            .validator_infos()
            .iter()
            .map(|v| v.public_key)
            .collect();
        // A failed read admits only the current set until the next refresh.
        let pending = yui_ledger::state::pending_validator_changes(&self.store).unwrap_or_default();
        for (_, c) in pending {
            if let ValidatorChange::Add(v) = c {
                keys.push(v.public_key);
            }
        }
        keys
    }

    pub fn head(&self) -> Head {
        self.head.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn mempool(&self) -> std::sync::MutexGuard<'_, Mempool> {
        lock(&self.mempool)
    }

    pub fn set_round(&self, r: u32) {
        self.round.store(r, Ordering::Relaxed);
    }

    /// The nonce an account's next transaction must carry, by committed state.
    pub fn next_nonce(&self, a: &Address) -> Result<u64, StateError> {
        Ok(yui_ledger::state::read::<yui_ledger::state::Account, _>(
            &self.store,
            &yui_ledger::state::keys::account(a),
        )?
        .map_or(0, |acct| acct.nonce))
    }

    /// Admits a transaction into the mempool after checking it against the
    /// committed state (as the next block would see it).
    pub fn admit(&self, stx: &yui_ledger::SignedTransaction, hash: Hash) -> Result<(), AdmitError> {
        self.admit_batch(&[(stx, hash)], 1, Admit::Submitted)
            .pop()
            .unwrap_or(Ok(()))
    }

    /// Admits transactions (with their hashes): the signatures not verified
    /// here before are verified as a batch on `threads` threads, then each
    /// is checked against the committed state. A verdict per transaction.
    pub fn admit_batch(
        &self,
        txs: &[(&yui_ledger::SignedTransaction, Hash)],
        threads: usize,
        how: Admit,
    ) -> Vec<Result<(), AdmitError>> {
        let chain = &self.genesis.chain_id;
        // Waiting already: nothing to do. Else the checks in the order of
        // `check_stateless`: size, chain and shape, then the signature.
        let fresh: Vec<Option<Result<(), yui_ledger::TxError>>> = {
            let mp = self.mempool();
            txs.iter()
                .map(|(t, h)| (!mp.contains(h)).then(|| t.check_unsigned(chain)))
                .collect()
        };
        let todo: Vec<(&yui_ledger::SignedTransaction, Hash)> = txs
            .iter()
            .zip(&fresh)
            .filter(|(_, f)| matches!(f, Some(Ok(()))))
            .map(|(t, _)| *t)
            .collect();
        if !todo.is_empty() {
            self.metrics.signature_batch(how, todo.len());
        }
        let mut signatures = self.verified.verify(&todo, threads).into_iter();
        txs.iter()
            .zip(fresh)
            .map(|((stx, hash), fresh)| {
                let r = match fresh {
                    None => return Ok(()),
                    Some(Err(e)) => Err(AdmitError::Tx(e)),
                    Some(Ok(())) => match signatures.next() {
                        Some(Err(e)) => Err(AdmitError::Tx(e.into())),
                        _ => self.admit_new(stx, *hash, how),
                    },
                };
                match &r {
                    Ok(()) => {
                        self.metrics.admitted.inc();
                    }
                    Err(AdmitError::Tx(e)) => self.metrics.refused(e.code()),
                    Err(AdmitError::Mempool(e)) => self.metrics.refused(e.code().into()),
                }
                r
            })
            .collect()
    }

    /// Admission of a transaction whose signature verified here.
    fn admit_new(
        &self,
        stx: &yui_ledger::SignedTransaction,
        hash: Hash,
        how: Admit,
    ) -> Result<(), AdmitError> {
        let head = self.head();
        let ctx = Ctx {
            chain_id: self.genesis.chain_id.clone(),
            height: head.height + 1,
            time_ms: now_ms().max(head.time_ms + 1),
        };
        let next = match how {
            Admit::Submitted => {
                yui_ledger::check_tx_signed(&self.store, &ctx, stx).map_err(AdmitError::Tx)?;
                self.next_nonce(&stx.tx.signer)
                    .map_err(|e| AdmitError::Tx(e.into()))?
            }
            Admit::Relayed => {
                yui_ledger::precheck_relayed(&self.store, &ctx, stx).map_err(AdmitError::Tx)?
            }
        };
        self.mempool()
            .insert(stx.clone(), hash, next, now_ms())
            .map_err(AdmitError::Mempool)?;
        self.mempool_notify.notify_one();
        Ok(())
    }

    /// Builds the next block from the mempool, at `now_ms` (never earlier than
    /// just after the previous block).
    pub fn build_block(&self, proposer: Address, now_ms: u64) -> Result<Prepared, String> {
        let head = self.head();
        let height = head.height + 1;
        let ctx = Ctx {
            chain_id: self.genesis.chain_id.clone(),
            height,
            time_ms: now_ms.max(head.time_ms + 1),
        };
        let mut ex = BlockExecutor::begin(&self.store, ctx.clone()).map_err(|e| e.to_string())?;
        let candidates = self
            .mempool()
            // An account whose nonce cannot be read offers no candidate; the
            // block's own reads would fail the same way.
            .candidates(self.cfg.block.txs_max, |a| {
                self.next_nonce(a).unwrap_or(u64::MAX)
            });
        let mut txs = Vec::with_capacity(candidates.len());
        let mut hashes = Vec::with_capacity(candidates.len());
        let mut stale = Vec::new();
        // Accounts whose next call did not fit this block's fuel: their
        // later transactions wait too (their nonces follow), others go on.
        let mut waiting: Vec<Address> = Vec::new();
        for (tx, hash) in candidates {
            if waiting.contains(&tx.tx.signer) {
                continue;
            }
            // The mempool verified the signature on admission.
            match ex.push_hashed(&tx, hash, true) {
                Ok(_) => {
                    txs.push(tx);
                    hashes.push(hash);
                }
                Err(yui_ledger::TxError::BlockFuelSpent) => waiting.push(tx.tx.signer),
                Err(yui_ledger::TxError::Malformed(yui_ledger::error::Rule::BlockFull)) => break,
                // This node cannot read its state: it proposes nothing.
                Err(e @ yui_ledger::TxError::State(_)) => return Err(e.to_string()),
                Err(e) => {
                    tracing::debug!(error = %e, "dropping transaction that no longer applies");
                    stale.push(hash);
                }
            }
        }
        if !stale.is_empty() {
            let mut mp = self.mempool();
            for h in &stale {
                mp.remove(h);
            }
            mp.refresh_oldest();
        }
        let outcome = ex.finish();
        let tx_root = tx_root_of(&hashes);
        self.seal(ctx, proposer, head.hash, (txs, hashes, tx_root), outcome)
    }

    fn seal(
        &self,
        ctx: Ctx,
        proposer: Address,
        prev_hash: Hash,
        (txs, tx_hashes, tx_root): (Vec<yui_ledger::SignedTransaction>, Vec<Hash>, Hash),
        outcome: BlockOutcome,
    ) -> Result<Prepared, String> {
        let (state_root, tree) = commitment::update(&self.store, &outcome.writes, ctx.height)?;
        let header = BlockHeader {
            chain_id: ctx.chain_id,
            height: ctx.height,
            time_ms: ctx.time_ms,
            prev_hash,
            tx_root,
            receipts_root: receipts_root(&outcome.receipts, &outcome.begin_events),
            state_root,
            proposer,
            validators_hash: self.validators_hash(),
        };
        Ok(Prepared {
            block: Block { header, txs },
            tx_hashes,
            outcome,
            tree,
        })
    }

    /// Whether this node votes on the next height: its key is in the set.
    pub fn votes(&self) -> bool {
        self.node_key
            .is_some_and(|k| self.validators().index_of(&k.0).is_some())
    }

    /// Checks a proposed block by executing it on the committed state: right
    /// parent, proposer, time (later than the parent's, at most the allowed
    /// drift ahead of `now_ms`), transactions, receipts and state root.
    ///
    /// Transaction signatures are checked unless the block is `certified`
    /// (a quorum's commit certificate, already verified, names it) or this
    /// node does not vote: such a node commits only certified blocks, and
    /// validators holding more than a third of the power, honest by the
    /// chain's assumption, precommitted each one only after checking every
    /// signature in it (ADR 0007).
    pub fn validate_block(
        &self,
        block: Block,
        expected_proposer: Address,
        now_ms: u64,
        certified: bool,
        known: Option<KnownHashes>,
    ) -> Result<Prepared, String> {
        let head = self.head();
        let Block { header, txs } = block;
        let h = &header;
        let expect = |ok: bool, what: &str| {
            if ok {
                Ok(())
            } else {
                Err(format!("proposed block {}: {what}", h.height))
            }
        };
        expect(h.chain_id == self.genesis.chain_id, "wrong chain id")?;
        expect(h.height == head.height + 1, "wrong height")?;
        expect(h.prev_hash == head.hash, "wrong parent")?;
        expect(
            h.proposer == expected_proposer,
            "not from this round's proposer",
        )?;
        expect(h.time_ms > head.time_ms, "time not after the parent's")?;
        expect(
            h.time_ms <= now_ms + self.cfg.consensus.clock_drift_max_ms,
            "time too far ahead of this node's clock",
        )?;
        expect(
            h.validators_hash == self.validators_hash(),
            "wrong validator set",
        )?;
        let tx_hashes: Vec<Hash> = match known {
            Some(KnownHashes(h)) if h.len() == txs.len() => h,
            _ => txs.iter().map(|t| t.hash()).collect(),
        };
        let tx_root = tx_root_of(&tx_hashes);
        expect(tx_root == h.tx_root, "transaction root mismatch")?;
        let ctx = Ctx {
            chain_id: h.chain_id.clone(),
            height: h.height,
            time_ms: h.time_ms,
        };
        // Each signature is verified once on this node: those it verified
        // before (on admission, or in another round's block) are known; the
        // rest are verified here as a batch on every core.
        let hashed: Vec<(&yui_ledger::SignedTransaction, Hash)> =
            txs.iter().zip(tx_hashes.iter().copied()).collect();
        if !certified && self.votes() {
            let verdicts = self.verified.verify(&hashed, verified::threads());
            if let Some((i, Err(e))) = verdicts.into_iter().enumerate().find(|(_, v)| v.is_err()) {
                let e = yui_ledger::TxError::from(e);
                return Err(format!("proposed block {}: transaction {i}: {e}", h.height));
            }
        }
        let mut ex = BlockExecutor::begin(&self.store, ctx.clone()).map_err(|e| e.to_string())?;
        for (i, (tx, hash)) in hashed.iter().enumerate() {
            ex.push_hashed(tx, *hash, true)
                .map_err(|e| format!("proposed block {}: transaction {i}: {e}", h.height))?;
        }
        let outcome = ex.finish();
        drop(hashed);
        let p = self.seal(
            ctx,
            h.proposer,
            h.prev_hash,
            (txs, tx_hashes, tx_root),
            outcome,
        )?;
        expect(
            p.block.header == *h,
            "receipts or state root differ from this node's execution",
        )?;
        Ok(p)
    }

    /// Makes a decided block durable with its certificate, then tells the
    /// mempool, the waiting submitters and the subscribers.
    pub fn commit(&self, p: Prepared, certificate: CommitCertificate) -> Result<(), StoreError> {
        let block = &p.block;
        if certificate.block_hash != block.hash() || certificate.height != block.header.height {
            return Err(StoreError::Invalid(
                "certificate does not name this block".into(),
            ));
        }
        crash_point::reach(Point::CommitBeforeWrite, block.header.height);
        let size = self
            .store
            .commit_block(block, &certificate, &p.outcome, &p.tree)?;
        crash_point::reach(Point::CommitAfterWrite, block.header.height);
        // The block's start may have applied a validator change: the state now
        // names the set of the next height. A block that did not write the
        // set's record leaves the set as it was (building it checks and
        // decodes every validator's key).
        if p.outcome
            .writes
            .contains_key(&yui_ledger::state::keys::validators())
        {
            let v = validators_in(&self.store).map_err(|e| {
                StoreError::Invalid(format!("committed state names no valid validator set: {e}"))
            })?;
            let mut cur = self.validators.write().unwrap_or_else(|e| e.into_inner());
            if cur.set != v.set {
                tracing::info!(
                    height = block.header.height + 1,
                    validators = v.infos.len(),
                    "validator set changes"
                );
            }
            *cur = v;
        }
        let prev_time_ms = self.head().time_ms;
        *self.head.write().unwrap_or_else(|e| e.into_inner()) = Head {
            height: block.header.height,
            hash: block.hash(),
            state_root: block.header.state_root,
            time_ms: block.header.time_ms,
        };
        {
            let mut mp = self.mempool();
            let now = now_ms();
            let mut latencies = Vec::new();
            for h in &p.tx_hashes {
                if let Some(at) = mp.remove(h) {
                    latencies.push(now.saturating_sub(at));
                }
            }
            let failed = p
                .outcome
                .receipts
                .iter()
                .filter(|r| r.error.is_some())
                .count();
            self.metrics.block(
                block.txs.len(),
                size,
                block.header.time_ms.saturating_sub(prev_time_ms),
                failed,
                &latencies,
            );
            let mut signers: Vec<Address> = block.txs.iter().map(|t| t.tx.signer).collect();
            signers.sort();
            signers.dedup();
            let next: Vec<(Address, u64)> = signers
                .into_iter()
                .filter_map(|s| self.next_nonce(&s).ok().map(|n| (s, n)))
                .collect();
            let evicted =
                mp.after_commit(&next, block.header.height, block.header.time_ms, now_ms());
            if evicted > 0 {
                tracing::debug!(evicted, "expired or gapped transactions left the mempool");
            }
        }
        {
            let mut w = lock(&self.waiters);
            for r in &p.outcome.receipts {
                for tx in w.take(&r.tx_hash) {
                    let _ = tx.send(r.clone());
                }
            }
        }
        let _ = self.committed.send(Arc::new(Committed {
            block: p.block,
            certificate,
            receipts: p.outcome.receipts,
            begin_events: p.outcome.begin_events,
        }));
        Ok(())
    }

    /// Registers interest in a transaction's receipt; `None` when
    /// [`WAITERS_MAX`] submissions wait already.
    pub fn wait_for(&self, h: Hash) -> Option<oneshot::Receiver<Receipt>> {
        let mut w = lock(&self.waiters);
        if w.count >= WAITERS_MAX {
            return None;
        }
        let (tx, rx) = oneshot::channel();
        w.by_tx.entry(h).or_default().push(tx);
        w.count += 1;
        Some(rx)
    }

    /// Forgets the waiters of `h` whose submitter has gone (answered, timed
    /// out or disconnected): the cost is that transaction's, not every
    /// waiter's.
    pub fn forget_waiters(&self, h: &Hash) {
        let mut w = lock(&self.waiters);
        let Some(v) = w.by_tx.get_mut(h) else {
            return;
        };
        let before = v.len();
        v.retain(|s| !s.is_closed());
        let gone = before - v.len();
        if v.is_empty() {
            w.by_tx.remove(h);
        }
        w.count -= gone;
    }

    /// Submissions waiting for a receipt (a gauge for operators and tests).
    pub fn waiters_len(&self) -> usize {
        lock(&self.waiters).count
    }
}

/// Submissions waiting for their transaction's receipt at most: each holds
/// a channel until its commit or its timeout (at most a minute), so this
/// bounds what clients opening many connections can make a node keep.
pub const WAITERS_MAX: usize = 65_536;

/// Gossip batches of transactions (each at most
/// [`crate::network::batch::TX_BATCH_MAX`]) verified off the network task at once;
/// a batch beyond them is dropped (its transactions still reach this node
/// inside proposals, fetched when missing).
pub const GOSSIP_ADMISSIONS_MAX: usize = 8;

/// The submissions waiting for receipts, by transaction, and how many.
#[derive(Default)]
pub struct Waiters {
    by_tx: HashMap<Hash, Vec<oneshot::Sender<Receipt>>>,
    count: usize,
}

impl Waiters {
    /// Removes and returns the waiters of `h`.
    fn take(&mut self, h: &Hash) -> Vec<oneshot::Sender<Receipt>> {
        let v = self.by_tx.remove(h).unwrap_or_default();
        self.count -= v.len();
        v
    }
}

fn load_head(store: &Store, g: &Genesis) -> anyhow::Result<Head> {
    let h = store.last_height()?.unwrap_or(0);
    if h == 0 {
        let root = commitment::root(store, 0)
            .map_err(|e| anyhow::anyhow!(e))?
            .unwrap_or_default();
        return Ok(Head {
            height: 0,
            hash: g.hash(),
            state_root: root,
            time_ms: g.genesis_time_ms,
        });
    }
    let b = store
        .block(h)?
        .ok_or_else(|| anyhow::anyhow!("store says height {h} is committed but holds no block"))?;
    Ok(Head {
        height: h,
        hash: b.hash(),
        state_root: b.header.state_root,
        time_ms: b.header.time_ms,
    })
}

#[cfg(test)]
#[path = "chain_tests.rs"]
mod tests;
