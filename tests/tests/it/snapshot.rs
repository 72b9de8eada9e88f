//! A new node starts from a trusted state snapshot instead of replaying the
//! chain: the devnet's observer is stopped and its state exported; a new
//! machine with the observer's identity and an empty disk imports it,
//! trusting the block hash another operator's node reports, then follows
//! the chain from there. It serves the same block, state root and balances
//! as the validators, and says plainly that it holds no earlier block.

use std::process::Command;
use std::time::Duration;

use yui_cli::Client;
use yui_ledger::Operation;
use yui_proto::v1 as pb;
use yui_tests::{Devnet, bin};

async fn wait_for<F: AsyncFnMut() -> bool>(secs: u64, mut cond: F) -> bool {
    for _ in 0..secs * 10 {
        if cond().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

async fn block(c: &Client, height: u64) -> Result<pb::Block, tonic::Status> {
    c.chain
        .clone()
        .get_block(pb::GetBlockRequest {
            height,
            hash: vec![],
            auth: None,
        })
        .await
        .map(|r| r.into_inner())
}

/// Runs `yui-node snapshot …`; its stdout, or its stderr as the error.
fn snapshot(args: &[&str]) -> Result<String, String> {
    let out = Command::new(bin("yui-node").unwrap())
        .arg("snapshot")
        .args(args)
        .output()
        .unwrap();
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn field<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name} in:\n{out}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_observer_starts_from_a_snapshot_and_keeps_up() {
    let dir = tempfile::tempdir().unwrap();
    let net = Devnet::up(dir.path()).unwrap();
    let city = net.key("city").unwrap();
    let hana = net.key("hana").unwrap();
    let shop = net.key("sakura-bakery").unwrap().address();
    let chamber = Client::connect(&net.endpoint("chamber")).await.unwrap();
    let charge = Operation::Charge {
        to: hana.address(),
        asset: "coin".into(),
        amount: 10_000,
        deposit_ref: "snapshot-fund".into(),
        campaign: None,
    };
    chamber.execute(&city, charge).await.unwrap();
    let pay = |i: u32| Operation::Pay {
        merchant: shop,
        invoice_id: format!("snap-{i}"),
        amount: 100 + i as u64,
        assets: vec![],
    };
    for i in 0..3 {
        chamber.execute(&hana, pay(i)).await.unwrap();
    }
    let target = chamber.status().await.unwrap().height;
    let h = async |name: &str| net.height(name).await.unwrap_or(0);
    assert!(wait_for(30, async || h("observer").await >= target).await);

    // The observer stops; its state is exported. Exporting from a running
    // node is refused (checked first, while it still runs).
    let old = net.home("observer");
    let snap = dir.path().join("observer.snap");
    let (old_s, snap_s) = (old.to_str().unwrap(), snap.to_str().unwrap());
    let busy = snapshot(&["export", "--home", old_s, "--out", snap_s]).unwrap_err();
    assert!(busy.contains("stop the node"), "{busy}");
    net.kill9("observer");
    let out = snapshot(&["export", "--home", old_s, "--out", snap_s]).unwrap();
    let n: u64 = field(&out, "height").parse().unwrap();
    assert!(n >= target, "{out}");
    // The hash to trust comes from another operator's node.
    let at_n = block(&chamber, n).await.unwrap().header.unwrap();
    let trusted = hex::encode(&at_n.hash);
    assert_eq!(field(&out, "block_hash"), trusted);
    assert_eq!(field(&out, "state_root"), hex::encode(&at_n.state_root));

    // A new machine: the observer's identity and configuration, an empty disk.
    std::fs::rename(&old, dir.path().join("observer-old")).unwrap();
    std::fs::create_dir_all(&old).unwrap();
    for f in ["config.toml", "node_key.json", "genesis.json"] {
        std::fs::copy(dir.path().join("observer-old").join(f), old.join(f)).unwrap();
    }
    let wrong = snapshot(&[
        "import",
        "--home",
        old_s,
        "--file",
        snap_s,
        "--trust-hash",
        &"00".repeat(32),
    ])
    .unwrap_err();
    assert!(wrong.contains("not the trusted hash"), "{wrong}");
    let imported = snapshot(&[
        "import",
        "--home",
        old_s,
        "--file",
        snap_s,
        "--trust-hash",
        &trusted,
    ])
    .unwrap();
    assert_eq!(field(&imported, "height"), n.to_string());
    net.restart("observer").unwrap();

    // It starts at N and follows the chain from its peers.
    assert!(
        wait_for(60, async || h("observer").await >= n + 3).await,
        "the imported observer does not keep up; log:\n{}",
        std::fs::read_to_string(old.join("node.log")).unwrap_or_default()
    );
    let obs = Client::connect(&net.endpoint("observer")).await.unwrap();
    let mine = block(&obs, n).await.unwrap().header.unwrap();
    assert_eq!((mine.hash, mine.state_root), (at_n.hash, at_n.state_root));
    // New transactions reach it.
    chamber.execute(&hana, pay(9)).await.unwrap();
    let now = chamber.status().await.unwrap().height;
    assert!(wait_for(30, async || h("observer").await >= now).await);
    let auditor = net.key("auditor").unwrap();
    for who in [hana.address(), shop, city.address()] {
        assert_eq!(
            obs.balance(&auditor, &who, "coin").await.unwrap(),
            chamber.balance(&auditor, &who, "coin").await.unwrap(),
        );
    }
    assert!(obs.balance(&auditor, &shop, "coin").await.unwrap() >= 100 + 101 + 102 + 109);
    let later = block(&obs, now).await.unwrap().header.unwrap();
    let theirs = block(&chamber, now).await.unwrap().header.unwrap();
    assert_eq!(later.state_root, theirs.state_root);

    // Blocks below N: not held, and it says why.
    let e = block(&obs, n - 1).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::NotFound);
    assert!(e.message().contains("snapshot"), "{}", e.message());
}
