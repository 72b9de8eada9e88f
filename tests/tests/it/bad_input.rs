//! Bad input over gRPC: each refusal is a precise status and message, the
//! node keeps serving, and nothing changes.

use tonic::Code;
use yui_cli::sign_tx;
use yui_ledger::{Expiry, Keypair, Operation};
use yui_proto::v1 as pb;
use yui_tests::{Node, People};

/// What must not change: balances and nonces of everyone, and supply.
async fn snapshot(c: &yui_cli::Client, p: &People) -> String {
    let mut s = String::new();
    for k in [&p.city, &p.shop, &p.hana, &p.taro] {
        let a = c.account(&p.auditor, &k.address()).await.unwrap();
        s.push_str(&format!("{} {} {:?}\n", a.name, a.nonce, a.balances));
    }
    let assets = c
        .assets
        .clone()
        .list_assets(pb::ListAssetsRequest {})
        .await
        .unwrap()
        .into_inner();
    s.push_str(&format!("{:?}", assets.assets));
    s
}

async fn submit_raw(c: &yui_cli::Client, bytes: Vec<u8>) -> tonic::Status {
    c.tx.clone()
        .submit(pb::SubmitRequest {
            tx: bytes,
            wait_for_commit: false,
            wait_timeout_ms: 0,
        })
        .await
        .expect_err("must be refused")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_input_is_refused_precisely_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = People::new();
    let node = Node::start_single(dir.path(), &p).unwrap();
    let c = node.client().await.unwrap();
    c.execute(
        &p.city,
        Operation::Charge {
            to: p.hana.address(),
            asset: "coin".into(),
            amount: 1_000,
            deposit_ref: "d1".into(),
            campaign: None,
        },
    )
    .await
    .unwrap();
    c.execute(
        &p.hana,
        Operation::Pay {
            merchant: p.shop.address(),
            invoice_id: "inv-1".into(),
            amount: 100,
            assets: vec![],
        },
    )
    .await
    .unwrap();
    let before = snapshot(&c, &p).await;
    let height = c.status().await.unwrap().height;
    let later = Expiry::Height(height + 1_000);
    let n = c.next_nonce(&p.hana).await.unwrap();
    let good = |op: Operation| sign_tx("yui-test", &p.hana, n, later, op);
    let pay = |amount: u64, invoice: &str| Operation::Pay {
        merchant: p.shop.address(),
        invoice_id: invoice.into(),
        amount,
        assets: vec![],
    };

    let taro_not_merchant = format!("{} is not a merchant", p.taro.address()).to_lowercase();
    let cases: Vec<(&str, Vec<u8>, Code, &str)> = vec![
        (
            "malformed bytes",
            vec![1, 2, 3],
            Code::InvalidArgument,
            "cannot decode",
        ),
        (
            "trailing bytes",
            [good(pay(1, "x")).to_bytes(), vec![0]].concat(),
            Code::InvalidArgument,
            "cannot decode",
        ),
        (
            "oversize",
            vec![0u8; 5_000],
            Code::ResourceExhausted,
            "limit is",
        ),
        (
            "wrong chain id",
            sign_tx("other-town", &p.hana, n, later, pay(1, "x")).to_bytes(),
            Code::Unauthenticated,
            "chain",
        ),
        (
            "bad signature",
            {
                let mut t = good(pay(1, "x"));
                t.signature[5] ^= 1;
                t.to_bytes()
            },
            Code::Unauthenticated,
            "signature",
        ),
        (
            "replayed nonce",
            sign_tx("yui-test", &p.hana, n - 1, later, pay(1, "x")).to_bytes(),
            Code::AlreadyExists,
            "nonce",
        ),
        (
            "expired",
            sign_tx("yui-test", &p.hana, n, Expiry::Height(1), pay(1, "x")).to_bytes(),
            Code::FailedPrecondition,
            "expired",
        ),
        (
            "overspend",
            good(pay(1_000_000, "x")).to_bytes(),
            Code::FailedPrecondition,
            "insufficient",
        ),
        (
            "amount overflow",
            sign_tx(
                "yui-test",
                &p.city,
                c.next_nonce(&p.city).await.unwrap(),
                later,
                Operation::Charge {
                    to: p.taro.address(),
                    asset: "coin".into(),
                    amount: u64::MAX,
                    deposit_ref: "d2".into(),
                    campaign: None,
                },
            )
            .to_bytes(),
            Code::OutOfRange,
            "overflow",
        ),
        (
            "unknown asset",
            good(Operation::Burn {
                asset: "gold".into(),
                amount: 1,
            })
            .to_bytes(),
            Code::NotFound,
            "unknown asset",
        ),
        (
            "unknown account",
            sign_tx(
                "yui-test",
                &Keypair::from_seed([99; 32]),
                0,
                later,
                pay(1, "x"),
            )
            .to_bytes(),
            Code::NotFound,
            "unknown account",
        ),
        (
            "second payment of an invoice",
            good(pay(5, "inv-1")).to_bytes(),
            Code::AlreadyExists,
            "already paid",
        ),
        (
            "zero amount",
            good(pay(0, "x")).to_bytes(),
            Code::InvalidArgument,
            "positive",
        ),
        (
            "non-merchant payee",
            good(Operation::Pay {
                merchant: p.taro.address(),
                invoice_id: "i".into(),
                amount: 1,
                assets: vec![],
            })
            .to_bytes(),
            Code::PermissionDenied,
            // About the payee, by its address.
            &taro_not_merchant,
        ),
        (
            "value to bytes that are not a key",
            good(Operation::Transfer {
                to: yui_ledger::Address([0xff; 32]),
                asset: "coin".into(),
                amount: 1,
            })
            .to_bytes(),
            Code::InvalidArgument,
            "not an account's public key",
        ),
    ];
    for (what, bytes, code, needle) in cases {
        let st = submit_raw(&c, bytes).await;
        assert_eq!(st.code(), code, "{what}: {}", st.message());
        assert!(
            st.message().to_lowercase().contains(needle),
            "{what}: message '{}' lacks '{needle}'",
            st.message()
        );
    }
    // A gRPC message beyond the request limit: RESOURCE_EXHAUSTED, as
    // api.proto promises (the transport's own code would be OUT_OF_RANGE).
    let st = submit_raw(&c, vec![0u8; 200_000]).await;
    assert_eq!(st.code(), Code::ResourceExhausted, "{}", st.message());
    // Bytes that are not the request message: INVALID_ARGUMENT (not the
    // transport's INTERNAL). A message whose field 1 is a number where
    // SubmitRequest has bytes.
    let ch = tonic::transport::Channel::from_shared(format!("http://{}", node.endpoint))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut grpc = tonic::client::Grpc::new(ch);
    grpc.ready().await.unwrap();
    let st = grpc
        .unary(
            tonic::Request::new(pb::HistoryEntry {
                height: 7,
                ..Default::default()
            }),
            tonic::codegen::http::uri::PathAndQuery::from_static("/yui.v1.Transactions/Submit"),
            tonic_prost::ProstCodec::<pb::HistoryEntry, pb::SubmitResponse>::default(),
        )
        .await
        .expect_err("undecodable");
    assert_eq!(st.code(), Code::InvalidArgument, "{}", st.message());

    // Prepare gives the exact bytes a wallet would build, for typed fields
    // and for JSON; a broken shape is refused as Submit would.
    let mut txc = c.tx.clone();
    let prepared = txc
        .prepare(pb::PrepareRequest {
            signer: p.hana.address().0.to_vec(),
            nonce: n,
            expire_at_height: height + 1_000,
            operation: Some(pb::prepare_request::Operation::Pay(pb::PreparePay {
                merchant: p.shop.address().0.to_vec(),
                invoice_id: "x".into(),
                amount: 1,
                assets: vec![],
            })),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let expected = good(pay(1, "x")).tx;
    assert_eq!(prepared.sign_bytes, expected.sign_bytes());
    assert_eq!(prepared.tx_bytes, borsh::to_vec(&expected).unwrap());
    assert!(prepared.operation_json.contains("\"invoice_id\":\"x\""));
    let by_json = txc
        .prepare(pb::PrepareRequest {
            signer: p.hana.address().0.to_vec(),
            next_nonce: true,
            expire_at_height: height + 1_000,
            operation: Some(pb::prepare_request::Operation::OperationJson(
                prepared.operation_json.clone(),
            )),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_json.sign_bytes, prepared.sign_bytes);
    for (what, op) in [
        (
            "zero amount",
            pb::prepare_request::Operation::Burn(pb::PrepareBurn {
                asset: "coin".into(),
                amount: 0,
            }),
        ),
        (
            "unknown op",
            pb::prepare_request::Operation::OperationJson(r#"{"op":"steal"}"#.into()),
        ),
    ] {
        let st = txc
            .prepare(pb::PrepareRequest {
                signer: p.hana.address().0.to_vec(),
                operation: Some(op),
                ..Default::default()
            })
            .await
            .expect_err(what);
        assert_eq!(st.code(), Code::InvalidArgument, "{what}: {}", st.message());
    }

    // Each refusal was counted under its code.
    let m = node.scrape().await.unwrap();
    for code in [
        "bad_signature",
        "wrong_chain",
        "insufficient_to_pay",
        "malformed.zero_amount",
        "malformed.receiver_cannot_sign",
        "missing_role",
    ] {
        assert!(
            m.contains(&format!(
                "yui_transactions_refused_total{{code=\"{code}\"}} "
            )),
            "{code} not counted in:\n{}",
            m.lines()
                .filter(|l| l.contains("refused"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    // Still serving, and blocks keep coming; nothing changed.
    let h2 = c.status().await.unwrap().height;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert!(c.status().await.unwrap().height > h2);
    assert_eq!(snapshot(&c, &p).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_mempool_refuses_at_once_and_frees_up() {
    let dir = tempfile::tempdir().unwrap();
    let p = People::new();
    let node = Node::start_single_with(dir.path(), &p, |c| {
        c.block.txs_max = 2;
        c.mempool.txs_max = 2;
        c.mempool.gapped_ttl_ms = 1_500;
    })
    .unwrap();
    let c = node.client().await.unwrap();
    p.charge(&c, &p.hana, 1_000, "d1").await.unwrap();
    let pay = |i: u32| Operation::Pay {
        merchant: p.shop.address(),
        invoice_id: format!("full-{i}"),
        amount: 1,
        assets: vec![],
    };
    // Two of hana's payments behind a nonce gap fill the mempool. The first
    // waits for its commit in vain; its wait leaves no registration behind.
    let next = c.next_nonce(&p.hana).await.unwrap();
    let gapped = c.sign(&p.hana, next + 1, pay(1)).await.unwrap();
    let r =
        c.tx.clone()
            .submit(pb::SubmitRequest {
                tx: gapped.to_bytes(),
                wait_for_commit: true,
                wait_timeout_ms: 300,
            })
            .await
            .unwrap()
            .into_inner();
    assert!(!r.committed);
    let m = node.scrape().await.unwrap();
    assert!(m.contains("yui_commit_waiters 0"), "{m}");
    let stx = c.sign(&p.hana, next + 2, pay(2)).await.unwrap();
    c.submit(&stx, false).await.unwrap();
    // Anyone's next submission is refused at once, and says why.
    let stx = c.sign(&p.hana, next, pay(0)).await.unwrap();
    let e = c.submit(&stx, true).await.unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted, "{e:?}");
    assert!(e.message().contains("mempool is full"), "{}", e.message());
    // The gapped payments leave after their time to live; then the same
    // submission is taken and commits.
    tokio::time::sleep(std::time::Duration::from_millis(3_000)).await;
    let r = c.submit(&stx, true).await.unwrap();
    assert!(
        r.committed,
        "the payment did not commit once the mempool had room"
    );
}
