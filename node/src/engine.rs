//! The engine: drives the pure consensus core with real time, storage and (with
//! several validators) the network. It carries out the core's outputs in
//! order, and makes each `Persist` durable before anything after it is sent.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use yui_consensus::core::{Core, Input, Output, Params, PersistentState};
use yui_consensus::{Hash, Message};
use yui_ledger::{Address, Block, BlockHeader, Keypair};

use crate::chain::{Prepared, Shared, now_ms};
use crate::crash_point::{self, Point};
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
    shared: Arc<Shared>,
    core: Core,
    key_address: Option<Address>,
    tx: mpsc::Sender<EngineEvent>,
    rx: mpsc::Receiver<EngineEvent>,
    /// Blocks prepared (built or validated) for the current height, by hash.
    prepared: HashMap<Hash, Prepared>,
    outbox: O,
    last_commit: Instant,
    key: Option<ed25519_dalek::SigningKey>,
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
        let state = match shared.store.consensus_state()? {
            Some(b) => {
                let s: PersistentState = borsh::from_slice(&b)?;
                if s.height == height {
                    s
                } else {
                    PersistentState::new(height)
                }
            }
            None => PersistentState::new(height),
        };
        let key_address = key.as_ref().map(|k| k.address());
        let signing = key.map(|k| k.signing_key().clone());
        let key_signing = signing.clone();
        let core = Core::new(
            shared.genesis.chain_id.clone(),
            consensus_params(&shared),
            signing,
            shared.validators(),
            state,
        );
        let (tx, rx) = mpsc::channel(4096);
        let engine = Self {
            shared,
            core,
            key_address,
            tx: tx.clone(),
            rx,
            prepared: HashMap::new(),
            outbox,
            last_commit: Instant::now(),
            key: key_signing,
        };
        Ok((engine, tx))
    }

    /// Runs until the event channel closes or storage fails.
    pub async fn run(mut self) -> anyhow::Result<()> {
        let first = self.core.start();
        self.carry_out(first)?;
        let tick = self.tx.clone();
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
            let outputs = match ev {
                EngineEvent::Core(input) => self.core.handle(input),
                EngineEvent::Built {
                    height,
                    round,
                    prepared,
                } => {
                    let hash = prepared.block.hash();
                    if height != self.core.height() {
                        continue;
                    }
                    tokio::task::block_in_place(|| {
                        self.shared.store.save_pending_block(&prepared.block)
                    })?;
                    self.prepared.insert(hash, *prepared);
                    self.core.handle(Input::ProposalValue {
                        height,
                        round,
                        block_hash: hash,
                    })
                }
                EngineEvent::Proposal { proposal, block } => self.on_proposal(proposal, *block),
                EngineEvent::Rebroadcast => {
                    for msg in self.core.rebroadcast() {
                        let block = self.block_for(&msg);
                        self.outbox.broadcast(&msg, block.as_ref());
                    }
                    continue;
                }
                EngineEvent::BuildFailed(e) => anyhow::bail!("building a block failed: {e}"),
                EngineEvent::Synced { block, certificate } => {
                    match self.on_synced(*block, certificate)? {
                        Some(out) => out,
                        None => continue,
                    }
                }
            };
            self.carry_out(outputs)?;
        }
        Ok(())
    }

    fn on_proposal(&mut self, proposal: yui_consensus::Proposal, block: Block) -> Vec<Output> {
        if proposal.height != self.core.height() || block.hash() != proposal.block_hash {
            return Vec::new();
        }
        let proposer = self
            .shared
            .validators()
            .get(proposal.proposer)
            .map(|v| Address(v.public_key))
            .unwrap_or(Address::ZERO);
        let block_valid = match self.prepared.get(&proposal.block_hash) {
            Some(_) => true,
            None => match tokio::task::block_in_place(|| {
                self.shared.validate_block(&block, proposer, now_ms())
            }) {
                Ok(p) => {
                    if let Err(e) = self.shared.store.save_pending_block(&p.block) {
                        tracing::error!(error = %e, "cannot keep a proposed block");
                        return Vec::new();
                    }
                    self.prepared.insert(proposal.block_hash, p);
                    true
                }
                Err(e) => {
                    tracing::warn!(error = %e, "invalid proposed block");
                    false
                }
            },
        };
        self.core.handle(Input::Proposal {
            proposal,
            block_valid,
        })
    }

    /// Carries out outputs in order; a commit moves to the next height and
    /// carries out what the new core says first.
    fn carry_out(&mut self, outputs: Vec<Output>) -> anyhow::Result<()> {
        let mut queue: VecDeque<Output> = outputs.into();
        while let Some(o) = queue.pop_front() {
            match o {
                Output::Persist(state) => {
                    let bytes = borsh::to_vec(&state)?;
                    tokio::task::block_in_place(|| self.shared.store.save_consensus_state(&bytes))?;
                    crash_point::reach(Point::PersistBeforeSend, state.height);
                    self.shared.set_round(state.round);
                }
                Output::Broadcast(msg) => {
                    if let Message::Vote(v) = &msg {
                        self.shared.journal_vote(Source::Signed, v);
                    }
                    let block = self.block_for(&msg);
                    self.outbox.broadcast(&msg, block.as_ref());
                }
                Output::ScheduleTimeout {
                    kind,
                    height,
                    round,
                    duration_ms,
                } => {
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
                Output::RequestProposal { height, round } => self.request_proposal(height, round),
                Output::Commit { certificate } => {
                    let p = match self.prepared.remove(&certificate.block_hash) {
                        Some(p) => p,
                        None => match self.recover_prepared(&certificate) {
                            Ok(p) => p,
                            Err(e) => {
                                tracing::warn!(error = %e, "decided block not here yet; fetching it from peers");
                                // Block sync brings it (`EngineEvent::Synced`).
                                let _ = certificate;
                                continue;
                            }
                        },
                    };
                    let height = certificate.height;
                    tokio::task::block_in_place(|| self.shared.commit(p, certificate))?;
                    tracing::info!(height, "committed");
                    self.prepared.clear();
                    self.last_commit = Instant::now();
                    self.core = self.core.clone().next_height(self.shared.validators());
                    queue.extend(self.core.start());
                }
                Output::Evidence { first, second } => {
                    let key = borsh::to_vec(&(first.height, first.round, first.validator))?;
                    let bytes = borsh::to_vec(&(first, second))?;
                    tokio::task::block_in_place(|| self.shared.store.save_evidence(&key, &bytes))?;
                    tracing::warn!("conflicting votes kept as evidence");
                }
                Output::Dropped { reason } => tracing::debug!(%reason, "consensus input dropped"),
            }
        }
        Ok(())
    }

    /// A block from block sync: if it is the next one, check its certificate,
    /// execute it, commit it, and move the consensus core to the height after.
    fn on_synced(
        &mut self,
        block: Block,
        certificate: yui_consensus::CommitCertificate,
    ) -> anyhow::Result<Option<Vec<Output>>> {
        let height = block.header.height;
        if height != self.shared.head().height + 1 {
            return Ok(None);
        }
        if let Err(e) = certificate.verify(&self.shared.genesis.chain_id, &self.shared.validators())
        {
            tracing::warn!(height, error = %e, "synced block with a bad certificate");
            return Ok(None);
        }
        if certificate.block_hash != block.hash() || certificate.height != height {
            tracing::warn!(height, "synced block does not match its certificate");
            return Ok(None);
        }
        // Certified by a quorum: it is the block; its time was checked by them.
        let p = match self
            .shared
            .validate_block(&block, block.header.proposer, u64::MAX / 2)
        {
            Ok(p) => p,
            Err(e) => anyhow::bail!("a certified block does not execute here: {e}"),
        };
        tokio::task::block_in_place(|| self.shared.commit(p, certificate))?;
        tracing::info!(height, "committed (caught up)");
        self.prepared.clear();
        self.last_commit = Instant::now();
        self.core = Core::new(
            self.shared.genesis.chain_id.clone(),
            consensus_params(&self.shared),
            self.key.clone(),
            self.shared.validators(),
            PersistentState::new(height + 1),
        );
        Ok(Some(self.core.start()))
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
    fn recover_prepared(
        &self,
        cert: &yui_consensus::CommitCertificate,
    ) -> anyhow::Result<Prepared> {
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
            .validate_block(&block, proposer, u64::MAX / 2)
            .map_err(|e| anyhow::anyhow!("decided block no longer executes: {e}"))
    }

    /// Waits until a block is worth proposing (enough transactions, or the
    /// interval has passed), then builds it off the engine's task.
    fn request_proposal(&self, height: u64, round: u32) {
        let Some(proposer) = self.key_address else {
            return;
        };
        let shared = self.shared.clone();
        let tx = self.tx.clone();
        let since = self.last_commit;
        tokio::spawn(async move {
            wait_for_content(&shared, since).await;
            let built =
                tokio::task::spawn_blocking(move || shared.build_block(proposer, now_ms())).await;
            match built {
                Ok(Ok(prepared)) => {
                    let _ = tx
                        .send(EngineEvent::Built {
                            height,
                            round,
                            prepared: Box::new(prepared),
                        })
                        .await;
                }
                Ok(Err(e)) => {
                    let _ = tx.send(EngineEvent::BuildFailed(e)).await;
                }
                Err(e) => {
                    let _ = tx.send(EngineEvent::BuildFailed(e.to_string())).await;
                }
            }
        });
    }
}

/// Returns when the mempool holds a full block, or holds something and the
/// block interval has passed, or the empty-block interval has passed.
async fn wait_for_content(shared: &Shared, since: Instant) {
    let b = &shared.cfg.block;
    loop {
        let waiting = shared.mempool().ready_len();
        let elapsed = since.elapsed();
        let interval = Duration::from_millis(b.interval_ms);
        let idle = Duration::from_millis(b.empty_interval_ms);
        if waiting >= b.txs_max || (waiting > 0 && elapsed >= interval) || elapsed >= idle {
            return;
        }
        if waiting > 0 {
            // Something to propose: look again when the interval is up (or
            // soon, in case a full block's worth arrives first), not on
            // every admission.
            let step = interval
                .saturating_sub(elapsed)
                .min(Duration::from_millis(5));
            tokio::time::sleep(step).await;
            continue;
        }
        let notified = shared.mempool_notify.notified();
        let _ = tokio::time::timeout(idle.saturating_sub(elapsed), notified).await;
    }
}
