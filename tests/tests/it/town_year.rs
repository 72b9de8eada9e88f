//! `yui-devnet year`: a simulated year of a town written as a real chain.
//! The same seed gives the same chain byte for byte; the devnet serves it,
//! goes on from its last block, and the auditor's replay verifies it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use yui_cli::Client;
use yui_node::storage::Store;
use yui_tests::{Devnet, bin};

/// A small town: 110 days take in July's voucher sale and seven
/// redemption days.
const SMALL: [&str; 8] = [
    "--residents",
    "60",
    "--merchants",
    "12",
    "--days",
    "110",
    "--seed",
    "5",
];

fn write_only(dir: &Path, seed: &str) -> Store {
    let mut args: Vec<&str> = SMALL.to_vec();
    args[7] = seed;
    let st = Command::new(bin("yui-devnet").expect("yui-devnet"))
        .arg("--dir")
        .arg(dir)
        .arg("year")
        .args(&args)
        .args(["--no-start", "--port", "7901"])
        .stdout(Stdio::null())
        .status()
        .expect("yui-devnet runs");
    assert!(st.success(), "yui-devnet year --no-start failed");
    Store::open(&dir.join("nodes/city/data/db")).expect("the city's store opens")
}

#[test]
fn the_same_seed_writes_the_same_chain_and_another_seed_another() {
    let t = tempfile::tempdir().expect("tempdir");
    let a = write_only(&t.path().join("a"), "5");
    let b = write_only(&t.path().join("b"), "5");
    let c = write_only(&t.path().join("c"), "6");
    let top = a.last_height().expect("height").expect("blocks");
    assert!(top > 100, "a 110-day year has more than 100 blocks: {top}");
    assert_eq!(b.last_height().expect("height"), Some(top));
    for h in 1..=top {
        let (x, y) = (a.block(h).expect("read"), b.block(h).expect("read"));
        assert_eq!(
            x.map(|b| b.to_bytes()),
            y.map(|b| b.to_bytes()),
            "block {h} differs between two runs of one seed"
        );
    }
    let last = |s: &Store| s.block(top).ok().flatten().map(|b| b.header.state_root);
    assert_ne!(last(&a), last(&c), "another seed gave the same state");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_of_a_town_is_served_verified_and_goes_on() {
    let t = tempfile::tempdir().expect("tempdir");
    let net = Devnet::year(t.path(), &SMALL).expect("yui-devnet year");
    let c = Client::connect(&net.endpoint("observer"))
        .await
        .expect("connect");
    let h0 = c.status().await.expect("status").height;
    assert!(h0 > 100, "the devnet starts on the year's blocks: {h0}");
    // The validators go on from the year's last block at today's time.
    let mut h1 = h0;
    for _ in 0..100 {
        h1 = c.status().await.expect("status").height;
        if h1 > h0 + 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(h1 > h0 + 2, "no new block after the year: {h0} → {h1}");
    let auditor = net.key("auditor").expect("auditor key");
    let r = yui_cli::audit::replay(&c, &auditor, |_, _| {})
        .await
        .expect("the auditor's replay verifies the year");
    assert_eq!(r.chain_id, "yui-town");
    assert!(r.transactions > 800, "{} transactions", r.transactions);
    assert!(
        r.failed_transactions * 100 <= r.transactions,
        "{} of {} transactions failed",
        r.failed_transactions,
        r.transactions
    );
    assert!(r.credentials_issued >= 40, "{}", r.credentials_issued);
    let coin = &r.assets["coin"];
    assert!(coin.minted > 0 && coin.paid_to_merchants > 0 && coin.redeemed > 0);
    assert!(coin.paid_to_merchants < coin.minted);
    assert!(coin.transferred > 0, "no gifts between neighbours");
    assert!(coin.refunded > 0, "no refunds");
    let voucher = &r.assets["voucher"];
    assert!(voucher.minted > 0, "no voucher sale in July");
    assert!(voucher.paid_to_merchants > 0);
    assert!(r.assets["point"].minted > 0 && r.assets["yui"].minted > 0);

    // The auditor's report of the same chain: figures per month, the
    // privacy rules applied, no account named.
    let out = t.path().join("report");
    let st = Command::new(bin("yui").expect("yui"))
        .args([
            "--node",
            &net.endpoint("observer"),
            "audit",
            "report",
            "--key",
        ])
        .arg(t.path().join("keys/auditor.json"))
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .status()
        .expect("yui runs");
    assert!(st.success(), "yui audit report failed");
    let csv = std::fs::read_to_string(out.join("figures.csv")).expect("figures.csv");
    assert!(csv.starts_with("period,subject,metric,value,withheld\n"));
    // Dates in the node's zone (Asia/Tokyo): the year starts on 1 April.
    let charged_april = csv
        .lines()
        .find(|l| l.starts_with("2025-04,coin,issued_charge,"))
        .expect("April's charges");
    assert!(
        charged_april
            .split(',')
            .nth(3)
            .is_some_and(|v| v.parse::<u64>().is_ok_and(|v| v > 0))
    );
    // One public facility among 12 shops: its class total is withheld.
    assert!(
        csv.lines()
            .any(|l| l.contains(",spent_public,") && l.ends_with("fewer than k merchants")),
        "the public class's single shop is published"
    );
    // How it circulates, and the flows between groups.
    for metric in [
        "holding_hours_mean",
        "holdings_gini_permille",
        "cycle_share_permille",
        "respend_hop_1_permille",
        "campaign_cost_permille",
    ] {
        assert!(csv.contains(&format!(",{metric},")), "no {metric}");
    }
    let flows = std::fs::read_to_string(out.join("flows.csv")).expect("flows.csv");
    assert!(flows.starts_with("period,asset,from,to,value,withheld\n"));
    assert!(
        flows.lines().any(|l| l
            .strip_prefix("2025-04,coin,issuer,resident,")
            .is_some_and(|v| v.trim_end_matches(',').parse::<u64>().is_ok_and(|v| v > 0))),
        "April's charges as a flow from the issuer to residents"
    );
    // The devnet went on to today: 30 September 2025 is a base date of the
    // half-deposit test, and 60 residents hold far less than ¥10M.
    assert!(csv.contains("\n2025-09-30,prepaid,psa_over_threshold,0,\n"));
    for name in ["hana", "city", "chamber"] {
        let k = net.key(name).expect("key");
        for (file, text) in [("figures.csv", &csv), ("flows.csv", &flows)] {
            assert!(!text.contains(&k.address().to_hex()), "{file} names {name}");
        }
    }
}
