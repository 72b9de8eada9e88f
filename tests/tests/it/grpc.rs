//! Every operation through the gRPC API of a real node, and the reads.

use tokio_stream::StreamExt;
use yui_ledger::Operation;
use yui_proto::v1 as pb;
use yui_tests::{Node, People};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_of_the_towns_money_over_grpc() {
    let dir = tempfile::tempdir().unwrap();
    let p = People::new();
    let node = Node::start_single(dir.path(), &p).unwrap();
    let c = node.client().await.unwrap();

    // The shop watches its incoming payments as a stream.
    let req = pb::StreamEventsRequest {
        address: p.shop.address().0.to_vec(),
        auth: Some(c.read_auth(&p.shop, &p.shop.address())),
    };
    let mut shop_events = c
        .accounts
        .clone()
        .stream_events(req)
        .await
        .unwrap()
        .into_inner();

    let r = c
        .execute(
            &p.city,
            Operation::Charge {
                to: p.hana.address(),
                asset: "coin".into(),
                amount: 10_000,
                deposit_ref: "dep-1".into(),
                campaign: Some("welcome-bonus".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        r.events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        vec!["minted", "minted"]
    );
    assert_eq!(
        c.balance(&p.hana, &p.hana.address(), "coin").await.unwrap(),
        10_000
    );
    assert_eq!(
        c.balance(&p.hana, &p.hana.address(), "point")
            .await
            .unwrap(),
        100
    );

    c.execute(
        &p.city,
        Operation::Grant {
            to: p.taro.address(),
            asset: "point".into(),
            amount: 500,
            reason: "clean-up".into(),
            event_id: Some("ev-1".into()),
        },
    )
    .await
    .unwrap();
    c.execute(
        &p.hana,
        Operation::Transfer {
            to: p.taro.address(),
            asset: "coin".into(),
            amount: 1_000,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        c.balance(&p.taro, &p.taro.address(), "coin").await.unwrap(),
        1_000
    );

    let paid = c
        .execute(
            &p.hana,
            Operation::Pay {
                merchant: p.shop.address(),
                invoice_id: "inv-1".into(),
                amount: 3_000,
                assets: vec![],
            },
        )
        .await
        .unwrap();
    let pay_ev = paid.events.iter().find(|e| e.kind == "paid").unwrap();
    assert_eq!(
        pay_ev
            .parts
            .iter()
            .map(|p| (p.asset.as_str(), p.amount))
            .collect::<Vec<_>>(),
        vec![("point", 100), ("coin", 2_900)]
    );

    c.execute(
        &p.shop,
        Operation::Refund {
            invoice_id: "inv-1".into(),
            amount: 1_000,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        c.balance(&p.hana, &p.hana.address(), "coin").await.unwrap(),
        10_000 - 1_000 - 2_900 + 1_000
    );

    let red = c
        .execute(
            &p.shop,
            Operation::Redeem {
                asset: "coin".into(),
                amount: 1_000,
                payout_ref: "po-1".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(red.events[0].fee, 15);
    c.execute(
        &p.hana,
        Operation::Burn {
            asset: "coin".into(),
            amount: 100,
        },
    )
    .await
    .unwrap();

    // The stream saw the payment, the refund and the redemption, in order.
    let mut kinds = Vec::new();
    while kinds.len() < 3 {
        let ev = tokio::time::timeout(std::time::Duration::from_secs(10), shop_events.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        kinds.push(ev.event.unwrap().kind);
    }
    assert_eq!(kinds, vec!["paid", "refunded", "redeemed"]);

    // Supply figures: coin issued 10,000; burned 100 + (1,000 − 15).
    let assets = c
        .assets
        .clone()
        .list_assets(pb::ListAssetsRequest {})
        .await
        .unwrap()
        .into_inner()
        .assets;
    let coin = assets.iter().find(|a| a.id == "coin").unwrap();
    assert_eq!((coin.issued, coin.burned), (10_000, 100 + 985));

    // History, paginated, newest first.
    let mut hist = c.accounts.clone();
    let h1 = hist
        .get_history(pb::GetHistoryRequest {
            address: p.hana.address().0.to_vec(),
            auth: Some(c.read_auth(&p.hana, &p.hana.address())),
            limit: 2,
            page_token: vec![],
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(h1.entries.len(), 2);
    assert_eq!(h1.entries[0].tx.as_ref().unwrap().operation, "burn");
    let h2 = hist
        .get_history(pb::GetHistoryRequest {
            address: p.hana.address().0.to_vec(),
            auth: Some(c.read_auth(&p.hana, &p.hana.address())),
            limit: 10,
            page_token: h1.next_page_token.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let ops: Vec<_> = h2
        .entries
        .iter()
        .filter_map(|e| e.tx.as_ref())
        .map(|t| t.operation.clone())
        .collect();
    assert_eq!(ops, vec!["pay", "transfer", "charge"]);

    // Two payments admitted together, the second beyond what is left once
    // the first commits: it fails in its block, and the shop sees that too.
    let n = c.next_nonce(&p.hana).await.unwrap();
    let pay = |i: u64, invoice: &str| {
        yui_cli::sign_tx(
            "yui-test",
            &p.hana,
            n + i,
            yui_ledger::Expiry::Height(1_000_000),
            Operation::Pay {
                merchant: p.shop.address(),
                invoice_id: invoice.into(),
                amount: 4_000,
                assets: vec![],
            },
        )
    };
    c.submit(&pay(0, "inv-2"), false).await.unwrap();
    let second = c.submit(&pay(1, "inv-3"), true).await.unwrap();
    let failed = second.receipt.unwrap();
    assert!(!failed.success);
    assert!(failed.error.contains("insufficient"), "{}", failed.error);

    // The stream goes on with the second payment and the failed one: what
    // the shop's history holds.
    let mut kinds = Vec::new();
    while kinds.len() < 2 {
        let ev = tokio::time::timeout(std::time::Duration::from_secs(10), shop_events.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        kinds.push(match (ev.event, ev.failure) {
            (Some(e), None) => e.kind,
            (None, Some(f)) => {
                assert_eq!(f.signer, p.hana.address().0.to_vec());
                assert!(f.error.contains("insufficient"), "{}", f.error);
                format!("failed {}", f.operation)
            }
            other => panic!("an item is an event or a failure: {other:?}"),
        });
    }
    assert_eq!(kinds, vec!["paid", "failed pay"]);
    let shop_history = c
        .accounts
        .clone()
        .get_history(pb::GetHistoryRequest {
            address: p.shop.address().0.to_vec(),
            auth: Some(c.read_auth(&p.shop, &p.shop.address())),
            limit: 2,
            page_token: vec![],
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!shop_history.entries[0].receipt.as_ref().unwrap().success);
    assert_eq!(
        shop_history.entries[0].tx.as_ref().unwrap().hash,
        failed.tx_hash
    );

    // Transaction status, block with certificate, and the state proof.
    let st =
        c.tx.clone()
            .get_transaction(pb::GetTransactionRequest {
                tx_hash: paid.tx_hash.clone(),
            })
            .await
            .unwrap()
            .into_inner();
    assert_eq!(st.status, "committed");
    let blk = c
        .chain
        .clone()
        .get_block(pb::GetBlockRequest {
            height: paid.height,
            hash: vec![],
            auth: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(blk.certificate.unwrap().signatures.len(), 1);
    assert!(blk.txs.is_empty(), "transactions are for auditors only");
    let audit = c
        .chain
        .clone()
        .get_block(pb::GetBlockRequest {
            height: paid.height,
            hash: vec![],
            auth: Some(c.read_auth(&p.auditor, &yui_ledger::Address::ZERO)),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!audit.txs.is_empty());

    let proof = c
        .chain
        .clone()
        .get_proof(pb::GetProofRequest {
            kind: "holding".into(),
            address: p.hana.address().0.to_vec(),
            id: "coin".into(),
            auth: Some(c.read_auth(&p.hana, &p.hana.address())),
            storage_key: vec![],
            height: 0,
        })
        .await
        .unwrap()
        .into_inner();
    let root: [u8; 32] = proof.state_root.clone().try_into().unwrap();
    let pr = yui_ledger::commitment::proof_from_bytes(&proof.proof).unwrap();
    yui_ledger::commitment::verify(&root, &proof.key, Some(&proof.value), &pr).unwrap();
    assert!(
        yui_ledger::commitment::verify(&root, &proof.key, Some(b"forged".as_slice()), &pr).is_err()
    );
    let absent = c
        .chain
        .clone()
        .get_proof(pb::GetProofRequest {
            kind: "invoice".into(),
            address: p.shop.address().0.to_vec(),
            id: "never".into(),
            auth: None,
            storage_key: vec![],
            height: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!absent.present);
    let pr = yui_ledger::commitment::proof_from_bytes(&absent.proof).unwrap();
    let root: [u8; 32] = absent.state_root.clone().try_into().unwrap();
    yui_ledger::commitment::verify(&root, &absent.key, None, &pr).unwrap();

    // A light client proves against a block it already verified: Hana's
    // coins at the height of her payment, and the validator set there (the
    // set that signs the next block; its hash is that block's
    // validators_hash).
    let prove = |kind: &str, height: u64| {
        let (c, hana, auth) = (
            c.clone(),
            p.hana.address(),
            c.read_auth(&p.hana, &p.hana.address()),
        );
        let kind = kind.to_string();
        async move {
            c.chain
                .clone()
                .get_proof(pb::GetProofRequest {
                    kind,
                    address: hana.0.to_vec(),
                    id: "coin".into(),
                    auth: Some(auth),
                    storage_key: vec![],
                    height,
                })
                .await
        }
    };
    let then = prove("holding", paid.height).await.unwrap().into_inner();
    assert_eq!(then.height, paid.height);
    let block_then = c
        .chain
        .clone()
        .get_block(pb::GetBlockRequest {
            height: paid.height,
            hash: vec![],
            auth: None,
        })
        .await
        .unwrap()
        .into_inner()
        .header
        .unwrap();
    assert_eq!(then.state_root, block_then.state_root);
    let root: [u8; 32] = then.state_root.clone().try_into().unwrap();
    let pr = yui_ledger::commitment::proof_from_bytes(&then.proof).unwrap();
    yui_ledger::commitment::verify(&root, &then.key, Some(&then.value), &pr).unwrap();
    assert_ne!(then.value, proof.value, "her coins changed since");
    let set = prove("validators", paid.height).await.unwrap().into_inner();
    let root: [u8; 32] = set.state_root.clone().try_into().unwrap();
    let pr = yui_ledger::commitment::proof_from_bytes(&set.proof).unwrap();
    yui_ledger::commitment::verify(&root, &set.key, Some(&set.value), &pr).unwrap();
    let next = c
        .chain
        .clone()
        .get_block(pb::GetBlockRequest {
            height: paid.height + 1,
            hash: vec![],
            auth: None,
        })
        .await
        .unwrap()
        .into_inner()
        .header
        .unwrap();
    let infos: Vec<yui_ledger::governance::ValidatorInfo> = borsh::from_slice(&set.value).unwrap();
    let vs = yui_consensus::ValidatorSet::new(
        infos
            .iter()
            .map(|v| yui_consensus::Validator {
                public_key: v.public_key.0,
                power: v.power,
            })
            .collect(),
    )
    .unwrap();
    assert_eq!(vs.hash().to_vec(), next.validators_hash);
    let st = prove("holding", 1_000_000).await.unwrap_err();
    assert_eq!(st.code(), tonic::Code::OutOfRange);

    // The auditor replays the whole chain and agrees with every header.
    let report = yui_cli::audit::replay(&c, &p.auditor, |_, _| {})
        .await
        .unwrap();
    assert_eq!(report.transactions, 9);
    assert_eq!(report.assets["coin"].minted, 10_000);

    // The operator's view: Prometheus metrics, which promtool accepts.
    let m = node.scrape().await.unwrap();
    let value = |name: &str| -> f64 {
        m.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("{name} missing from:\n{m}"))
    };
    assert!(value("yui_height") >= 9.0);
    assert_eq!(value("yui_transactions_admitted_total"), 9.0);
    // Each admitted submission's signature was verified in some batch.
    assert!(value("yui_signature_batch_transactions_sum{source=\"submitted\"}") >= 9.0);
    assert_eq!(
        value("yui_transactions_committed_total{result=\"failed\"}"),
        1.0
    );
    assert_eq!(
        value("yui_transactions_committed_total{result=\"success\"}"),
        8.0
    );
    assert!(value("yui_commit_latency_seconds_count") >= 9.0);
    assert!(value("yui_storage_bytes") > 0.0);
    // Nine commits, the tree written every 16 heights: some of its nodes
    // are in memory.
    assert!(value("yui_state_tree_window_nodes") > 0.0);
    // Their indexes wait for the tree's next write too: at most the
    // sixteen heights since the last and those being written.
    let held = value("yui_index_window_heights");
    assert!(held < 32.0, "{held} heights' indexes held");
    // The payers' and payees' records, read and written.
    assert!(value("yui_state_cache_bytes") > 0.0);
    assert_eq!(value("yui_mempool_transactions{state=\"gapped\"}"), 0.0);
    // The live aggregates follow the commits (the Analytics service).
    assert!(value("yui_analytics_height") >= 1.0);
    for name in [
        "yui_round",
        "yui_peers",
        "yui_sync_peer_height",
        "yui_blocks_committed_total",
        "yui_block_transactions_bucket",
        "yui_block_size_bytes_sum",
        "yui_block_interval_seconds_count",
        // The only validator builds every block and commits it.
        "yui_block_stage_seconds_count{stage=\"build\"}",
        "yui_block_stage_seconds_count{stage=\"commit\"}",
    ] {
        assert!(m.contains(name), "{name} missing");
    }
    yui_tests::promtool_check(&m).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_belong_to_the_holder_and_auditors() {
    let dir = tempfile::tempdir().unwrap();
    let p = People::new();
    let mut node = Node::start_single(dir.path(), &p).unwrap();
    let c = node.client().await.unwrap();
    let hana = p.hana.address();
    // No signature: unauthenticated.
    let e = c
        .accounts
        .clone()
        .get_account(pb::GetAccountRequest {
            address: hana.0.to_vec(),
            auth: None,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::Unauthenticated);
    // Taro reading Hana: denied.
    let e = c.account(&p.taro, &hana).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::PermissionDenied);
    // A stale authorisation: refused.
    let mut auth = c.read_auth(&p.hana, &hana);
    auth.time_ms -= 10 * 60 * 1000;
    let e = c
        .accounts
        .clone()
        .get_account(pb::GetAccountRequest {
            address: hana.0.to_vec(),
            auth: Some(auth),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::Unauthenticated);
    // The holder and the auditor: allowed.
    assert_eq!(c.account(&p.hana, &hana).await.unwrap().name, "hana");
    assert_eq!(c.account(&p.auditor, &hana).await.unwrap().name, "hana");

    // Standard health service says each API service serves.
    let ch = tonic::transport::Channel::from_shared(format!("http://{}", node.endpoint))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = tonic_health::pb::health_client::HealthClient::new(ch.clone());
    for service in [
        "yui.v1.Transactions",
        "yui.v1.Accounts",
        "yui.v1.Assets",
        "yui.v1.Chain",
        "yui.v1.Jobs",
        "yui.v1.Credentials",
        "yui.v1.Governance",
        "yui.v1.Contracts",
    ] {
        let h = health
            .check(tonic_health::pb::HealthCheckRequest {
                service: service.into(),
            })
            .await
            .unwrap_or_else(|e| panic!("health of {service}: {e}"))
            .into_inner();
        assert_eq!(
            h.status,
            tonic_health::pb::health_check_response::ServingStatus::Serving as i32,
            "{service}"
        );
    }

    // Reflection answers in both versions clients speak.
    use tonic_reflection::pb::v1alpha as alpha;
    let mut refl = alpha::server_reflection_client::ServerReflectionClient::new(ch.clone());
    let req = alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(
            alpha::server_reflection_request::MessageRequest::ListServices(String::new()),
        ),
    };
    let mut answers = refl
        .server_reflection_info(tokio_stream::iter(vec![req]))
        .await
        .unwrap()
        .into_inner();
    let listed = match answers.message().await.unwrap().unwrap().message_response {
        Some(alpha::server_reflection_response::MessageResponse::ListServicesResponse(l)) => {
            l.service.into_iter().map(|s| s.name).collect::<Vec<_>>()
        }
        other => panic!("v1alpha reflection answered {other:?}"),
    };
    assert!(
        listed.contains(&"yui.v1.Accounts".to_string()),
        "{listed:?}"
    );
    use tonic_reflection::pb::v1 as v1r;
    let mut refl = v1r::server_reflection_client::ServerReflectionClient::new(ch.clone());
    let req = v1r::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(
            v1r::server_reflection_request::MessageRequest::ListServices(String::new()),
        ),
    };
    let mut answers = refl
        .server_reflection_info(tokio_stream::iter(vec![req]))
        .await
        .unwrap()
        .into_inner();
    assert!(answers.message().await.unwrap().is_some());

    // A single validator's status names its key.
    let st = c.status().await.unwrap();
    assert_eq!(st.node_key, st.validators[0].public_key);
    assert_eq!(st.time_zone, "Asia/Tokyo");

    // With `log_format = "json"` the node logs one JSON object per line.
    let cfg_path = node.home.join("config.toml");
    let (mut cfg, _) = yui_node::config::Config::load(&cfg_path).unwrap();
    cfg.node.log_format = yui_node::config::LogFormat::Json;
    std::fs::write(&cfg_path, cfg.render()).unwrap();
    let before = std::fs::read_to_string(node.home.join("node.log"))
        .unwrap()
        .len();
    node.log_level = "info";
    node.restart().unwrap();
    let mut log = String::new();
    for _ in 0..100 {
        log = std::fs::read_to_string(node.home.join("node.log")).unwrap();
        if log[before..].contains("node starting") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let lines: Vec<&str> = log[before..].lines().filter(|l| !l.is_empty()).collect();
    assert!(
        !lines.is_empty(),
        "no new log lines after {before} bytes:\n{log}"
    );
    for l in &lines {
        let v: serde_json::Value =
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"));
        assert!(v.get("level").is_some() && v.get("fields").is_some(), "{l}");
    }
    assert!(log[before..].contains("node starting"));
}

/// `yui audit fetch` writes the node's blocks to an archive; `yui audit
/// replay --archive` replays it with no node and reports what the replay
/// from the node reports; a truncated or damaged archive is refused with
/// an error naming the block, never a panic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_fetched_from_a_node_replays_like_the_node() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let p = People::new();
    let node = Node::start_single(dir.path(), &p).unwrap();
    let c = node.client().await.unwrap();
    c.execute(
        &p.city,
        Operation::Charge {
            to: p.hana.address(),
            asset: "coin".into(),
            amount: 10_000,
            deposit_ref: "dep-archive".into(),
            campaign: None,
        },
    )
    .await
    .unwrap();
    c.execute(
        &p.hana,
        Operation::Transfer {
            to: p.taro.address(),
            asset: "coin".into(),
            amount: 1_000,
        },
    )
    .await
    .unwrap();
    // Two transfers admitted together, the second beyond what is left once
    // the first commits: it fails in its block.
    let n = c.next_nonce(&p.hana).await.unwrap();
    let transfer = |i: u64| {
        yui_cli::sign_tx(
            "yui-test",
            &p.hana,
            n + i,
            yui_ledger::Expiry::Height(1_000_000),
            Operation::Transfer {
                to: p.taro.address(),
                asset: "coin".into(),
                amount: 6_000,
            },
        )
    };
    c.submit(&transfer(0), false).await.unwrap();
    let second = c.submit(&transfer(1), true).await.unwrap();
    assert!(!second.receipt.unwrap().success);

    let key = dir.path().join("auditor.json");
    yui_cli::keyfile::write(&key, &p.auditor).unwrap();
    let archive = dir.path().join("chain.yuiarch");
    let yui = yui_tests::bin("yui").unwrap();
    let fetch = Command::new(&yui)
        .args([
            "--node",
            &node.endpoint,
            "--output",
            "json",
            "audit",
            "fetch",
        ])
        .arg("--key")
        .arg(&key)
        .arg("--out")
        .arg(&archive)
        .output()
        .unwrap();
    assert!(
        fetch.status.success(),
        "{}",
        String::from_utf8_lossy(&fetch.stderr)
    );
    let fetched: serde_json::Value = serde_json::from_slice(&fetch.stdout).unwrap();
    assert_eq!(fetched["transactions"], 4);
    let height = fetched["blocks"].as_u64().unwrap();
    assert!(height >= 3);
    assert_eq!(
        fetched["bytes"].as_u64(),
        Some(std::fs::metadata(&archive).unwrap().len())
    );
    // Nothing but the archive is left beside it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("yuiarch"))
        .collect();
    assert_eq!(names, vec!["chain.yuiarch"]);

    // Replayed with no node (--node names a closed port) and no key.
    let replay_archive = |path: &std::path::Path| {
        Command::new(&yui)
            .args([
                "--node",
                "127.0.0.1:1",
                "--output",
                "json",
                "audit",
                "replay",
            ])
            .arg("--archive")
            .arg(path)
            .output()
            .unwrap()
    };
    let out = replay_archive(&archive);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("replayed {height} blocks and 4 transactions"))
            && stderr.contains("tx/s"),
        "{stderr}"
    );
    let from_archive: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let from_node = yui_cli::audit::replay_node(&c, &p.auditor, Some(height), |_| {})
        .await
        .unwrap();
    assert_eq!(from_node.final_height, height);
    assert_eq!(from_node.transactions, 4);
    assert_eq!(from_node.failed_transactions, 1);
    assert_eq!(from_node.assets["coin"].minted, 10_000);
    assert_eq!(from_archive, serde_json::to_value(&from_node).unwrap());
    // The command line from the node, to the same height, agrees too.
    let out = Command::new(&yui)
        .args([
            "--node",
            &node.endpoint,
            "--output",
            "json",
            "audit",
            "replay",
        ])
        .arg("--key")
        .arg(&key)
        .args(["--height", &height.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_node_cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(from_node_cli, from_archive);

    // A truncated archive: refused, naming the block.
    let bytes = std::fs::read(&archive).unwrap();
    let cut = dir.path().join("cut.yuiarch");
    std::fs::write(&cut, &bytes[..bytes.len() - 10]).unwrap();
    let out = replay_archive(&cut);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("truncated at block {height} of {height}")),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    // A flipped byte inside the block that holds the transfer: refused,
    // naming that block.
    let blocks: Vec<_> = yui_cli::audit::ArchiveReader::open(&archive)
        .unwrap()
        .map(|b| b.unwrap())
        .collect();
    let (at, with_tx) = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| (i as u64 + 1, b))
        .find(|(_, b)| yui_ledger::Block::from_bytes(&b.block).is_ok_and(|b| !b.txs.is_empty()))
        .unwrap();
    let start = bytes
        .windows(with_tx.block.len())
        .position(|w| w == with_tx.block.as_slice())
        .unwrap();
    let mut damaged = bytes.clone();
    damaged[start + with_tx.block.len() / 2] ^= 0x40;
    let flipped = dir.path().join("flipped.yuiarch");
    std::fs::write(&flipped, &damaged).unwrap();
    let out = replay_archive(&flipped);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("error: block {at}: ")), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
