//! Contracts on the 4-validator devnet (six `yui-node` processes): code
//! uploaded and deployed by a vote over gRPC, hostile calls that each fail
//! their own transaction while every node agrees on the state root, the
//! Contracts service (list, show, query, events) with its status codes, and
//! a proof of contract storage against the state root.

use std::time::Duration;

use yui_cli::Client;
use yui_ledger::governance::GovAction;
use yui_ledger::{Keypair, Operation};
use yui_proto::v1 as pb;
use yui_tests::Devnet;

const NODES: [&str; 5] = ["city", "chamber", "coord-kita", "coord-minami", "observer"];

fn hostile() -> Vec<u8> {
    wat::parse_str(
        r#"(module
        (import "yui" "storage_write" (func $write (param i32 i32 i32 i32)))
        (import "yui" "emit" (func $emit (param i32 i32 i32 i32)))
        (memory (export "memory") 1)
        (data (i32.const 0) "key")
        (func (export "write") (call $write (i32.const 0) (i32.const 3) (i32.const 0) (i32.const 3)))
        (func (export "write_then_trap")
            (call $write (i32.const 0) (i32.const 3) (i32.const 0) (i32.const 3)) unreachable)
        (func (export "spin") (loop $l (br $l)))
        (func (export "flood_events")
            (loop $l (call $emit (i32.const 0) (i32.const 3) (i32.const 0) (i32.const 3)) (br $l)))
        (func (export "bomb") (loop $l (drop (memory.grow (i32.const 1))) (br $l)))
        (func $deep (export "deep") (call $deep))
        (func (export "flood") (local $i i32)
            (loop $l
                (i32.store (i32.const 16) (local.get $i))
                (call $write (i32.const 16) (i32.const 4) (i32.const 0) (i32.const 3))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $l))))"#,
    )
    .unwrap()
}

fn call(method: &str, fuel_limit: u64) -> Operation {
    Operation::CallContract {
        contract_id: "hostile".into(),
        method: method.into(),
        args: vec![],
        fuel_limit,
        attach: vec![],
    }
}

/// Waits until every node has committed `height`, then checks they hold
/// the same block there (so the same state root).
async fn all_agree_at(net: &Devnet, height: u64) -> [u8; 32] {
    let mut roots = Vec::new();
    for n in NODES {
        let c = Client::connect(&net.endpoint(n)).await.unwrap();
        let mut block = None;
        for _ in 0..200 {
            if let Ok(b) = c
                .chain
                .clone()
                .get_block(pb::GetBlockRequest {
                    height,
                    ..Default::default()
                })
                .await
            {
                block = Some(b.into_inner());
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let b = block.unwrap_or_else(|| panic!("{n} never reached height {height}"));
        roots.push(b.header.unwrap().state_root);
    }
    assert!(
        roots.windows(2).all(|w| w[0] == w[1]),
        "nodes disagree on the state root at height {height}"
    );
    roots[0].clone().try_into().unwrap()
}

async fn deploy(c: &Client, city: &Keypair, voters: &[Keypair], code: &[u8]) {
    let hash = yui_cli::contracts::upload(c, city, code, |_, _| {})
        .await
        .unwrap();
    let action = GovAction::DeployContract {
        contract_id: "hostile".into(),
        code_hash: hash,
        init_args: vec![],
        assets: vec![],
        budget: vec![],
    };
    c.execute(
        city,
        Operation::Propose {
            proposal_id: "deploy-hostile".into(),
            action,
            expires_at_ms: yui_cli::now_ms() + 3_600_000,
        },
    )
    .await
    .unwrap();
    for v in voters {
        c.execute(
            v,
            Operation::Vote {
                proposal_id: "deploy-hostile".into(),
                approve: true,
            },
        )
        .await
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_calls_fail_alone_and_every_validator_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let net = Devnet::up(dir.path()).unwrap();
    let city = net.key("city").unwrap();
    let voters = [net.key("chamber").unwrap(), net.key("coord-kita").unwrap()];
    let c = Client::connect(&net.endpoint("city")).await.unwrap();
    deploy(&c, &city, &voters, &hostile()).await;

    // Each runaway call commits as a failed receipt with its fuel, and all
    // five nodes hold the same state root after it.
    let cases = [
        ("spin", 1_000_000, "out of fuel"),
        ("bomb", 1_000_000, "memory"),
        ("deep", 1_000_000, "nested too deep"),
        ("flood", 1_000_000, "limit exceeded"),
        ("flood_events", 1_000_000, "limit exceeded"),
        ("write_then_trap", 1_000_000, "trapped"),
        // Too little fuel for even a call's base cost.
        ("write", 5_000, "out of fuel"),
        ("write", 1_000_000, ""),
    ];
    for (method, fuel, why) in cases {
        let nonce = c.next_nonce(&city).await.unwrap();
        let stx = c.sign(&city, nonce, call(method, fuel)).await.unwrap();
        let r = c.submit(&stx, true).await.unwrap().receipt.unwrap();
        if why.is_empty() {
            assert!(r.success, "{method}: {}", r.error);
        } else {
            assert!(!r.success, "{method} succeeded");
            assert!(r.error.contains(why), "{method}: {}", r.error);
        }
        all_agree_at(&net, r.height).await;
    }

    // The Contracts service.
    let mut k = c.contracts.clone();
    let got = k
        .get_contract(pb::GetContractRequest {
            contract_id: "hostile".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .contract
        .unwrap();
    assert_eq!(got.status, "active");
    assert_eq!(got.calls, 1, "only `write` succeeded");
    assert!(got.methods.contains(&"spin".to_string()));
    let list = k
        .list_contracts(pb::ListContractsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.contracts.len(), 1);
    let q = |method: &str, fuel_limit: u64, args: Vec<u8>| pb::QueryContractRequest {
        contract_id: "hostile".into(),
        method: method.into(),
        args,
        fuel_limit,
    };
    let code = |r: Result<tonic::Response<pb::QueryContractResponse>, tonic::Status>| {
        r.unwrap_err().code()
    };
    assert_eq!(
        code(k.query(q("spin", 100_000, vec![])).await),
        tonic::Code::FailedPrecondition
    );
    assert_eq!(
        code(k.query(q("write", 0, vec![])).await),
        tonic::Code::FailedPrecondition,
        "a query cannot write"
    );
    assert_eq!(
        code(k.query(q("launch", 0, vec![])).await),
        tonic::Code::NotFound
    );
    assert_eq!(
        code(k.query(q("spin", 1_000_000_000, vec![])).await),
        tonic::Code::OutOfRange
    );
    assert_eq!(
        code(k.query(q("spin", 0, vec![0; 20_000])).await),
        tonic::Code::InvalidArgument
    );
    let missing = k
        .get_contract(pb::GetContractRequest {
            contract_id: "nowhere".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), tonic::Code::NotFound);

    // The contract's storage is under the state root: a proof of the key
    // `write` set verifies against the root the proof names.
    let proof = c
        .chain
        .clone()
        .get_proof(pb::GetProofRequest {
            kind: "contract_storage".into(),
            id: "hostile".into(),
            storage_key: b"key".to_vec(),
            height: 0,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(proof.present);
    assert_eq!(proof.value, b"key");
    let root: [u8; 32] = proof.state_root.clone().try_into().unwrap();
    let pr = yui_ledger::commitment::proof_from_bytes(&proof.proof).unwrap();
    yui_ledger::commitment::verify(&root, &proof.key, Some(&proof.value), &pr).unwrap();

    // The contract event stream carries the next call.
    let mut stream = k
        .stream_contract_events(pb::StreamContractEventsRequest {
            contract_id: "hostile".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let last = c.execute(&city, call("write", 100_000)).await.unwrap();
    let ev = tokio::time::timeout(Duration::from_secs(20), stream.message())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let e = ev.event.unwrap();
    assert_eq!(
        (e.kind.as_str(), e.reference.as_str()),
        ("contract_called", "hostile")
    );
    assert_eq!(e.detail, "write");

    // The auditor's replay re-executes every call and reaches the same roots.
    let auditor = net.key("auditor").unwrap();
    let obs = Client::connect(&net.endpoint("observer")).await.unwrap();
    // The observer follows the chain: let it hold the last call's block.
    all_agree_at(&net, last.height).await;
    let report = yui_cli::audit::replay(&obs, &auditor, |_, _| {})
        .await
        .unwrap();
    let summary = &report.contracts["hostile"];
    assert_eq!(summary.failed_calls, 7);
    assert!(summary.calls >= 2);
    assert!(
        summary.fuel_used >= 1_000_000,
        "the endless loop's fuel counts"
    );
}
