//! `SubmitStream`: a steady flow of submissions over one gRPC stream, each
//! answered with the status `Submit` would have given it, tagged with its
//! position in the stream.

use std::collections::BTreeMap;

use tonic::Code;
use yui_ledger::Operation;
use yui_proto::v1 as pb;
use yui_tests::{Node, People};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_submission_on_a_stream_gets_its_own_answer() {
    let dir = tempfile::tempdir().unwrap();
    let p = People::new();
    let node = Node::start_single(dir.path(), &p).unwrap();
    let c = node.client().await.unwrap();
    p.charge(&c, &p.hana, 1_000, "d1").await.unwrap();
    let pay = |i: u32| Operation::Pay {
        merchant: p.shop.address(),
        invoice_id: format!("stream-{i}"),
        amount: 1,
        assets: vec![],
    };
    let next = c.next_nonce(&p.hana).await.unwrap();
    let good = c.sign(&p.hana, next, pay(0)).await.unwrap();
    let mut forged = c.sign(&p.hana, next + 1, pay(1)).await.unwrap();
    forged.signature[5] ^= 1;
    let req = |tx: Vec<u8>, wait_for_commit| pb::SubmitRequest {
        tx,
        wait_for_commit,
        wait_timeout_ms: 10_000,
    };
    // A good payment that waits for its commit, bytes that are no
    // transaction, and a forged signature: the refusals come back at once
    // with Submit's codes, the payment's receipt when its block is decided.
    let requests = vec![
        req(good.to_bytes(), true),
        req(vec![1, 2, 3], false),
        req(forged.to_bytes(), false),
    ];
    let mut answers =
        c.tx.clone()
            .submit_stream(tokio_stream::iter(requests))
            .await
            .unwrap()
            .into_inner();
    let mut by_seq = BTreeMap::new();
    while let Some(a) = answers.message().await.unwrap() {
        by_seq.insert(a.seq, a);
    }
    assert_eq!(by_seq.len(), 3, "{by_seq:?}");
    let paid = &by_seq[&0];
    assert_eq!(paid.code, 0, "{paid:?}");
    let r = paid.response.as_ref().unwrap();
    assert_eq!(r.tx_hash, good.hash().to_vec());
    assert!(r.committed && r.receipt.as_ref().is_some_and(|rc| rc.success));
    assert_eq!(by_seq[&1].code, Code::InvalidArgument as u32);
    assert_eq!(by_seq[&2].code, Code::Unauthenticated as u32);
    assert!(by_seq[&2].message.contains("signature"), "{:?}", by_seq[&2]);
    assert!(by_seq[&1].response.is_none() && by_seq[&2].response.is_none());

    // A message over the request size limit ends the stream with the code
    // Submit would answer it with; what came before it is still answered.
    let oversize = vec![
        req(
            c.sign(&p.hana, next + 1, pay(2)).await.unwrap().to_bytes(),
            false,
        ),
        req(vec![0u8; 100_000], false),
    ];
    let mut answers =
        c.tx.clone()
            .submit_stream(tokio_stream::iter(oversize))
            .await
            .unwrap()
            .into_inner();
    let first = answers.message().await.unwrap().unwrap();
    assert_eq!((first.seq, first.code), (0, 0), "{first:?}");
    let end = answers.message().await.unwrap_err();
    assert_eq!(end.code(), Code::ResourceExhausted, "{end:?}");

    // The client's helper: many payments in flight on one stream, each
    // answered to its own caller; a replay is refused as Submit refuses it.
    let stream = c.submit_stream().await.unwrap();
    let mut calls = Vec::new();
    for i in 0..40u32 {
        let stx = c
            .sign(&p.hana, next + 2 + u64::from(i), pay(10 + i))
            .await
            .unwrap();
        let s = stream.clone();
        calls.push(tokio::spawn(async move { s.submit(&stx, true).await }));
    }
    for call in calls {
        let r = call.await.unwrap().unwrap();
        assert!(r.committed, "{r:?}");
    }
    let replay = stream.submit(&good, false).await.unwrap_err();
    assert_eq!(replay.code(), Code::AlreadyExists, "{replay:?}");
    let left = c.balance(&p.hana, &p.hana.address(), "coin").await.unwrap();
    assert_eq!(
        left,
        1_000 - 42,
        "two payments over the raw streams, forty over the helper's"
    );
}
