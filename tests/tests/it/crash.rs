//! kill -9 under load: the node restarts at its last committed block, with
//! the same state root, every acknowledged transaction present, and an
//! auditor's replay agreeing with every header.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use yui_ledger::Operation;
use yui_proto::v1 as pb;
use yui_tests::{Node, People};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_load_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let p = People::new();
    let mut node = Node::start_single(dir.path(), &p).unwrap();
    let c = node.client().await.unwrap();
    fund_hana(&c, &p).await;

    let (load, acked) = pay_until_refused(&c, &p);
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let before = c
        .chain
        .clone()
        .get_latest_block(pb::GetLatestBlockRequest { auth: None })
        .await
        .unwrap()
        .into_inner();
    node.kill9();
    load.await.unwrap();
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 5,
        "the load committed only {} payments",
        acked.len()
    );

    node.restart().unwrap();
    let c = node.client().await.unwrap();
    let h = before.header.as_ref().unwrap();
    let again = c
        .chain
        .clone()
        .get_block(pb::GetBlockRequest {
            height: h.height,
            hash: vec![],
            auth: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        again.header.unwrap().state_root,
        h.state_root,
        "state root at height {} changed across the crash",
        h.height
    );
    assert_committed(&c, &acked).await;
    // The chain goes on and a replay from genesis agrees with every header.
    let h0 = c.status().await.unwrap().height;
    c.execute(
        &p.hana,
        Operation::Burn {
            asset: "coin".into(),
            amount: 1,
        },
    )
    .await
    .unwrap();
    assert!(c.status().await.unwrap().height > h0);
    let report = yui_cli::audit::replay(&c, &p.auditor, |_, _| {})
        .await
        .unwrap();
    assert!(report.transactions as usize > acked.len());
}

/// The city charges Hana's wallet with ¥1,000,000 of coins to pay with.
pub(crate) async fn fund_hana(c: &yui_cli::Client, p: &People) {
    c.execute(
        &p.city,
        Operation::Charge {
            to: p.hana.address(),
            asset: "coin".into(),
            amount: 1_000_000,
            deposit_ref: "d".into(),
            campaign: None,
        },
    )
    .await
    .unwrap();
}

/// The hashes of the payments a node said were committed.
pub(crate) type Acked = Arc<Mutex<Vec<Vec<u8>>>>;

/// Hana pays the shop as fast as the node commits, until a submission is
/// refused or the node goes; each payment she is told is committed goes into
/// the list returned.
pub(crate) fn pay_until_refused(
    c: &yui_cli::Client,
    p: &People,
) -> (tokio::task::JoinHandle<()>, Acked) {
    let acked: Acked = Arc::default();
    let (c, out) = (c.clone(), acked.clone());
    let hana = yui_ledger::Keypair::from_seed(p.hana.seed());
    let shop = p.shop.address();
    let load = tokio::spawn(async move {
        let mut nonce = c.next_nonce(&hana).await.unwrap();
        for i in 0.. {
            let op = Operation::Pay {
                merchant: shop,
                invoice_id: format!("inv-{i}"),
                amount: 1,
                assets: vec![],
            };
            let Ok(stx) = c.sign(&hana, nonce, op).await else {
                return;
            };
            match c.submit(&stx, true).await {
                Ok(r) if r.committed => {
                    out.lock().unwrap().push(r.tx_hash);
                    nonce += 1;
                }
                Ok(_) => nonce += 1,
                Err(_) => return,
            }
        }
    });
    (load, acked)
}

/// Every transaction in `acked` is committed on the node behind `c`.
pub(crate) async fn assert_committed(c: &yui_cli::Client, acked: &[Vec<u8>]) {
    for hash in acked {
        let st =
            c.tx.clone()
                .get_transaction(pb::GetTransactionRequest {
                    tx_hash: hash.clone(),
                })
                .await
                .unwrap()
                .into_inner();
        assert_eq!(
            st.status,
            "committed",
            "acknowledged {} is missing",
            hex::encode(hash)
        );
    }
}
