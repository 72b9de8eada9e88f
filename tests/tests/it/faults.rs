//! Real processes under faults, under steady load: four validators and an
//! observer (`yui-devnet`), each a separate `yui-node` process.
//!
//! kill -9 one validator → commits continue; restart it → it catches up; kill
//! two → commits stop and nothing forks; restart them → commits resume; cut
//! the next leader off → another leader takes over; an observer whose disk is
//! wiped catches up from its peers. Afterwards every
//! acknowledged transaction is committed exactly once, and all nodes hold
//! identical blocks and state roots at every height.

use std::time::Duration;

use yui_cli::Client;
use yui_proto::v1 as pb;
use yui_tests::{Devnet, SteadyPayments};

async fn wait_for<F: AsyncFnMut() -> bool>(secs: u64, mut cond: F) -> bool {
    for _ in 0..secs * 10 {
        if cond().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Whether the node's gRPC health calls `yui.v1.Transactions` SERVING:
/// its submissions reach every validator.
async fn submissions_ready(endpoint: &str) -> bool {
    use tonic_health::pb::{HealthCheckRequest, health_check_response::ServingStatus};
    let Ok(ch) = tonic::transport::Channel::from_shared(format!("http://{endpoint}"))
        .expect("endpoint")
        .connect()
        .await
    else {
        return false;
    };
    tonic_health::pb::health_client::HealthClient::new(ch)
        .check(HealthCheckRequest {
            service: "yui.v1.Transactions".into(),
        })
        .await
        .is_ok_and(|r| r.into_inner().status == ServingStatus::Serving as i32)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validators_crash_restart_and_get_cut_off_under_load() {
    let dir = tempfile::tempdir().unwrap();
    let net = Devnet::up(dir.path()).unwrap();
    // Steady load through the observer: one payment at a time, each
    // acknowledged only when the node reports it committed.
    let (obs, load) = SteadyPayments::on(&net, "observer").await.unwrap();

    let h = |n: &str| {
        let (net, n) = (&net, n.to_string());
        async move { net.height(&n).await.unwrap_or(0) }
    };

    // Ready means ready: every node's submissions reach every validator.
    for n in &net.names {
        assert!(
            submissions_ready(&net.endpoint(n)).await,
            "{n} does not report its submissions ready"
        );
    }

    // 1. kill -9 one validator: commits continue; the others' health says
    // their submissions no longer reach every validator.
    net.kill9("coord-minami");
    let h0 = h("city").await;
    assert!(
        wait_for(20, async || h("city").await >= h0 + 5).await,
        "no commits with one validator down"
    );
    assert!(
        wait_for(20, async || !submissions_ready(&net.endpoint("city")).await).await,
        "city's health still reports its submissions reach every validator"
    );

    // 2. restart it: it catches up by itself.
    net.restart("coord-minami").unwrap();
    assert!(
        wait_for(30, async || h("coord-minami").await + 1 >= h("city").await
            && h("coord-minami").await > h0)
        .await,
        "the restarted validator did not catch up"
    );
    assert!(
        wait_for(20, async || submissions_ready(&net.endpoint("city")).await).await,
        "city's submissions do not reach the restarted validator"
    );

    // 3. kill two: no quorum, commits stop.
    net.kill9("chamber");
    net.kill9("coord-kita");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let stalled = h("city").await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(
        h("city").await <= stalled + 1,
        "commits went on without a quorum"
    );
    // The steady payment has waited for a block far beyond the mempool's
    // `wait_max_ms`: the city sheds new submissions, and says why.
    let city_c = Client::connect(&net.endpoint("city")).await.unwrap();
    let city = net.key("city").unwrap();
    let charge = city_c
        .sign(
            &city,
            city_c.next_nonce(&city).await.unwrap(),
            yui_ledger::Operation::Charge {
                to: net.key("hana").unwrap().address(),
                asset: "coin".into(),
                amount: 1,
                deposit_ref: "during-the-stall".into(),
                campaign: None,
            },
        )
        .await
        .unwrap();
    let e = city_c.submit(&charge, false).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::ResourceExhausted, "{e:?}");
    assert!(
        e.message().contains("the chain is behind"),
        "{}",
        e.message()
    );

    // 4. restart them: commits resume.
    net.restart("chamber").unwrap();
    net.restart("coord-kita").unwrap();
    assert!(
        wait_for(40, async || h("city").await >= stalled + 3).await,
        "commits did not resume"
    );
    // Once blocks come again, the same submission is taken and commits.
    assert!(
        wait_for(20, async || match city_c.submit(&charge, true).await {
            Ok(r) => r.committed,
            Err(e) => e.message().contains("already committed"),
        })
        .await,
        "the charge shed during the stall was not taken once commits resumed"
    );

    // 5. cut off the leader of the next height: another takes over.
    let g = obs
        .chain
        .clone()
        .get_genesis(pb::GetGenesisRequest {})
        .await
        .unwrap()
        .into_inner();
    let genesis = yui_ledger::Genesis::from_json(&g.json).unwrap();
    let vs = yui_consensus::ValidatorSet::new(
        genesis
            .validators
            .iter()
            .map(|v| yui_consensus::Validator {
                public_key: v.public_key.0,
                power: v.power,
            })
            .collect(),
    )
    .unwrap();
    let next = h("city").await + 1;
    let leader = &genesis.validators[vs.proposer(next, 0) as usize].name;
    net.freeze(leader);
    let watcher = if leader == "city" { "chamber" } else { "city" };
    let before = h(watcher).await;
    assert!(
        wait_for(30, async || h(watcher).await >= before + 3).await,
        "no other leader took over from {leader}"
    );
    net.thaw(leader);

    let acked = load.stop().await;
    assert!(
        acked.len() >= 10,
        "only {} payments were acknowledged",
        acked.len()
    );

    // 6. an observer with an empty disk catches up from its peers by itself.
    net.kill9("observer");
    std::fs::remove_dir_all(net.home("observer").join("data")).unwrap();
    net.restart("observer").unwrap();
    let city_now = h("city").await;
    assert!(
        wait_for(60, async || h("observer").await >= city_now).await,
        "a fresh observer did not catch up"
    );

    // Everyone reaches a common height; identical blocks and roots at every height.
    let target = h("observer").await;
    let names = net.names.clone();
    for n in &names {
        assert!(
            wait_for(40, async || h(n).await >= target).await,
            "{n} did not reach height {target}"
        );
    }
    let clients: Vec<Client> = {
        let mut v = Vec::new();
        for n in &names {
            v.push(Client::connect(&net.endpoint(n)).await.unwrap());
        }
        v
    };
    for height in 1..=target {
        let mut seen: Option<(Vec<u8>, Vec<u8>)> = None;
        for (n, c) in names.iter().zip(&clients) {
            let b = c
                .chain
                .clone()
                .get_block(pb::GetBlockRequest {
                    height,
                    hash: vec![],
                    auth: None,
                })
                .await
                .unwrap()
                .into_inner();
            let hd = b.header.unwrap();
            let this = (hd.hash, hd.state_root);
            match &seen {
                None => seen = Some(this),
                Some(s) => assert_eq!(s, &this, "{n} differs at height {height}"),
            }
        }
    }
    // Every acknowledged payment is committed, once, at the same place everywhere.
    for hash in &acked {
        let mut place = None;
        for c in &clients {
            let r =
                c.tx.clone()
                    .get_transaction(pb::GetTransactionRequest {
                        tx_hash: hash.clone(),
                    })
                    .await
                    .unwrap()
                    .into_inner();
            assert_eq!(
                r.status,
                "committed",
                "acknowledged {} missing",
                hex::encode(hash)
            );
            let rc = r.receipt.unwrap();
            let p = (rc.height, rc.index);
            assert!(place.is_none_or(|q| q == p));
            place = Some(p);
        }
    }
    // The auditor's replay through the observer agrees with every header.
    let report = yui_cli::audit::replay(&clients[4], &net.key("auditor").unwrap(), |_, _| {})
        .await
        .unwrap();
    assert!(report.transactions as usize > acked.len());
}
