//! Governance on the multi-validator devnet (separate processes over
//! libp2p): the consortium votes coord-higashi's node in as a fifth
//! validator, which then signs blocks; votes coord-minami out, whose node is
//! then stopped, and the chain keeps committing; refusals over gRPC; and an
//! auditor's replay checks every certificate against the set of its height.

use std::time::Duration;

use tonic::Code;
use yui_cli::Client;
use yui_ledger::asset::DAY_MS;
use yui_ledger::governance::GovAction;
use yui_ledger::{Expiry, Operation};
use yui_proto::v1 as pb;
use yui_tests::Devnet;

async fn wait_height(c: &Client, h: u64) {
    for _ in 0..600 {
        if c.status().await.unwrap().height >= h {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("height {h} not reached within 60 s");
}

/// The validators (by key) that signed the certificate of block `h`, by the
/// set the chain names for `h` (the node's current set while nothing changed since).
async fn signers(c: &Client, h: u64, set: &[pb::ValidatorInfo]) -> Vec<Vec<u8>> {
    let b = c
        .chain
        .clone()
        .get_block(pb::GetBlockRequest {
            height: h,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    b.certificate
        .unwrap()
        .signatures
        .iter()
        .map(|s| set[s.validator as usize].public_key.clone())
        .collect()
}

async fn proposal(c: &Client, id: &str) -> pb::Proposal {
    c.governance
        .clone()
        .get_proposal(pb::GetProposalRequest {
            proposal_id: id.into(),
        })
        .await
        .unwrap()
        .into_inner()
        .proposal
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consortium_votes_a_validator_in_and_another_out() {
    let dir = tempfile::tempdir().unwrap();
    let net = Devnet::up(dir.path()).unwrap();
    let c = Client::connect(&net.endpoint("city")).await.unwrap();
    let key = |n: &str| net.key(n).unwrap();
    let (city, chamber, kita) = (key("city"), key("chamber"), key("coord-kita"));
    let higashi = key("coord-higashi");
    let minami = key("coord-minami");
    wait_height(&c, 1).await;
    assert_eq!(c.status().await.unwrap().validators.len(), 4);

    // A proposal to add coord-higashi at a later height; the approvals of all
    // three consortium members (city, chamber, coord-kita) pass it.
    let join_at = c.status().await.unwrap().height + 5;
    let add = GovAction::AddValidator {
        name: "coord-higashi".into(),
        public_key: higashi.address(),
        power: 1,
        effective_height: join_at,
    };
    let expires = yui_cli::now_ms() + DAY_MS;
    c.execute(
        &city,
        Operation::Propose {
            proposal_id: "add-higashi".into(),
            action: add,
            expires_at_ms: expires,
        },
    )
    .await
    .unwrap();
    // A non-member cannot vote; a member cannot vote twice.
    let st = c
        .execute(
            &higashi,
            Operation::Vote {
                proposal_id: "add-higashi".into(),
                approve: true,
            },
        )
        .await
        .unwrap_err()
        .downcast::<tonic::Status>()
        .unwrap();
    assert_eq!(st.code(), Code::PermissionDenied, "{st:?}");
    let st = c
        .execute(
            &city,
            Operation::Vote {
                proposal_id: "add-higashi".into(),
                approve: true,
            },
        )
        .await
        .unwrap_err()
        .downcast::<tonic::Status>()
        .unwrap();
    assert_eq!(st.code(), Code::AlreadyExists, "{st:?}");
    c.execute(
        &chamber,
        Operation::Vote {
            proposal_id: "add-higashi".into(),
            approve: true,
        },
    )
    .await
    .unwrap();
    assert_eq!(proposal(&c, "add-higashi").await.state, "open");
    let r = c
        .execute(
            &kita,
            Operation::Vote {
                proposal_id: "add-higashi".into(),
                approve: true,
            },
        )
        .await
        .unwrap();
    let kinds: Vec<&str> = r.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "proposal_voted",
            "validator_change_scheduled",
            "proposal_closed"
        ]
    );
    assert_eq!(proposal(&c, "add-higashi").await.state, "executed");
    let g = c
        .governance
        .clone()
        .get_governance(pb::GetGovernanceRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(g.pending.len(), 1);
    assert_eq!(g.pending[0].effective_height, join_at);

    // From join_at on, five validators decide, and coord-higashi signs.
    wait_height(&c, join_at).await;
    let st = c.status().await.unwrap();
    assert_eq!(st.validators.len(), 5);
    let mut signed_by_higashi = false;
    for h in join_at..join_at + 6 {
        wait_height(&c, h).await;
        if signers(&c, h, &st.validators)
            .await
            .contains(&higashi.address().0.to_vec())
        {
            signed_by_higashi = true;
            break;
        }
    }
    assert!(signed_by_higashi, "coord-higashi never signed a block");
    // Every node, coord-higashi's included, follows the same chain.
    let hc = Client::connect(&net.endpoint("coord-higashi"))
        .await
        .unwrap();
    let h = c.status().await.unwrap().height;
    wait_height(&hc, h).await;
    let block_at = |cl: Client| async move {
        cl.chain
            .clone()
            .get_block(pb::GetBlockRequest {
                height: h,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .header
            .unwrap()
            .hash
    };
    assert_eq!(block_at(c.clone()).await, block_at(hc.clone()).await);

    // Vote coord-minami out, then stop its node: four validators keep going.
    let leave_at = c.status().await.unwrap().height + 5;
    for (who, first) in [(&city, true), (&chamber, false), (&kita, false)] {
        let op = if first {
            Operation::Propose {
                proposal_id: "remove-minami".into(),
                action: GovAction::RemoveValidator {
                    public_key: minami.address(),
                    effective_height: leave_at,
                },
                expires_at_ms: expires,
            }
        } else {
            Operation::Vote {
                proposal_id: "remove-minami".into(),
                approve: true,
            }
        };
        c.execute(who, op).await.unwrap();
    }
    assert_eq!(proposal(&c, "remove-minami").await.state, "executed");
    wait_height(&c, leave_at).await;
    let st = c.status().await.unwrap();
    let names: Vec<&str> = st.validators.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["city", "chamber", "coord-kita", "coord-higashi"]);
    // Only a voting node names its key: not the voted-out one, not the observer.
    let node_key = |n: &'static str| {
        let net = &net;
        async move {
            Client::connect(&net.endpoint(n))
                .await
                .unwrap()
                .status()
                .await
                .unwrap()
                .node_key
        }
    };
    assert!(node_key("coord-minami").await.is_empty());
    assert!(node_key("observer").await.is_empty());
    assert_eq!(
        node_key("coord-higashi").await,
        key("coord-higashi").address().0.to_vec()
    );
    net.kill9("coord-minami");
    // With coord-minami gone, 3 of the 4 remaining must still sign: stop one
    // more old validator too, and the chain still commits.
    net.kill9("chamber");
    let h = c.status().await.unwrap().height;
    wait_height(&c, h + 3).await;

    // The auditor replays the whole chain through the observer.
    let oc = Client::connect(&net.endpoint("observer")).await.unwrap();
    wait_height(&oc, h + 3).await;
    let report = yui_cli::audit::replay(&oc, &key("auditor"), |_, _| {})
        .await
        .unwrap();
    assert_eq!(report.validator_set_changes, 2);
    assert_eq!(report.proposals_executed, 2);
    assert_eq!(
        report.final_validators,
        ["city", "chamber", "coord-kita", "coord-higashi"]
    );

    // A wallet using the observer, which never proposes: a transaction with
    // a nonce ahead of the next waits there; once it expires it leaves, and
    // after the gap is filled the same nonce is free for a new one.
    let hana = key("hana").address();
    let n = oc.next_nonce(&city).await.unwrap();
    let h = oc.status().await.unwrap().height;
    let burn = |nonce: u64, expiry| {
        yui_cli::sign_tx(
            "yui-devnet",
            &city,
            nonce,
            expiry,
            Operation::Charge {
                to: hana,
                asset: "coin".into(),
                amount: 100,
                deposit_ref: format!("gap-{nonce}-{expiry:?}"),
                campaign: None,
            },
        )
    };
    let ahead = burn(n + 1, Expiry::Height(h + 3));
    oc.submit(&ahead, false).await.unwrap();
    let status = |t: &yui_ledger::SignedTransaction| {
        let oc = &oc;
        let hash = t.hash().to_vec();
        async move {
            oc.tx
                .clone()
                .get_transaction(yui_proto::v1::GetTransactionRequest { tx_hash: hash })
                .await
                .unwrap()
                .into_inner()
                .status
        }
    };
    assert_eq!(status(&ahead).await, "pending");
    wait_height(&oc, h + 4).await;
    assert_eq!(status(&ahead).await, "unknown", "the expired one left");
    let fill = burn(n, Expiry::Height(h + 1_000));
    let again = burn(n + 1, Expiry::Height(h + 1_000));
    oc.submit(&fill, false).await.unwrap();
    let r = oc.submit(&again, true).await.unwrap();
    assert!(r.receipt.unwrap().success);
}
