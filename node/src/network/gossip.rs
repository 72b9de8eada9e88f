//! Checking what arrives by gossip and handing it on. Nothing here trusts
//! the peer: every message is decoded with bounds and its signatures are
//! checked before it reaches the mempool or the engine.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use libp2p::{PeerId, gossipsub};
use tokio::sync::mpsc;
use yui_consensus::{Input, Proposal};
use yui_ledger::{Block, Hash, SignedTransaction, TxError};

use super::batch::TX_BATCH_MAX;
use super::recent::Recent;
use super::{NetCommand, NetMessage, peer_id_of};
use crate::chain::{Admit, AdmitError, KnownHashes, Shared};
use crate::engine::EngineEvent;
use crate::vote_journal::Source;

/// What to do with a message that checked out.
pub enum Next {
    /// Forward it to the mesh.
    Relay,
    /// Keep it here: transaction batches travel one hop.
    Keep,
    /// Forward it, and fetch the proposed block from `peer`: this node does
    /// not hold all of its transactions.
    Fetch {
        proposal: Box<Proposal>,
        peer: PeerId,
    },
}

pub enum Bad {
    /// Not worth forwarding, not the sender's fault (e.g. a stale message).
    Ignore(String),
    /// Malformed or forged: counts against the peer.
    Reject(String),
}

/// The peer a message came through, and who else is connected.
pub struct From<'a> {
    pub peer: PeerId,
    pub connected: &'a BTreeMap<PeerId, ()>,
}

/// A message that fails verification against the set of the next height
/// counts against its sender unless it is for a later height, whose deciding
/// set this node may not know yet (governance can change it): that one is
/// only ignored. A stale message of a validator that has just left could
/// also fail here; the ban needs many bad messages, so such stragglers do
/// not get an honest peer banned.
fn judge(height: u64, head: u64, why: String) -> Bad {
    if height <= head.saturating_add(1) {
        Bad::Reject(why)
    } else {
        Bad::Ignore(why)
    }
}

/// Checks a gossip message's bytes and hands the message on. `resent`:
/// they came inside a [`NetMessage::Again`], which may hold only a
/// proposal or a vote (so this recursion is one deep).
pub fn on_gossip(
    data: &[u8],
    resent: bool,
    shared: &Arc<Shared>,
    engine: &mpsc::Sender<EngineEvent>,
    commands: &mpsc::Sender<NetCommand>,
    (heights, recent): (&mut HashMap<PeerId, u64>, &mut Recent),
    from: From<'_>,
) -> Result<Next, Bad> {
    let m: NetMessage =
        borsh::from_slice(data).map_err(|e| Bad::Reject(format!("undecodable message: {e}")))?;
    let chain = &shared.genesis.chain_id;
    let head = shared.head().height;
    match m {
        // A re-sent proposal or vote is judged like the first sending.
        NetMessage::Again { .. } | NetMessage::Txs(_) if resent => Err(Bad::Reject(
            "a re-send of something other than a proposal or a vote".into(),
        )),
        NetMessage::Again { message, .. } => on_gossip(
            &message,
            true,
            shared,
            engine,
            commands,
            (heights, recent),
            from,
        ),
        NetMessage::Txs(txs) => {
            if txs.is_empty() || txs.len() > TX_BATCH_MAX {
                return Err(Bad::Reject(format!(
                    "a batch of {} transactions",
                    txs.len()
                )));
            }
            let hashed: Vec<(SignedTransaction, Hash)> = txs
                .into_iter()
                .map(|t| {
                    let h = t.hash();
                    (t, h)
                })
                .collect();
            // A node that does not vote proposes nothing and commits only
            // certified blocks: it keeps the transactions to rebuild
            // proposals from and spends nothing on checking them (ADR 0007),
            // nor on a copy of them.
            if shared.votes() {
                recent.insert_all(&hashed);
                admit_off_task(shared.clone(), commands.clone(), from.peer, hashed);
            } else {
                recent.take_all(hashed);
            }
            Ok(Next::Keep)
        }
        NetMessage::Vote(v) => {
            v.verify(chain, &shared.validators())
                .map_err(|e| judge(v.height, head, format!("vote: {e}")))?;
            shared.journal_vote(Source::Received, &v);
            note_height(heights, &from.peer, v.height);
            if v.height <= head {
                return Err(Bad::Ignore(format!(
                    "vote for committed height {}",
                    v.height
                )));
            }
            // Checked against the set of height head + 1: the core trusts
            // the check only for a vote of that height.
            let input = if v.height == head + 1 {
                Input::VerifiedVote(v)
            } else {
                Input::Vote(v)
            };
            engine
                .try_send(EngineEvent::Core(input))
                .map_err(|_| Bad::Ignore("engine busy".into()))?;
            Ok(Next::Relay)
        }
        NetMessage::Proposal {
            proposal,
            header,
            tx_hashes,
        } => {
            let validators = shared.validators();
            proposal
                .verify(chain, &validators)
                .map_err(|e| judge(proposal.height, head, format!("proposal: {e}")))?;
            if header.hash() != proposal.block_hash {
                return Err(Bad::Reject("proposal names another block".into()));
            }
            note_height(heights, &from.peer, proposal.height);
            if proposal.height <= head {
                return Err(Bad::Ignore(format!(
                    "proposal for committed height {}",
                    proposal.height
                )));
            }
            let txs = {
                let mp = shared.mempool();
                tx_hashes
                    .iter()
                    .map(|h| mp.get(h).cloned().or_else(|| recent.get(h).cloned()))
                    .collect::<Option<Vec<SignedTransaction>>>()
            };
            let Some(txs) = txs else {
                // The proposer holds the block; else the peer that relayed it.
                let peer = validators
                    .get(proposal.proposer)
                    .and_then(|v| peer_id_of(&v.public_key))
                    .filter(|p| from.connected.contains_key(p))
                    .unwrap_or(from.peer);
                return Ok(Next::Fetch {
                    proposal: Box::new(proposal),
                    peer,
                });
            };
            tracing::debug!(
                height = proposal.height,
                round = proposal.round,
                peer = %from.peer,
                "proposal received with all its transactions"
            );
            let block = Box::new(Block {
                header: *header,
                txs,
            });
            // Each transaction was found under the hash this node computed
            // when it took it in, so the list is the transactions' hashes.
            // Checked above against the set of height head + 1: the core
            // trusts the check only for a proposal of that height.
            let verified = proposal.height == head + 1;
            engine
                .try_send(EngineEvent::Proposal {
                    proposal,
                    block,
                    tx_hashes: Some(KnownHashes::admitted(tx_hashes)),
                    verified,
                })
                .map_err(|_| Bad::Ignore("engine busy".into()))?;
            Ok(Next::Relay)
        }
    }
}

/// Verifying and admitting is CPU work: off the network task, as one batch
/// on every core. Transactions that are malformed or carry bad signatures
/// count against the peer when the check is done.
fn admit_off_task(
    shared: Arc<Shared>,
    commands: mpsc::Sender<NetCommand>,
    peer: PeerId,
    hashed: Vec<(SignedTransaction, Hash)>,
) {
    // Bounded: a peer flooding batches faster than this node verifies them
    // would otherwise queue blocking tasks without end. A batch dropped here
    // costs nothing lasting: its transactions arrive again in proposals.
    let Ok(permit) = shared.gossip_admissions.clone().try_acquire_owned() else {
        shared.metrics.refused("gossip.busy".into());
        tracing::debug!(%peer, txs = hashed.len(), "a gossip batch dropped: verification is busy");
        return;
    };
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let items: Vec<(&SignedTransaction, Hash)> = hashed.iter().map(|(t, h)| (t, *h)).collect();
        // On one thread: a relayed batch (tens of transactions under load)
        // waits on no wallet, and split over two threads it costs a
        // third more CPU per signature (`yui-bench verify`: 64 on one
        // thread 16.2 µs each, on two 10.6 µs of wall time, 21 of CPU),
        // CPU the cores' other work needs at full load.
        // What no honest peer sends: refused on the bytes alone.
        let forged = shared
            .admit_batch(&items, 1, Admit::Relayed)
            .iter()
            .filter(|r| {
                matches!(
                    r,
                    Err(AdmitError::Tx(
                        TxError::BadSignature(_)
                            | TxError::WrongChain { .. }
                            | TxError::TooLarge { .. }
                            | TxError::Malformed(_)
                            | TxError::FieldLength { .. }
                    ))
                )
            })
            .count();
        let bad = u32::try_from(forged).unwrap_or(u32::MAX);
        if bad > 0 {
            tracing::warn!(%peer, bad, "transactions with bad signatures or chain");
            let _ = commands.try_send(NetCommand::Penalise(peer, bad));
        }
    });
}

/// A peer that sends messages for height h has committed h − 1.
fn note_height(heights: &mut HashMap<PeerId, u64>, from: &PeerId, height: u64) {
    let h = heights.entry(*from).or_default();
    *h = (*h).max(height.saturating_sub(1));
}

/// The gossipsub settings of every node.
pub(super) fn config() -> anyhow::Result<gossipsub::Config> {
    gossipsub::ConfigBuilder::default()
        .max_transmit_size(super::GOSSIP_BYTES_MAX)
        .validate_messages()
        // Transactions, votes and proposals are signed by their authors and
        // checked by Yui; a gossip-layer signature would cost another
        // ed25519 check per received copy (before duplicates are dropped).
        // Only allow-listed peers behind the network key connect at all.
        .validation_mode(gossipsub::ValidationMode::Anonymous)
        .message_id_fn(|m: &gossipsub::Message| {
            gossipsub::MessageId::from(yui_ledger::crypto::sha256(&m.data).to_vec())
        })
        // A handful of validators: every peer in the mesh, publish to all.
        .mesh_n_low(1)
        .mesh_n(8)
        .mesh_n_high(16)
        .mesh_outbound_min(0)
        .flood_publish(true)
        .heartbeat_interval(std::time::Duration::from_millis(500))
        // How long a message's id is remembered, so that its copies from
        // other peers are dropped. Gossip refuses to publish an id it
        // remembers and forgets ids only when new messages arrive, so the
        // engine's re-sends travel as new bytes (`NetMessage::Again`).
        .duplicate_cache_time(std::time::Duration::from_secs(2))
        // A peer's queue of gossip waiting to be sent: past it gossip for
        // that peer is dropped and counted (`SlowPeer` below).
        .connection_handler_queue_len(super::GOSSIP_QUEUE_LEN)
        // The control part of one gossip RPC (lists of message ids: IHAVE,
        // IWANT, IDONTWANT). Gossipsub's default (16 KiB) is smaller than
        // an IHAVE it may send itself (up to 5,000 ids of 32 bytes), and a
        // receiver that meets a larger one closes the whole stream, with
        // whatever proposals and votes were in it after it.
        .max_control_message_size(super::GOSSIP_CONTROL_BYTES_MAX)
        .build()
        .map_err(|e| anyhow::anyhow!("gossipsub config: {e}"))
}

/// What the network task does with a gossip message, by `on_gossip`'s
/// verdict: forward it (and fetch its block), keep it, or drop it (counting
/// it against the peer when rejected).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Relay,
    Keep,
    Fetch,
    Ignore,
    Reject,
}

/// Checks one gossip message from `peer` as the network task does, from a
/// fresh start: no peer's height known, no transaction seen before, no
/// other peer connected, and an engine queue that takes a few events (the
/// fuzz target's way in). Call it inside a Tokio runtime: a transaction
/// batch is admitted on its blocking pool, after this returns.
pub fn check(shared: &Arc<Shared>, peer: PeerId, data: &[u8]) -> Verdict {
    let (engine, _events) = mpsc::channel(8);
    let (commands, _commands) = mpsc::channel(8);
    let mut heights = HashMap::new();
    let mut recent = Recent::new(64);
    let connected = BTreeMap::new();
    let from = From {
        peer,
        connected: &connected,
    };
    let verdict = on_gossip(
        data,
        false,
        shared,
        &engine,
        &commands,
        (&mut heights, &mut recent),
        from,
    );
    match verdict {
        Ok(Next::Relay) => Verdict::Relay,
        Ok(Next::Keep) => Verdict::Keep,
        Ok(Next::Fetch { .. }) => Verdict::Fetch,
        Err(Bad::Ignore(_)) => Verdict::Ignore,
        Err(Bad::Reject(_)) => Verdict::Reject,
    }
}
