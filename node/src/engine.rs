//! The engine: drives the pure consensus core with real time, storage and (with
//! several validators) the network. The loop around the core — outputs
//! carried out in order, each `Persist` durable before anything after it is
//! sent, the move to the next height, block sync — is the consensus crate's
//! [`Driver`], which the seeded simulation drives too; the engine is its
//! host over RocksDB, the network and tokio's timers.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use yui_consensus::core::{Input, Params, PersistentState, TimeoutKind};
use yui_consensus::driver::{Driver, Host, SyncRefusal};
use yui_consensus::{CommitCertificate, Hash, Message, ValidatorSet, Vote};
use yui_ledger::{Address, Block, BlockHeader, Keypair};

use crate::chain::{KnownHashes, Prepared, Shared, now_ms};
use crate::crash_point::{self, Point};
use crate::metrics::Stage;
use crate::vote_journal::Source;

/// Something for the engine to act on.
pub enum EngineEvent {
    /// An input for the consensus core (a timeout, or a vote from a peer).
    Core(Input),
    /// A block this node built for `(height, round)` as proposer.
    Built {
        height: u64,
        round: u32,
        prepared: Box<Prepared>,
    },
    /// A proposal from a peer with the full block.
    Proposal {
        proposal: yui_consensus::Proposal,
        block: Box<Block>,
        /// The hashes of the block's transactions, if this node computed
        /// them itself when it admitted each one (a block rebuilt from its
        /// own pool by the hashes the proposal lists): not computed again.
        tx_hashes: Option<KnownHashes>,
        /// The proposal's signature was checked against the set of its
        /// height: the core does not check it again.
        verified: bool,
    },
    /// A committed block with its certificate, fetched from a peer.
    Synced {
        block: Box<Block>,
        certificate: yui_consensus::CommitCertificate,
    },
    /// Time to re-send this validator's messages of the current height.
    Rebroadcast,
    /// The block builder failed (storage): the node cannot go on safely.
    BuildFailed(String),
}

/// How often a validator re-sends its signed messages of the current height:
/// Tendermint's liveness needs every message of a correct validator to
/// reach every correct validator eventually, and the network may lose some.
pub const REBROADCAST_INTERVAL_MS: u64 = 2_500;

/// Where the engine sends consensus messages. With one validator there is
/// nobody to send to; the network layer plugs in here.
pub trait Outbox: Send + 'static {
    fn broadcast(&mut self, msg: &Message, block: Option<&BlockRef>);
    /// Sends a message of the current height again (the engine does so every
    /// [`REBROADCAST_INTERVAL_MS`]): the network must carry it even if it
    /// carried the same message a moment ago.
    fn resend(&mut self, msg: &Message, block: Option<&BlockRef>) {
        self.broadcast(msg, block);
    }
}

/// What a proposal carries of its block: the header and the hashes of the
/// transactions (peers hold the transactions from gossip).
pub struct BlockRef {
    pub header: BlockHeader,
    pub tx_hashes: Vec<Hash>,
}

/// The outbox of a validator that is the whole network.
pub struct Alone;

impl Outbox for Alone {
    fn broadcast(&mut self, _msg: &Message, _block: Option<&BlockRef>) {}
}

pub struct Engine<O: Outbox> {
    /// The core of the current height and the loop around it, shared with
    /// the simulation (`yui_consensus::driver`).
    driver: Driver,
    host: NodeHost<O>,
    rx: mpsc::Receiver<EngineEvent>,
}

/// What the driver does through the node: RocksDB, the outbox, tokio's
/// timers, the block builder and the chain.
struct NodeHost<O: Outbox> {
    shared: Arc<Shared>,
    key_address: Option<Address>,
    tx: mpsc::Sender<EngineEvent>,
    /// Blocks prepared (built or validated) for the current height, by hash.
    prepared: HashMap<Hash, Prepared>,
    outbox: O,
    last_commit: Instant,
    /// A block from block sync, while the driver checks its certificate.
    synced: Option<Block>,
}

pub fn consensus_params(shared: &Shared) -> Params {
    let c = &shared.cfg.consensus;
    Params {
        timeout_propose_ms: c.timeout_propose_ms,
        timeout_prevote_ms: c.timeout_prevote_ms,
        timeout_precommit_ms: c.timeout_precommit_ms,
        timeout_delta_ms: c.timeout_delta_ms,
        ..Params::default()
    }
}

impl<O: Outbox> Engine<O> {
    /// Builds the engine at the height after the last committed block, resuming
    /// the persisted consensus state of that height if there is one.
    pub fn new(
        shared: Arc<Shared>,
        key: Option<Keypair>,
        outbox: O,
    ) -> anyhow::Result<(Self, mpsc::Sender<EngineEvent>)> {
        let height = shared.head().height + 1;
        let persisted = match shared.store.consensus_state()? {
            Some(b) => Some(borsh::from_slice::<PersistentState>(&b)?),
            None => None,
        };
        let key_address = key.as_ref().map(|k| k.address());
        let signing = key.map(|k| k.signing_key().clone());
        let (tx, rx) = mpsc::channel(4096);
        let host = NodeHost {
            shared: shared.clone(),
            key_address,
            tx: tx.clone(),
            prepared: HashMap::new(),
            outbox,
            last_commit: Instant::now(),
            synced: None,
        };
        let driver = Driver::new(
            &host,
            shared.genesis.chain_id.clone(),
            consensus_params(&shared),
            signing,
            height,
            persisted,
        );
        Ok((Self { driver, host, rx }, tx))
    }

    /// Runs until the event channel closes or storage fails.
    pub async fn run(mut self) -> anyhow::Result<()> {
        self.driver.start(&mut self.host)?;
        let tick = self.host.tx.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(REBROADCAST_INTERVAL_MS));
            loop {
                every.tick().await;
                if tick.send(EngineEvent::Rebroadcast).await.is_err() {
                    return;
                }
            }
        });
        while let Some(ev) = self.rx.recv().await {
            let host = &mut self.host;
            match ev {
                EngineEvent::Core(input) => self.driver.handle(host, input)?,
                EngineEvent::Built {
                    height,
                    round,
                    prepared,
                } => {
                    if height != self.driver.height() {
                        continue;
                    }
                    let hash = prepared.block.hash();
                    tokio::task::block_in_place(|| {
                        host.shared.store.save_pending_block(&prepared.block)
                    })?;
                    host.prepared.insert(hash, *prepared);
                    self.driver.built(host, height, round, hash)?;
                }
                EngineEvent::Proposal {
                    proposal,
                    block,
                    tx_hashes,
                    verified,
                } => {
                    // A block that is not the one the proposal names says
                    // nothing about the proposal: ignored, not judged.
                    if proposal.height != self.driver.height()
                        || block.hash() != proposal.block_hash
                    {
                        continue;
                    }
                    let block_valid = host.judge(&proposal, *block, tx_hashes);
                    self.driver
                        .proposal(host, proposal, block_valid, verified)?;
                }
                EngineEvent::Rebroadcast => {
                    for msg in self.driver.rebroadcast() {
                        let block = host.block_for(&msg);
                        host.outbox.resend(&msg, block.as_ref());
                    }
                }
                EngineEvent::BuildFailed(e) => anyhow::bail!("building a block failed: {e}"),
                EngineEvent::Synced { block, certificate } => {
                    let height = block.header.height;
                    host.synced = Some(*block);
                    let taken = self.driver.synced(host, &certificate);
                    self.host.synced = None;
                    match taken? {
                        Ok(()) | Err(SyncRefusal::NotNext { .. }) => {}
                        Err(refusal) => {
                            tracing::warn!(height, ?refusal, "synced block not taken")
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

impl<O: Outbox> Host for NodeHost<O> {
    type Error = anyhow::Error;

    fn persist(&mut self, state: &PersistentState) -> anyhow::Result<()> {
        let bytes = borsh::to_vec(state)?;
        // Synced only where it guards a signature: this node votes now.
        let sync = self.shared.votes();
        tokio::task::block_in_place(|| self.shared.store.save_consensus_state(&bytes, sync))?;
        crash_point::reach(Point::PersistBeforeSend, state.height);
        self.shared.set_round(state.round);
        Ok(())
    }

    fn broadcast(&mut self, msg: &Message) -> anyhow::Result<()> {
        if let Message::Vote(v) = msg {
            self.shared.journal_vote(Source::Signed, v);
        }
        let block = self.block_for(msg);
        self.outbox.broadcast(msg, block.as_ref());
        Ok(())
    }

    fn schedule_timeout(&mut self, kind: TimeoutKind, height: u64, round: u32, duration_ms: u64) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(duration_ms)).await;
            let _ = tx
                .send(EngineEvent::Core(Input::Timeout {
                    kind,
                    height,
                    round,
                }))
                .await;
        });
    }

    fn request_proposal(&mut self, height: u64, round: u32) {
        let Some(proposer) = self.key_address else {
            return;
        };
        let shared = self.shared.clone();
        let tx = self.tx.clone();
        let since = self.last_commit;
        tokio::spawn(async move {
            wait_for_content(&shared, since).await;
            let built = tokio::task::spawn_blocking(move || {
                let m = &shared.metrics;
                m.timed(Stage::Build, || shared.build_block(proposer, now_ms()))
            })
            .await;
            let event = match built {
                Ok(Ok(prepared)) => EngineEvent::Built {
                    height,
                    round,
                    prepared: Box::new(prepared),
                },
                Ok(Err(e)) => EngineEvent::BuildFailed(e),
                Err(e) => EngineEvent::BuildFailed(e.to_string()),
            };
            let _ = tx.send(event).await;
        });
    }

    fn commit(&mut self, certificate: &CommitCertificate) -> anyhow::Result<bool> {
        let height = certificate.height;
        let synced = self
            .synced
            .take()
            .filter(|b| b.header.height == height && b.hash() == certificate.block_hash);
        let caught_up = synced.is_some();
        let p = match (self.prepared.remove(&certificate.block_hash), synced) {
            (Some(p), _) => p,
            // Certified by a quorum: it is the block; its time was checked by them.
            (None, Some(block)) => {
                let proposer = block.header.proposer;
                self.shared
                    .validate_block(block, proposer, u64::MAX / 2, true, None)
                    .map_err(|e| anyhow::anyhow!("a certified block does not execute here: {e}"))?
            }
            (None, None) => match self.recover_prepared(certificate) {
                Ok(p) => p,
                Err(e) => {
                    // Block sync brings it (`EngineEvent::Synced`).
                    tracing::warn!(error = %e, "decided block not here yet; fetching it from peers");
                    return Ok(false);
                }
            },
        };
        tokio::task::block_in_place(|| {
            let m = &self.shared.metrics;
            m.timed(Stage::Commit, || self.shared.commit(p, certificate.clone()))
        })?;
        // The round says how often the validators had to try again: a
        // round above 0 is a proposal that timed out or was refused.
        let round = certificate.round;
        if caught_up {
            tracing::info!(height, round, "committed (caught up)");
        } else {
            tracing::info!(height, round, "committed");
        }
        self.prepared.clear();
        self.last_commit = Instant::now();
        Ok(true)
    }

    fn validators(&self, height: u64) -> ValidatorSet {
        // The chain holds the set of the height after its head, the only
        // height the driver asks about.
        debug_assert_eq!(height, self.shared.head().height + 1);
        self.shared.validators()
    }

    fn evidence(&mut self, first: Vote, second: Vote) -> anyhow::Result<()> {
        let key = borsh::to_vec(&(first.height, first.round, first.validator))?;
        let bytes = borsh::to_vec(&(first, second))?;
        tokio::task::block_in_place(|| self.shared.store.save_evidence(&key, &bytes))?;
        tracing::warn!("conflicting votes kept as evidence");
        Ok(())
    }

    fn dropped(&mut self, reason: &str) {
        tracing::debug!(%reason, "consensus input dropped");
    }
}

impl<O: Outbox> NodeHost<O> {
    /// The node's verdict on a proposed block: valid if this node built or
    /// already validated it, else executed now (and kept, for the commit).
    fn judge(
        &mut self,
        proposal: &yui_consensus::Proposal,
        block: Block,
        tx_hashes: Option<KnownHashes>,
    ) -> bool {
        if self.prepared.contains_key(&proposal.block_hash) {
            return true;
        }
        let proposer = self
            .shared
            .validators()
            .get(proposal.proposer)
            .map(|v| Address(v.public_key))
            .unwrap_or(Address::ZERO);
        match tokio::task::block_in_place(|| {
            self.shared.metrics.timed(Stage::Validate, || {
                self.shared
                    .validate_block(block, proposer, now_ms(), false, tx_hashes)
            })
        }) {
            Ok(p) => {
                if let Err(e) = self.shared.store.save_pending_block(&p.block) {
                    tracing::error!(error = %e, "cannot keep a proposed block");
                    return false;
                }
                self.prepared.insert(proposal.block_hash, p);
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "invalid proposed block");
                false
            }
        }
    }

    /// What a proposal carries of the block it names, from memory or from
    /// the pending store.
    fn block_for(&self, msg: &Message) -> Option<BlockRef> {
        let Message::Proposal(p) = msg else {
            return None;
        };
        match self.prepared.get(&p.block_hash) {
            Some(prep) => Some(BlockRef {
                header: prep.block.header.clone(),
                tx_hashes: prep.tx_hashes.clone(),
            }),
            None => self
                .shared
                .store
                .pending_block(p.height, &p.block_hash)
                .ok()
                .flatten()
                .map(|b| BlockRef {
                    tx_hashes: b.txs.iter().map(|t| t.hash()).collect(),
                    header: b.header,
                }),
        }
    }

    /// After a restart the decided block may only be in the pending store:
    /// execute it again (it was valid before the crash, on the same state).
    fn recover_prepared(&self, cert: &CommitCertificate) -> anyhow::Result<Prepared> {
        let block = self
            .shared
            .store
            .pending_block(cert.height, &cert.block_hash)?
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "decided block {} at height {} is not known here",
                    hex::encode(cert.block_hash),
                    cert.height
                )
            })?;
        let proposer = block.header.proposer;
        // The drift bound was checked when the block was first accepted.
        self.shared
            .validate_block(block, proposer, u64::MAX / 2, true, None)
            .map_err(|e| anyhow::anyhow!("decided block no longer executes: {e}"))
    }
}

/// Returns when the mempool holds a full block, or a transaction that has
/// waited there for the block interval, or when the empty-block interval has
/// passed since the last commit. The interval counts from the oldest waiting
/// transaction's admission, not from the last commit: what arrived while the
/// previous block was decided has waited already.
async fn wait_for_content(shared: &Shared, since: Instant) {
    let b = &shared.cfg.block;
    loop {
        let (waiting, oldest_ms) = shared.mempool().ready();
        let waited = Duration::from_millis(oldest_ms.map_or(0, |t| now_ms().saturating_sub(t)));
        let elapsed = since.elapsed();
        let interval = Duration::from_millis(b.interval_ms);
        let idle = Duration::from_millis(b.empty_interval_ms);
        if waiting >= b.txs_max || (waiting > 0 && waited >= interval) || elapsed >= idle {
            return;
        }
        if waiting > 0 {
            // Something to propose: look again when the interval is up (or
            // soon, in case a full block's worth arrives first), not on
            // every admission.
            let step = interval
                .saturating_sub(waited)
                .min(Duration::from_millis(5));
            tokio::time::sleep(step).await;
            continue;
        }
        let notified = shared.mempool_notify.notified();
        let _ = tokio::time::timeout(idle.saturating_sub(elapsed), notified).await;
    }
}
