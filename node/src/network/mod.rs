//! The peer-to-peer network (libp2p): TCP behind a private-network key
//! (`pnet`), Noise encryption and authentication, yamux streams.
//!
//! - Only allow-listed peers connect: the validators of genesis (their libp2p
//!   identity is their validator key) and the observers named in the config.
//!   Unknown peers are closed after the handshake; the pre-shared key keeps
//!   strangers from completing one at all.
//! - Gossipsub carries consensus messages (proposals with their block, votes)
//!   and transactions, unsigned at the gossip layer (their authors signed
//!   them). Message ids are content hashes; every message is checked before
//!   it is forwarded, and a peer that keeps sending bad ones is
//!   disconnected and banned for a while.
//! - Request-response carries block sync: a node asks a peer for committed
//!   blocks with their certificates from its own height on.
//!
//! Every message and queue is bounded (see the constants below).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use borsh::{BorshDeserialize, BorshSerialize};
use futures::StreamExt;
use libp2p::core::transport::upgrade::Version;
use libp2p::gossipsub::{self, IdentTopic, MessageAcceptance, MessageAuthenticity};
use libp2p::identity;
use libp2p::pnet::{PnetConfig, PreSharedKey};
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{
    Multiaddr, PeerId, StreamProtocol, Transport, allow_block_list, connection_limits, noise, tcp,
    yamux,
};
use tokio::sync::mpsc;
use yui_consensus::{Message, Proposal};
use yui_ledger::{BlockHeader, Hash, SignedTransaction};

use crate::chain::Shared;
use crate::engine::EngineEvent;

pub mod batch;
mod gossip;
mod recent;
pub mod sync;

use batch::{TX_BATCH_MAX, TX_BATCH_MS, next_batch_ms};
/// The gossip check on its own, for the fuzz target.
pub use gossip::{Verdict as GossipVerdict, check as check_gossip};
use recent::Recent;
pub use sync::{
    SYNC_BLOCKS_MAX, SYNC_REQUEST_BYTES_MAX, SYNC_RESPONSE_BYTES_MAX, SyncCodec, SyncRequest,
    SyncResponse,
};

/// Largest gossip message (a batch of transactions, or a proposal with
/// the hashes of its block's transactions).
pub const GOSSIP_BYTES_MAX: usize = 4 * 1024 * 1024;
/// How often a node asks a peer for blocks past its head.
pub const SYNC_INTERVAL_MS: u64 = 1_000;
/// Sync ticks between redials of validators this node is not connected to.
const REDIAL_TICKS: u64 = 5;
/// Rejected messages from one peer before it is disconnected and banned.
pub const BAD_MESSAGES_MAX: u32 = 50;
/// How long a ban lasts.
pub const BAN_MS: u64 = 60_000;
/// Commands waiting for the network task.
pub const COMMANDS_MAX: usize = 4_096;
/// Connections per peer.
pub const CONNECTIONS_PER_PEER_MAX: u32 = 2;

pub const CONSENSUS_TOPIC: &str = "yui/consensus/2";
pub const TX_TOPIC: &str = "yui/tx/2";
const SYNC_PROTOCOL: &str = "/yui/sync/2";
/// Proposals whose blocks are being fetched at once.
pub const FETCHES_MAX: usize = 16;

/// What travels on gossip topics (borsh).
#[derive(Debug, Clone, BorshSerialize, BorshDeserialize)]
pub enum NetMessage {
    /// A proposal with its block's header and the hashes of its
    /// transactions, which peers already hold from transaction gossip; a
    /// peer missing some fetches the whole block ([`SyncRequest::Proposed`]).
    Proposal {
        proposal: Proposal,
        header: Box<BlockHeader>,
        tx_hashes: Vec<Hash>,
    },
    Vote(yui_consensus::Vote),
    /// Transactions admitted by the sender, batched so that consensus
    /// messages never queue behind thousands of small ones.
    Txs(Vec<SignedTransaction>),
    /// A validator's proposal or vote of the current height sent again
    /// ([`crate::engine::Outbox::resend`]): `message` holds the borsh bytes
    /// of a `Proposal` or `Vote` message. Gossip refuses to publish bytes it
    /// has seen within `duplicate_cache_time`, and forgets them only when a
    /// new message arrives: while the chain waits for a lost vote, nothing
    /// new arrives, and a plain re-send would never leave the node.
    /// `attempt`, counted by the sender, makes each re-send new bytes.
    Again {
        attempt: u64,
        message: Vec<u8>,
    },
}

/// Asks for the network task to do something.
pub enum NetCommand {
    Publish(NetMessage),
    /// A transaction admitted here, to gossip in the next batch.
    Gossip(Box<SignedTransaction>),
    /// A peer sent this many transactions with bad signatures.
    Penalise(PeerId, u32),
}

/// The network settings of a node.
#[derive(Debug, Clone)]
pub struct NetConfig {
    pub listen: Multiaddr,
    pub peers: Vec<Multiaddr>,
    pub observers: Vec<PeerId>,
    pub psk: [u8; 32],
}

/// The libp2p peer id of an ed25519 validator or observer key.
pub fn peer_id_of(public_key: &[u8; 32]) -> Option<PeerId> {
    let pk = identity::ed25519::PublicKey::try_from_bytes(public_key).ok()?;
    Some(identity::PublicKey::from(pk).to_peer_id())
}

#[derive(NetworkBehaviour)]
pub struct Behaviour {
    pub allow: allow_block_list::Behaviour<allow_block_list::AllowedPeers>,
    pub limits: connection_limits::Behaviour,
    pub gossip: gossipsub::Behaviour,
    pub sync: request_response::Behaviour<SyncCodec>,
}

/// The running network: a task owning the libp2p swarm.
pub struct Network {
    pub commands: mpsc::Sender<NetCommand>,
}

/// What the network task keeps besides the swarm.
struct NetState {
    book: PeerBook,
    /// Transactions received by gossip, by hash: proposed blocks are
    /// rebuilt from them.
    recent: Recent,
    /// Proposals whose blocks are being fetched, by request.
    fetching: HashMap<request_response::OutboundRequestId, Proposal>,
}

struct PeerBook {
    /// Highest height each peer is known to have committed.
    heights: HashMap<PeerId, u64>,
    bad: HashMap<PeerId, u32>,
    banned: HashMap<PeerId, Instant>,
    connected: BTreeMap<PeerId, ()>,
    /// Connected validators whose gossip subscriptions this node has not
    /// heard, since when ([`heal_gossip`]).
    silent: HashMap<PeerId, Instant>,
}

impl Network {
    /// Starts the network task. `seed` is this node's ed25519 secret, which is
    /// also its libp2p identity.
    pub fn start(
        cfg: NetConfig,
        seed: [u8; 32],
        shared: Arc<Shared>,
        engine: mpsc::Sender<EngineEvent>,
        commands: mpsc::Sender<NetCommand>,
        rx: mpsc::Receiver<NetCommand>,
    ) -> anyhow::Result<Self> {
        let key = identity::Keypair::ed25519_from_bytes(seed)?;
        let mut swarm = build_swarm(&key, &cfg)?;
        admit_validators(&mut swarm, &shared);
        for p in &cfg.observers {
            swarm.behaviour_mut().allow.allow_peer(*p);
        }
        swarm
            .behaviour_mut()
            .gossip
            .subscribe(&IdentTopic::new(CONSENSUS_TOPIC))?;
        swarm
            .behaviour_mut()
            .gossip
            .subscribe(&IdentTopic::new(TX_TOPIC))?;
        swarm.listen_on(cfg.listen.clone()).map_err(|e| {
            // libp2p's error displays nothing; its source is the cause.
            let why = std::error::Error::source(&e).map_or(e.to_string(), |c| c.to_string());
            anyhow::anyhow!(
                "cannot listen for peers on {} (p2p.listen): {why}",
                cfg.listen
            )
        })?;
        for addr in &cfg.peers {
            if let Err(e) = swarm.dial(addr.clone()) {
                tracing::warn!(%addr, error = %e, "cannot dial peer");
            }
        }
        tokio::spawn(run(swarm, rx, shared, engine, commands.clone(), cfg.peers));
        Ok(Self { commands })
    }
}

/// Builds the libp2p swarm of a node (also used by tests that play a bad peer).
pub fn build_swarm(
    key: &identity::Keypair,
    cfg: &NetConfig,
) -> anyhow::Result<libp2p::Swarm<Behaviour>> {
    let psk = PreSharedKey::new(cfg.psk);
    let noise = noise::Config::new(key)?;
    let transport = tcp::tokio::Transport::new(tcp::Config::default().nodelay(true))
        .and_then(move |socket, _| PnetConfig::new(psk).handshake(socket))
        .upgrade(Version::V1)
        .authenticate(noise)
        .multiplex(yamux::Config::default())
        .timeout(Duration::from_secs(20))
        .boxed();
    let gossip = gossipsub::Behaviour::new(MessageAuthenticity::Anonymous, gossip::config()?)
        .map_err(|e| anyhow::anyhow!("gossipsub: {e}"))?;
    let sync = request_response::Behaviour::with_codec(
        SyncCodec,
        [(StreamProtocol::new(SYNC_PROTOCOL), ProtocolSupport::Full)],
        request_response::Config::default().with_request_timeout(Duration::from_secs(10)),
    );
    let limits = connection_limits::Behaviour::new(
        connection_limits::ConnectionLimits::default()
            .with_max_established_per_peer(Some(CONNECTIONS_PER_PEER_MAX))
            .with_max_established(Some(64))
            .with_max_pending_incoming(Some(16)),
    );
    let behaviour = Behaviour {
        allow: Default::default(),
        limits,
        gossip,
        sync,
    };
    Ok(libp2p::SwarmBuilder::with_existing_identity(key.clone())
        .with_tokio()
        .with_other_transport(|_| transport)?
        .with_behaviour(|_| behaviour)?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(3_600)))
        .build())
}

async fn run(
    mut swarm: libp2p::Swarm<Behaviour>,
    mut commands: mpsc::Receiver<NetCommand>,
    shared: Arc<Shared>,
    engine: mpsc::Sender<EngineEvent>,
    own: mpsc::Sender<NetCommand>,
    bootstrap: Vec<Multiaddr>,
) {
    let book = PeerBook {
        heights: HashMap::new(),
        bad: HashMap::new(),
        banned: HashMap::new(),
        connected: BTreeMap::new(),
        silent: HashMap::new(),
    };
    let mut sync_tick = tokio::time::interval(Duration::from_millis(SYNC_INTERVAL_MS));
    let mut next_sync_peer = 0usize;
    let mut sync_ticks = 0u64;
    let mut batch: Vec<SignedTransaction> = Vec::new();
    let mut batch_ms = TX_BATCH_MS;
    let mut batch_tick = tokio::time::interval(Duration::from_millis(batch_ms));
    let mut net = NetState {
        book,
        recent: Recent::new(recent::RECENT_MAX),
        fetching: HashMap::new(),
    };
    loop {
        tokio::select! {
            cmd = commands.recv() => match cmd {
                None => return,
                Some(NetCommand::Publish(msg)) => {
                    // Peers learn a block's transactions before its proposal.
                    if matches!(msg, NetMessage::Proposal { .. }) && !batch.is_empty() {
                        publish(&mut swarm, &NetMessage::Txs(std::mem::take(&mut batch)));
                    }
                    publish(&mut swarm, &msg)
                }
                Some(NetCommand::Gossip(tx)) => {
                    batch.push(*tx);
                    if batch.len() >= TX_BATCH_MAX {
                        publish(&mut swarm, &NetMessage::Txs(std::mem::take(&mut batch)));
                    }
                }
                Some(NetCommand::Penalise(peer, n)) => penalise(&mut swarm, &mut net.book, peer, n),
            },
            _ = batch_tick.tick() => {
                let sent = batch.len();
                if sent > 0 {
                    publish(&mut swarm, &NetMessage::Txs(std::mem::take(&mut batch)));
                }
                let next = next_batch_ms(batch_ms, sent);
                if next != batch_ms {
                    batch_ms = next;
                    batch_tick = tokio::time::interval(Duration::from_millis(batch_ms));
                    batch_tick.reset(); // else its first tick is at once
                }
            }
            _ = sync_tick.tick() => {
                admit_validators(&mut swarm, &shared);
                // The validator set may have changed with a block.
                tx_gossip_snapshot(&swarm, &shared);
                heal_gossip(&mut swarm, &shared, &mut net.book);
                request_sync(&mut swarm, &shared, &net.book, &mut next_sync_peer, &bootstrap);
                redial_validators(&mut swarm, &shared, &mut net.book, &bootstrap, &mut sync_ticks);
                net.book.banned.retain(|_, until| until.elapsed() < Duration::from_millis(BAN_MS));
            }
            ev = swarm.select_next_some() => on_swarm_event(&mut swarm, ev, &shared, &engine, &own, &mut net).await,
        }
    }
}

/// Allows the validators the chain names (now, or approved to join later)
/// to connect. A validator that leaves the set stays allowed: it keeps
/// following the chain it helped decide.
fn admit_validators(swarm: &mut libp2p::Swarm<Behaviour>, shared: &Shared) {
    for k in shared.validator_keys_to_admit() {
        if let Some(p) = peer_id_of(&k.0) {
            swarm.behaviour_mut().allow.allow_peer(p);
        }
    }
}

fn publish(swarm: &mut libp2p::Swarm<Behaviour>, msg: &NetMessage) {
    let topic = match msg {
        NetMessage::Txs(_) => TX_TOPIC,
        _ => CONSENSUS_TOPIC,
    };
    let bytes = borsh::to_vec(msg).unwrap_or_default();
    if let Err(e) = swarm
        .behaviour_mut()
        .gossip
        .publish(IdentTopic::new(topic), bytes)
    {
        tracing::debug!(error = %e, "publish failed");
    }
}

/// Counts bad messages against a peer; past the limit it is disconnected and banned.
fn penalise(swarm: &mut libp2p::Swarm<Behaviour>, book: &mut PeerBook, peer: PeerId, n: u32) {
    let bad = book.bad.entry(peer).or_default();
    *bad = bad.saturating_add(n);
    if *bad > BAD_MESSAGES_MAX {
        tracing::warn!(%peer, "too many bad messages: disconnecting and banning");
        book.bad.remove(&peer);
        book.banned.insert(peer, Instant::now());
        let _ = swarm.disconnect_peer_id(peer);
    }
}

/// Every few seconds, dials each validator of the set this node is not
/// connected to, at the configured peer addresses. When two nodes start at
/// once under load, each one's first dial can find the other not yet
/// listening; without this they would never meet (the peer id makes the
/// handshake fail at every address but its own, and a connected validator
/// is not dialed again).
fn redial_validators(
    swarm: &mut libp2p::Swarm<Behaviour>,
    shared: &Shared,
    book: &mut PeerBook,
    bootstrap: &[Multiaddr],
    ticks: &mut u64,
) {
    *ticks += 1;
    if bootstrap.is_empty() || !(*ticks).is_multiple_of(REDIAL_TICKS) {
        return;
    }
    let me = *swarm.local_peer_id();
    for v in shared.validator_infos() {
        let Some(p) = peer_id_of(&v.public_key.0) else {
            continue;
        };
        if p == me || book.connected.contains_key(&p) || book.banned.contains_key(&p) {
            continue;
        }
        let opts = libp2p::swarm::dial_opts::DialOpts::peer_id(p)
            .addresses(bootstrap.to_vec())
            .condition(libp2p::swarm::dial_opts::PeerCondition::DisconnectedAndNotDialing)
            .build();
        if let Err(e) = swarm.dial(opts) {
            tracing::debug!(peer = %p, error = %e, "cannot redial validator");
        }
    }
}

/// Asks one connected peer, in turn, for the blocks after our head.
fn request_sync(
    swarm: &mut libp2p::Swarm<Behaviour>,
    shared: &Shared,
    book: &PeerBook,
    next: &mut usize,
    bootstrap: &[Multiaddr],
) {
    let peers: Vec<PeerId> = book.connected.keys().copied().collect();
    if peers.is_empty() {
        for addr in bootstrap {
            let _ = swarm.dial(addr.clone());
        }
        return;
    }
    let head = shared.head().height;
    // Prefer a peer known to be ahead; else rotate through everyone.
    let ahead: Vec<&PeerId> = peers
        .iter()
        .filter(|p| book.heights.get(p).is_some_and(|h| *h > head))
        .collect();
    let peer = match ahead.first() {
        Some(p) => **p,
        None => {
            *next = (*next + 1) % peers.len();
            peers[*next]
        }
    };
    swarm.behaviour_mut().sync.send_request(
        &peer,
        SyncRequest::Blocks {
            from_height: head + 1,
            max: SYNC_BLOCKS_MAX,
        },
    );
}

fn peers_snapshot(shared: &Shared, book: &PeerBook) {
    if let Ok(mut p) = shared.peers.write() {
        *p = book.connected.keys().map(|p| p.to_string()).collect();
    }
}

/// The peers that have told this node they take transactions by gossip.
fn tx_takers(swarm: &libp2p::Swarm<Behaviour>) -> BTreeSet<PeerId> {
    let topic = IdentTopic::new(TX_TOPIC).hash();
    swarm
        .behaviour()
        .gossip
        .all_peers()
        .filter(|(_, topics)| topics.contains(&&topic))
        .map(|(p, _)| *p)
        .collect()
}

/// Largest control part of one gossip RPC: 5,000 message ids of 32 bytes
/// with their framing fit more than twice.
pub const GOSSIP_CONTROL_BYTES_MAX: usize = 512 * 1024;

/// Gossip messages waiting for one peer before more are dropped (votes
/// reach it by relays and re-sends; transactions with the block it fetches
/// when a proposal names some it lacks): about a second of a busy chain's
/// transaction batches, votes and their relays.
pub const GOSSIP_QUEUE_LEN: usize = 256;

/// A validator connected this long without this node having heard its
/// gossip subscriptions is reconnected.
const GOSSIP_SILENT_MS: u64 = 5_000;

/// libp2p's gossipsub announces a node's subscriptions to a peer once, on
/// the first connection between them. Validators dial each other, so two
/// connections can form, and that announcement can be lost with the one
/// that closes: the validator stays connected, and this node never counts
/// it as taking its transactions (`tx_gossip_missing` stays above zero and
/// the Transactions service reports NOT_SERVING). After
/// [`GOSSIP_SILENT_MS`] of that, this node closes every connection to it;
/// the next connection is a first one again, and both sides announce their
/// subscriptions (validators are redialed every few seconds).
fn heal_gossip(swarm: &mut libp2p::Swarm<Behaviour>, shared: &Shared, book: &mut PeerBook) {
    let taking = tx_takers(swarm);
    let me = *swarm.local_peer_id();
    let silent: BTreeSet<PeerId> = shared
        .validator_infos()
        .iter()
        .filter_map(|v| peer_id_of(&v.public_key.0))
        .filter(|p| *p != me && book.connected.contains_key(p) && !taking.contains(p))
        .collect();
    book.silent.retain(|p, _| silent.contains(p));
    for p in silent {
        let since = *book.silent.entry(p).or_insert_with(Instant::now);
        if since.elapsed() >= Duration::from_millis(GOSSIP_SILENT_MS) {
            tracing::warn!(peer = %p, "validator connected but its gossip subscriptions never arrived; reconnecting");
            let _ = swarm.disconnect_peer_id(p);
            book.silent.remove(&p);
        }
    }
}

/// How many peers have told this node they take transactions by gossip
/// (what a transaction submitted here reaches at once), and how many of the
/// validators are not among them.
fn tx_gossip_snapshot(swarm: &libp2p::Swarm<Behaviour>, shared: &Shared) {
    let taking = tx_takers(swarm);
    let me = *swarm.local_peer_id();
    let missing = shared
        .validator_infos()
        .iter()
        // A key that names no peer is a validator this node cannot reach.
        .filter(|v| peer_id_of(&v.public_key.0).is_none_or(|p| p != me && !taking.contains(&p)))
        .count();
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    shared
        .tx_gossip_peers
        .store(count(taking.len()), std::sync::atomic::Ordering::Relaxed);
    shared
        .tx_gossip_missing
        .store(count(missing), std::sync::atomic::Ordering::Relaxed);
}

async fn on_swarm_event(
    swarm: &mut libp2p::Swarm<Behaviour>,
    ev: SwarmEvent<BehaviourEvent>,
    shared: &Arc<Shared>,
    engine: &mpsc::Sender<EngineEvent>,
    commands: &mpsc::Sender<NetCommand>,
    net: &mut NetState,
) {
    let book = &mut net.book;
    match ev {
        SwarmEvent::ConnectionEstablished { peer_id, .. } => {
            if book.banned.contains_key(&peer_id) {
                let _ = swarm.disconnect_peer_id(peer_id);
                return;
            }
            book.connected.insert(peer_id, ());
            peers_snapshot(shared, book);
            tracing::info!(peer = %peer_id, "peer connected");
        }
        SwarmEvent::ConnectionClosed {
            peer_id,
            num_established: 0,
            ..
        } => {
            book.connected.remove(&peer_id);
            peers_snapshot(shared, book);
            tx_gossip_snapshot(swarm, shared);
            tracing::info!(peer = %peer_id, "peer disconnected");
        }
        SwarmEvent::Behaviour(BehaviourEvent::Gossip(gossipsub::Event::Message {
            propagation_source,
            message_id,
            message,
        })) => {
            let from = gossip::From {
                peer: propagation_source,
                connected: &book.connected,
            };
            let verdict = gossip::on_gossip(
                &message.data,
                false,
                shared,
                engine,
                commands,
                (&mut book.heights, &mut net.recent),
                from,
            );
            let acceptance = match &verdict {
                Ok(gossip::Next::Relay) => MessageAcceptance::Accept,
                Ok(gossip::Next::Keep) => MessageAcceptance::Ignore,
                Ok(gossip::Next::Fetch { .. }) => MessageAcceptance::Accept,
                Err(gossip::Bad::Ignore(_)) => MessageAcceptance::Ignore,
                Err(gossip::Bad::Reject(_)) => MessageAcceptance::Reject,
            };
            swarm
                .behaviour_mut()
                .gossip
                .report_message_validation_result(&message_id, &propagation_source, acceptance);
            match verdict {
                Ok(gossip::Next::Fetch { proposal, peer }) => {
                    tracing::debug!(
                        height = proposal.height,
                        round = proposal.round,
                        %peer,
                        fetching = net.fetching.len(),
                        "proposal names transactions not held here: fetching its block"
                    );
                    if net.fetching.len() < FETCHES_MAX {
                        let req = SyncRequest::Proposed {
                            height: proposal.height,
                            hash: proposal.block_hash,
                        };
                        let id = swarm.behaviour_mut().sync.send_request(&peer, req);
                        net.fetching.insert(id, *proposal);
                    }
                }
                Ok(_) => {}
                Err(gossip::Bad::Ignore(why)) => {
                    tracing::debug!(peer = %propagation_source, %why, "message not forwarded");
                }
                Err(gossip::Bad::Reject(why)) => {
                    tracing::warn!(peer = %propagation_source, %why, "dropped a bad message");
                    penalise(swarm, book, propagation_source, 1);
                }
            }
        }
        SwarmEvent::Behaviour(BehaviourEvent::Sync(request_response::Event::Message {
            peer,
            message,
            ..
        })) => match message {
            request_response::Message::Request {
                request, channel, ..
            } => {
                let resp = sync::serve(shared, &request);
                let _ = swarm.behaviour_mut().sync.send_response(channel, resp);
            }
            request_response::Message::Response {
                request_id,
                response,
            } => {
                let asked = net.fetching.remove(&request_id);
                on_sync_response(shared, engine, &mut net.book, peer, asked, response).await;
            }
        },
        SwarmEvent::Behaviour(BehaviourEvent::Sync(request_response::Event::OutboundFailure {
            peer,
            request_id,
            error,
            ..
        })) => {
            net.fetching.remove(&request_id);
            tracing::debug!(%peer, %error, "sync request failed");
        }
        SwarmEvent::IncomingConnectionError { error, .. } => {
            tracing::debug!(%error, "incoming connection refused")
        }
        SwarmEvent::Behaviour(BehaviourEvent::Gossip(
            gossipsub::Event::Subscribed { .. } | gossipsub::Event::Unsubscribed { .. },
        )) => tx_gossip_snapshot(swarm, shared),
        // Gossip for this peer found its queue full since the last
        // heartbeat, and was dropped. Under load on a shared machine a
        // link falls behind for a while; votes it dropped still arrive by
        // the other peers' relays and are re-sent, and transactions come
        // with the block the peer fetches when a proposal names them.
        // Disconnecting the peer (as once done here) dropped the whole
        // queue, votes included, and at 250 tx/s gave p99 latencies of
        // seconds; a link that only falls behind is now left to catch up.
        SwarmEvent::Behaviour(BehaviourEvent::Gossip(gossipsub::Event::SlowPeer {
            peer_id,
            failed_messages,
        })) => {
            shared.metrics.gossip_stalls.inc();
            tracing::debug!(
                peer = %peer_id,
                dropped = failed_messages.priority + failed_messages.non_priority,
                "a peer's gossip queue is full"
            );
        }
        _ => {}
    }
}

/// Blocks from a peer: committed ones go to the engine to catch up; a
/// fetched proposed block goes with the proposal that named it.
async fn on_sync_response(
    shared: &Shared,
    engine: &mpsc::Sender<EngineEvent>,
    book: &mut PeerBook,
    peer: PeerId,
    asked: Option<Proposal>,
    response: SyncResponse,
) {
    match response {
        SyncResponse::Blocks { head, blocks } => {
            book.heights.insert(peer, head);
            shared
                .best_peer_height
                .fetch_max(head, std::sync::atomic::Ordering::Relaxed);
            for (block, certificate) in blocks {
                if engine
                    .send(EngineEvent::Synced {
                        block: Box::new(block),
                        certificate,
                    })
                    .await
                    .is_err()
                {
                    return;
                }
            }
        }
        SyncResponse::Proposed(Some(block)) => {
            let Some(proposal) = asked else { return };
            if block.hash() != proposal.block_hash || !block.tx_root_matches() {
                tracing::warn!(%peer, "fetched block is not the proposed one");
                return;
            }
            tracing::debug!(height = proposal.height, round = proposal.round, %peer, "fetched a proposed block");
            // Checked when it arrived, perhaps against an earlier height's
            // set: the core checks it again.
            let _ = engine.try_send(EngineEvent::Proposal {
                proposal,
                block,
                tx_hashes: None,
                verified: false,
            });
        }
        SyncResponse::Proposed(None) => {
            tracing::debug!(%peer, "peer does not hold the proposed block");
        }
    }
}

/// The engine's outbox over the network.
pub struct NetOutbox {
    commands: mpsc::Sender<NetCommand>,
    /// Re-sends so far ([`NetMessage::Again`]).
    attempts: u64,
}

impl NetOutbox {
    pub fn new(commands: mpsc::Sender<NetCommand>) -> Self {
        Self {
            commands,
            attempts: 0,
        }
    }
}

impl NetOutbox {
    fn send(&self, m: NetMessage) {
        if self.commands.try_send(NetCommand::Publish(m)).is_err() {
            tracing::warn!("network queue full: message dropped (it will be re-sent)");
        }
    }
}

/// The gossip form of a consensus message.
fn net_message(msg: &Message, block: Option<&crate::engine::BlockRef>) -> Option<NetMessage> {
    Some(match (msg, block) {
        (Message::Vote(v), _) => NetMessage::Vote(v.clone()),
        (Message::Proposal(p), Some(b)) => NetMessage::Proposal {
            proposal: p.clone(),
            header: Box::new(b.header.clone()),
            tx_hashes: b.tx_hashes.clone(),
        },
        (Message::Proposal(_), None) => {
            tracing::error!("a proposal without its block cannot be sent");
            return None;
        }
    })
}

impl crate::engine::Outbox for NetOutbox {
    fn broadcast(&mut self, msg: &Message, block: Option<&crate::engine::BlockRef>) {
        if let Some(m) = net_message(msg, block) {
            self.send(m);
        }
    }

    fn resend(&mut self, msg: &Message, block: Option<&crate::engine::BlockRef>) {
        if let Some(m) = net_message(msg, block) {
            self.attempts = self.attempts.wrapping_add(1);
            self.send(NetMessage::Again {
                attempt: self.attempts,
                message: borsh::to_vec(&m).unwrap_or_default(),
            });
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    /// The largest list of ids gossipsub sends in one RPC (an IHAVE or an
    /// IWANT of `max_control_messages_sent` ids, 32 bytes each with a couple
    /// of bytes of framing) is taken whole by the receiver.
    #[test]
    fn the_largest_list_of_ids_fits_a_control_message() {
        let cfg = super::gossip::config().unwrap();
        let largest = cfg.max_control_messages_sent() * (32 + 2) + 64;
        assert!(cfg.max_control_message_size() >= largest);
        assert!(cfg.max_control_message_size() <= super::GOSSIP_BYTES_MAX);
    }
}
