//! Bad peers: a stranger is refused; an allow-listed peer sending malformed
//! messages, votes from non-validators, votes for far-future heights and
//! rounds, oversize messages and a flood has each dropped with a logged
//! reason and is banned, while the validators keep committing.

use std::time::Duration;

use futures::StreamExt;
use libp2p::gossipsub::IdentTopic;
use yui_consensus::{Vote, VoteKind};
use yui_node::network::{CONSENSUS_TOPIC, NetConfig, NetMessage, build_swarm};
use yui_tests::Devnet;

/// Drives a swarm for `ms` milliseconds, returning the peers it was connected to at the end.
async fn pump(swarm: &mut libp2p::Swarm<yui_node::network::Behaviour>, ms: u64) -> usize {
    let until = tokio::time::Instant::now() + Duration::from_millis(ms);
    while let Ok(Some(_ev)) = tokio::time::timeout_at(until, swarm.next()).await {}
    swarm.connected_peers().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_peers_are_dropped_and_honest_progress_continues() {
    let dir = tempfile::tempdir().unwrap();
    let net = Devnet::up(dir.path()).unwrap();
    let psk = net.psk().unwrap();
    let city_p2p: libp2p::Multiaddr =
        format!("/ip4/127.0.0.1/tcp/{}", net.base_port as usize + 20_000)
            .parse()
            .unwrap();
    let cfg = |psk| NetConfig {
        listen: "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
        peers: vec![],
        observers: vec![],
        psk,
    };

    // A stranger with the right network key but a key no one allowed: refused.
    let stranger = libp2p::identity::Keypair::generate_ed25519();
    let city_id = yui_node::network::peer_id_of(&net.key("city").unwrap().address().0).unwrap();
    let mut s = build_swarm(&stranger, &cfg(psk)).unwrap();
    s.behaviour_mut().allow.allow_peer(city_id);
    s.dial(city_p2p.clone()).unwrap();
    assert_eq!(pump(&mut s, 3_000).await, 0, "a stranger stayed connected");

    // The observer's identity is allowed; stop the observer and play it
    // badly, once city no longer counts the real one as connected.
    let id = net.take_observer_identity("city").await.unwrap();
    assert!(
        id.is_some(),
        "city still counts the killed observer as connected"
    );
    let id = id.unwrap();
    let obs_key = net.key("observer").unwrap();
    let c = yui_cli::Client::connect(&net.endpoint("city"))
        .await
        .unwrap();
    let mut rogue = build_swarm(&id, &cfg(psk)).unwrap();
    rogue.behaviour_mut().allow.allow_peer(city_id);
    rogue
        .behaviour_mut()
        .gossip
        .subscribe(&IdentTopic::new(CONSENSUS_TOPIC))
        .unwrap();
    // The handshake (pre-shared key, Noise, yamux) and the exchange of
    // gossip subscriptions may take a while on a busy machine; a dial that
    // got nowhere within three seconds is retried.
    let consensus = IdentTopic::new(CONSENSUS_TOPIC).hash();
    let mut ready = false;
    for attempt in 0..60 {
        if attempt % 15 == 0 {
            if attempt > 0 {
                let _ = rogue.disconnect_peer_id(city_id);
                pump(&mut rogue, 200).await;
            }
            rogue.dial(city_p2p.clone()).unwrap();
        }
        pump(&mut rogue, 200).await;
        ready = rogue
            .behaviour()
            .gossip
            .all_peers()
            .any(|(_, topics)| topics.contains(&&consensus));
        if ready {
            break;
        }
    }
    assert!(
        ready,
        "the allow-listed peer could not connect and see city's subscription"
    );
    let h0 = net.height("city").await.unwrap();
    let topic = IdentTopic::new(CONSENSUS_TOPIC);
    let city = net.key("city").unwrap();
    let vote = |kind, height, round, validator, key: &yui_ledger::Keypair| {
        NetMessage::Vote(Vote::sign(
            key.signing_key(),
            "yui-devnet",
            validator,
            kind,
            height,
            round,
            Some([7; 32]),
        ))
    };
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("malformed", vec![0xff; 100]),
        (
            "vote from a non-validator",
            borsh::to_vec(&vote(VoteKind::Prevote, h0 + 1, 0, 0, &obs_key)).unwrap(),
        ),
        (
            "vote naming an unknown validator",
            borsh::to_vec(&vote(VoteKind::Prevote, h0 + 1, 0, 99, &city)).unwrap(),
        ),
        (
            "far-future height",
            borsh::to_vec(&vote(VoteKind::Prevote, h0 + 1_000_000, 0, 0, &city)).unwrap(),
        ),
        (
            "far-future round",
            borsh::to_vec(&vote(VoteKind::Precommit, h0 + 1, 1_000_000, 0, &city)).unwrap(),
        ),
    ];
    for (what, bytes) in &bad {
        rogue
            .behaviour_mut()
            .gossip
            .publish(topic.clone(), bytes.clone())
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        pump(&mut rogue, 200).await;
    }
    // A validator's key signing two different prevotes at one height and
    // round: kept as evidence and listed by the API.
    let mut listed = 0;
    for _ in 0..5 {
        let h = net.height("city").await.unwrap() + 1;
        for block in [[1u8; 32], [2u8; 32]] {
            let v = Vote::sign(
                city.signing_key(),
                "yui-devnet",
                0,
                VoteKind::Prevote,
                h,
                7,
                Some(block),
            );
            rogue
                .behaviour_mut()
                .gossip
                .publish(topic.clone(), borsh::to_vec(&NetMessage::Vote(v)).unwrap())
                .unwrap();
        }
        pump(&mut rogue, 500).await;
        listed = c
            .chain
            .clone()
            .list_evidence(yui_proto::v1::ListEvidenceRequest { limit: 0 })
            .await
            .unwrap()
            .into_inner()
            .evidence
            .len();
        if listed > 0 {
            break;
        }
    }
    assert!(listed > 0, "conflicting votes were not kept as evidence");

    // Oversize: more than the 4 MiB gossip limit cannot even be sent.
    assert!(
        rogue
            .behaviour_mut()
            .gossip
            .publish(topic.clone(), vec![0u8; 5 * 1024 * 1024])
            .is_err()
    );
    // A flood of distinct garbage: the peer is banned.
    for i in 0..200u32 {
        let _ = rogue.behaviour_mut().gossip.publish(
            topic.clone(),
            [i.to_be_bytes().to_vec(), vec![0xee; 64]].concat(),
        );
        if i % 20 == 0 {
            pump(&mut rogue, 50).await;
        }
    }
    let connected = pump(&mut rogue, 3_000).await;
    assert_eq!(connected, 0, "the flooding peer is still connected");

    // Honest progress continues, every validator is alive.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for n in ["city", "chamber", "coord-kita", "coord-minami"] {
        let h = net
            .height(n)
            .await
            .unwrap_or_else(|| panic!("{n} stopped answering"));
        assert!(h >= h0 + 2, "{n} stalled at {h}");
    }
    // Each kind of bad message left a reason in city's log.
    let log = std::fs::read_to_string(net.home("city").join("node.log")).unwrap();
    for needle in [
        "undecodable message",
        "vote: bad signature",
        "vote: validator index 99",
        "banning",
    ] {
        assert!(log.contains(needle), "city's log lacks '{needle}'");
    }
}
