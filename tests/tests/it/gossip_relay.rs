//! Transaction gossip does not depend on one link: a peer connected to a
//! validator but not to the node a transaction was submitted to still
//! receives that transaction, relayed by the validator. (On the devnet the
//! entry node's gossip stream to a peer was seen to stall for good while the
//! connection stayed up; with transactions travelling one hop, that peer
//! never saw a transaction submitted there, and its proposals were empty.)

use std::time::Duration;

use futures::StreamExt;
use libp2p::gossipsub::{self, IdentTopic};
use libp2p::swarm::SwarmEvent;
use yui_cli::Client;
use yui_ledger::Operation;
use yui_node::network::{BehaviourEvent, NetConfig, NetMessage, TX_TOPIC, build_swarm};
use yui_tests::Devnet;

fn config_value(home: &std::path::Path, prefix: &str) -> String {
    let cfg = std::fs::read_to_string(home.join("config.toml")).unwrap();
    let line = cfg.lines().find(|l| l.starts_with(prefix)).unwrap();
    line[prefix.len()..].trim_matches('"').to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_reaches_a_peer_that_only_a_validator_is_connected_to() {
    let dir = tempfile::tempdir().unwrap();
    let net = Devnet::up(dir.path()).unwrap();
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
        .subscribe(&IdentTopic::new(TX_TOPIC))
        .unwrap();
    let topic = IdentTopic::new(TX_TOPIC).hash();
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

    // A charge submitted at the city, not waited for.
    let city = net.key("city").unwrap();
    let hana = net.key("hana").unwrap().address();
    let c = Client::connect(&net.endpoint("city")).await.unwrap();
    let nonce = c.next_nonce(&city).await.unwrap();
    let op = Operation::Charge {
        to: hana,
        asset: "coin".into(),
        amount: 1_000,
        deposit_ref: "relayed".into(),
        campaign: None,
    };
    let stx = c.sign(&city, nonce, op).await.unwrap();
    let hash = stx.hash();
    c.submit(&stx, false).await.unwrap();

    let until = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut heard = false;
    while !heard && let Ok(Some(ev)) = tokio::time::timeout_at(until, listener.next()).await {
        if let SwarmEvent::Behaviour(BehaviourEvent::Gossip(gossipsub::Event::Message {
            propagation_source,
            message,
            ..
        })) = ev
            && let Ok(NetMessage::Txs(txs)) = borsh::from_slice::<NetMessage>(&message.data)
            && txs.iter().any(|t| t.hash() == hash)
        {
            assert_eq!(propagation_source, chamber_id);
            heard = true;
        }
    }
    assert!(
        heard,
        "the city's transaction never reached the listener through the chamber"
    );
}
