//! Gossip carries each transaction once per peer, and consensus does not
//! depend on one sending:
//! - a transaction batch travels one hop, from the node it was submitted to
//!   to the peers connected to that node: a peer connected to a validator but
//!   not to the entry node does not receive it (validators all connect to
//!   each other; the others learn the transactions from the block).
//! - a validator waiting for votes keeps re-sending its own. (Gossip refuses
//!   to publish bytes it has seen lately and forgets them only when something
//!   new arrives; in a halt nothing new arrives, so plain re-sends never left
//!   the node, and a devnet that lost a vote stood still for tens of seconds.)

use std::time::Duration;

use futures::StreamExt;
use libp2p::gossipsub::{self, IdentTopic};
use libp2p::swarm::SwarmEvent;
use yui_cli::Client;
use yui_ledger::Operation;
use yui_node::network::{
    BehaviourEvent, CONSENSUS_TOPIC, NetConfig, NetMessage, TX_TOPIC, build_swarm,
};
use yui_tests::Devnet;

fn config_value(home: &std::path::Path, prefix: &str) -> String {
    let cfg = std::fs::read_to_string(home.join("config.toml")).unwrap();
    let line = cfg.lines().find(|l| l.starts_with(prefix)).unwrap();
    line[prefix.len()..].trim_matches('"').to_string()
}

/// A swarm under the observer's identity (allow-listed everywhere; the
/// observer is stopped), connected to the chamber only and subscribed to
/// `topic`, once the chamber has its subscription.
async fn listener_at_chamber(
    net: &Devnet,
    topic_name: &str,
) -> (libp2p::Swarm<yui_node::network::Behaviour>, libp2p::PeerId) {
    let chamber_home = net.home("chamber");
    let psk = net.psk().unwrap();
    // `[p2p] listen = "/ip4/…"` (the API's listen address has no /ip4).
    let chamber_p2p: libp2p::Multiaddr =
        format!("/ip4{}", config_value(&chamber_home, "listen = \"/ip4"))
            .parse()
            .unwrap();
    let chamber_id =
        yui_node::network::peer_id_of(&net.key("chamber").unwrap().address().0).unwrap();

    // The observer's identity is allow-listed; stop the observer and listen
    // in its place, connected to the chamber only (on a port no one dials).
    let id = net.take_observer_identity("chamber").await.unwrap();
    assert!(
        id.is_some(),
        "the chamber still counts the killed observer as connected"
    );
    let id = id.unwrap();
    let cfg = NetConfig {
        listen: "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
        peers: vec![],
        observers: vec![],
        psk,
    };
    let mut listener = build_swarm(&id, &cfg).unwrap();
    listener.behaviour_mut().allow.allow_peer(chamber_id);
    listener
        .behaviour_mut()
        .gossip
        .subscribe(&IdentTopic::new(topic_name))
        .unwrap();
    let topic = IdentTopic::new(topic_name).hash();
    let mut ready = false;
    for attempt in 0..100 {
        if attempt % 25 == 0 {
            let _ = listener.disconnect_peer_id(chamber_id);
            listener.dial(chamber_p2p.clone()).unwrap();
        }
        let until = tokio::time::Instant::now() + Duration::from_millis(200);
        while let Ok(Some(_)) = tokio::time::timeout_at(until, listener.next()).await {}
        ready = listener
            .behaviour()
            .gossip
            .all_peers()
            .any(|(p, topics)| *p == chamber_id && topics.contains(&&topic));
        if ready {
            break;
        }
    }
    assert!(
        ready,
        "the listener could not connect to the chamber and see its subscription"
    );
    assert!(
        !listener.is_connected(
            &yui_node::network::peer_id_of(&net.key("city").unwrap().address().0).unwrap()
        ),
        "the listener must not hear the city directly"
    );
    // Let the chamber hear the listener's own subscription.
    let until = tokio::time::Instant::now() + Duration::from_millis(1_500);
    while let Ok(Some(_)) = tokio::time::timeout_at(until, listener.next()).await {}
    (listener, chamber_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_batch_travels_one_hop() {
    let dir = tempfile::tempdir().unwrap();
    let net = Devnet::up(dir.path()).unwrap();
    let (mut listener, _) = listener_at_chamber(&net, TX_TOPIC).await;

    // A charge submitted at the city, not waited for.
    let city = net.key("city").unwrap();
    let hana = net.key("hana").unwrap().address();
    let c = Client::connect(&net.endpoint("city")).await.unwrap();
    let nonce = c.next_nonce(&city).await.unwrap();
    let op = Operation::Charge {
        to: hana,
        asset: "coin".into(),
        amount: 1_000,
        deposit_ref: "one hop".into(),
        campaign: None,
    };
    let stx = c.sign(&city, nonce, op).await.unwrap();
    let hash = stx.hash();
    c.submit(&stx, false).await.unwrap();

    // The chamber has it (it commits), and does not pass the batch on.
    let until = tokio::time::Instant::now() + Duration::from_secs(4);
    let mut batches = 0;
    while let Ok(Some(ev)) = tokio::time::timeout_at(until, listener.next()).await {
        if let SwarmEvent::Behaviour(BehaviourEvent::Gossip(gossipsub::Event::Message {
            message,
            ..
        })) = ev
            && let Ok(NetMessage::Txs(txs)) = borsh::from_slice::<NetMessage>(&message.data)
            && txs.iter().any(|t| t.hash() == hash)
        {
            batches += 1;
        }
    }
    assert_eq!(
        batches, 0,
        "the chamber relayed the city's transaction batch"
    );
    let chamber = Client::connect(&net.endpoint("chamber")).await.unwrap();
    assert_eq!(
        chamber.next_nonce(&city).await.unwrap(),
        nonce + 1,
        "the city's charge did not commit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validator_waiting_for_votes_keeps_re_sending_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let net = Devnet::up(dir.path()).unwrap();
    let (mut listener, _) = listener_at_chamber(&net, CONSENSUS_TOPIC).await;

    // Two of the four validators fall silent: no quorum, the chain waits.
    net.freeze("coord-kita");
    net.freeze("coord-minami");
    let halted_at = net.height("chamber").await.unwrap();
    // The last new votes go out within the round's timeouts; after them,
    // only re-sends (every 2.5 s) are left to carry anything.
    let until = tokio::time::Instant::now() + Duration::from_secs(6);
    while let Ok(Some(_)) = tokio::time::timeout_at(until, listener.next()).await {}

    let until = tokio::time::Instant::now() + Duration::from_secs(8);
    let mut votes = 0;
    while let Ok(Some(ev)) = tokio::time::timeout_at(until, listener.next()).await {
        if let SwarmEvent::Behaviour(BehaviourEvent::Gossip(gossipsub::Event::Message {
            message,
            ..
        })) = ev
            && let Some(v) = vote_in(&message.data)
        {
            assert!(v.height > halted_at, "a re-sent vote of a past height");
            votes += 1;
        }
    }
    net.thaw("coord-kita");
    net.thaw("coord-minami");
    assert!(
        votes >= 2,
        "{votes} re-sent votes reached the listener in 8 s of a halt"
    );
    // And the chain goes on once the others are back.
    let mut moved = false;
    for _ in 0..100 {
        if net.height("chamber").await.is_some_and(|h| h > halted_at) {
            moved = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(moved, "the chain did not go on after the halt");
}

/// The vote a consensus message carries, sent for the first time or again.
fn vote_in(bytes: &[u8]) -> Option<yui_consensus::Vote> {
    match borsh::from_slice::<NetMessage>(bytes).ok()? {
        NetMessage::Vote(v) => Some(v),
        NetMessage::Again { message, .. } => vote_in(&message),
        _ => None,
    }
}
