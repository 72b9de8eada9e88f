//! The libp2p swarm of a node: TCP behind the network key, Noise, yamux,
//! and its behaviours (allow list, connection limits, the two gossip
//! lanes, block sync).

use std::time::Duration;

use libp2p::core::transport::upgrade::Version;
use libp2p::gossipsub::{self, MessageAuthenticity};
use libp2p::identity;
use libp2p::pnet::{PnetConfig, PreSharedKey};
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::{StreamProtocol, Transport, connection_limits, noise, tcp, yamux};

use super::gossip::Lane;
use super::{
    Behaviour, CONNECTIONS_PER_PEER_MAX, GOSSIP_BYTES_MAX, GOSSIP_QUEUE_LEN, NetConfig, SyncCodec,
};

/// Largest control part of one gossip RPC: 5,000 message ids of 32
/// bytes with their framing fit more than twice.
pub const GOSSIP_CONTROL_BYTES_MAX: usize = 512 * 1024;
const SYNC_PROTOCOL: &str = "/yui/sync/2";
/// The consensus lane's gossipsub protocol (the transaction lane uses
/// gossipsub's own).
const CONSENSUS_GOSSIP_PROTOCOL: &str = "/yui/consensus-gossip/1";

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
        consensus: gossip_behaviour(Lane::Consensus)?,
        txs: gossip_behaviour(Lane::Txs)?,
        sync,
    };
    Ok(libp2p::SwarmBuilder::with_existing_identity(key.clone())
        .with_tokio()
        .with_other_transport(|_| transport)?
        .with_behaviour(|_| behaviour)?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(3_600)))
        .build())
}

/// One lane's gossipsub.
fn gossip_behaviour(lane: Lane) -> anyhow::Result<gossipsub::Behaviour> {
    gossipsub::Behaviour::new(MessageAuthenticity::Anonymous, gossip_config(lane)?)
        .map_err(|e| anyhow::anyhow!("gossipsub: {e}"))
}

/// One lane's gossipsub settings.
fn gossip_config(lane: Lane) -> anyhow::Result<gossipsub::Config> {
    let mut b = gossipsub::ConfigBuilder::default();
    if lane == Lane::Consensus {
        b.protocol_id(CONSENSUS_GOSSIP_PROTOCOL, gossipsub::Version::V1_1);
    }
    let cfg = b
        .max_transmit_size(GOSSIP_BYTES_MAX)
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
        .heartbeat_interval(Duration::from_millis(500))
        // How long a message's id is remembered, so that its copies from
        // other peers are dropped. Gossip refuses to publish an id it
        // remembers and forgets ids only when new messages arrive, so the
        // engine's re-sends travel as new bytes (`NetMessage::Again`).
        .duplicate_cache_time(Duration::from_secs(2))
        // A peer's queue of gossip waiting to be sent: past it gossip for
        // that peer is dropped and counted (`SlowPeer` below).
        .connection_handler_queue_len(GOSSIP_QUEUE_LEN)
        // The control part of one gossip RPC (lists of message ids: IHAVE,
        // IWANT, IDONTWANT). Gossipsub's default (16 KiB) is smaller than
        // an IHAVE it may send itself (up to 5,000 ids of 32 bytes), and a
        // receiver that meets a larger one closes the whole stream, with
        // whatever proposals and votes were in it after it.
        .max_control_message_size(GOSSIP_CONTROL_BYTES_MAX)
        .build()
        .map_err(|e| anyhow::anyhow!("gossipsub config: {e}"))?;
    Ok(cfg)
}

pub(super) fn lane_mut(
    swarm: &mut libp2p::Swarm<Behaviour>,
    lane: Lane,
) -> &mut gossipsub::Behaviour {
    match lane {
        Lane::Consensus => &mut swarm.behaviour_mut().consensus,
        Lane::Txs => &mut swarm.behaviour_mut().txs,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The largest list of ids gossipsub sends in one RPC (an IHAVE or an
    /// IWANT of `max_control_messages_sent` ids, 32 bytes each with a
    /// couple of bytes of framing) is taken whole by the receiver.
    #[test]
    fn the_largest_list_of_ids_fits_a_control_message() {
        for lane in [Lane::Consensus, Lane::Txs] {
            let cfg = gossip_config(lane).unwrap();
            let largest = cfg.max_control_messages_sent() * (32 + 2) + 64;
            assert!(
                cfg.max_control_message_size() >= largest,
                "{lane:?}: {} < {largest}",
                cfg.max_control_message_size()
            );
            assert!(cfg.max_control_message_size() <= GOSSIP_BYTES_MAX);
        }
    }
}
