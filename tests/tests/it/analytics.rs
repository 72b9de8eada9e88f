//! The Analytics service on a served simulated town: a node's live figures
//! equal the auditor's report of the same height (same k, same period), a
//! k below the node's floor is refused, a figure withheld in one is
//! withheld in the other, and a watcher hears of new blocks.

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use yui_cli::Client;
use yui_proto::v1 as pb;
use yui_tests::{Devnet, bin};

const TOWN: [&str; 8] = [
    "--residents",
    "100",
    "--merchants",
    "12",
    "--days",
    "20",
    "--seed",
    "11",
];

/// The node's figures as `yui audit report --output json` prints them.
fn as_report(r: &pb::FiguresReply) -> Vec<Value> {
    let why = |w: &str| (!w.is_empty()).then(|| w.to_string());
    let figures = r.figures.iter().map(|f| {
        json!({"period": f.period, "subject": f.subject, "metric": f.metric,
               "value": f.value, "withheld": why(&f.withheld_reason)})
    });
    let cells = r.flows.iter().map(|c| {
        json!({"period": c.period, "subject": c.asset, "metric": format!("flow:{}>{}", c.from, c.to),
               "value": c.value, "withheld": why(&c.withheld_reason)})
    });
    figures.chain(cells).collect()
}

async fn figures(c: &Client, k: u32) -> Result<pb::FiguresReply, tonic::Status> {
    c.analytics
        .clone()
        .figures(pb::FiguresRequest {
            period: pb::Period::Month as i32,
            asset: String::new(),
            k,
        })
        .await
        .map(|r| r.into_inner())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nodes_live_figures_are_the_auditors_report_and_stay_k_safe() {
    let t = tempfile::tempdir().expect("tempdir");
    let net = Devnet::year(t.path(), &TOWN).expect("yui-devnet year");
    let ep = net.endpoint("observer");
    let c = Client::connect(&ep).await.expect("connect");

    // Built from the stored year at startup: UNAVAILABLE only until then.
    let mut live = None;
    for _ in 0..300 {
        match figures(&c, 0).await {
            Ok(r) => {
                live = Some(r);
                break;
            }
            Err(s) if s.code() == tonic::Code::Unavailable => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(s) => panic!("Figures: {s}"),
        }
    }
    let r = live.expect("the node's aggregates are ready within 30 s");
    assert_eq!(r.k, 10, "k = 0 means the node's floor");
    assert_eq!(r.time_zone, "Asia/Tokyo");
    assert!(r.height > 20, "the year's blocks are in: {}", r.height);
    assert!(r.periods.iter().any(|p| p == "2025-04"), "{:?}", r.periods);

    // The auditor's report of the same height, from a verifying replay.
    let out = Command::new(bin("yui").expect("yui"))
        .args([
            "--node", &ep, "--output", "json", "audit", "report", "--key",
        ])
        .arg(t.path().join("keys/auditor.json"))
        .args(["--height", &r.height.to_string(), "--k", "10"])
        .stderr(Stdio::null())
        .output()
        .expect("yui runs");
    assert!(out.status.success(), "yui audit report failed");
    let report: Vec<Value> = serde_json::from_slice(&out.stdout).expect("the report's JSON");
    let node = as_report(&r);
    assert!(report.len() > 100, "{} figures", report.len());
    assert_eq!(node.len(), report.len(), "as many figures as the report");
    for (n, a) in node.iter().zip(&report) {
        assert_eq!(n, a, "the node's figure differs from the report's");
    }

    // Withheld in both, with a code as well as the words; never a value.
    let withheld: Vec<&pb::Figure> = r
        .figures
        .iter()
        .filter(|f| !f.withheld_reason.is_empty())
        .collect();
    assert!(!withheld.is_empty(), "a small town has withheld figures");
    for f in &withheld {
        assert_eq!(f.value, None, "{f:?}");
        assert_ne!(f.withheld, pb::Withheld::None as i32, "{f:?}");
    }
    let public: Vec<_> = r
        .figures
        .iter()
        .filter(|f| f.metric == "spent_public" && f.subject == "coin")
        .collect();
    assert!(!public.is_empty());
    assert!(
        public.iter().all(|f| f.value.is_none() && f.withheld != 0),
        "the public class's single shop is not published: {public:?}"
    );
    assert!(
        r.flows
            .iter()
            .all(|c| c.withheld_reason.is_empty() == c.value.is_some())
    );

    // Below the floor: refused. A larger k withholds more.
    let low = figures(&c, 5).await.expect_err("k = 5 is below the floor");
    assert_eq!(low.code(), tonic::Code::InvalidArgument, "{low}");
    let bad = c
        .analytics
        .clone()
        .figures(pb::FiguresRequest {
            period: 99,
            asset: String::new(),
            k: 0,
        })
        .await
        .expect_err("an unknown period");
    assert_eq!(bad.code(), tonic::Code::InvalidArgument, "{bad}");
    let strict = figures(&c, 40).await.expect("k = 40");
    let count = |r: &pb::FiguresReply| r.figures.iter().filter(|f| f.value.is_none()).count();
    assert!(
        count(&strict) > count(&r),
        "k = 40 withholds more than k = 10"
    );

    // One asset: none of another's figures or cells.
    let coin = c
        .analytics
        .clone()
        .figures(pb::FiguresRequest {
            period: pb::Period::Week as i32,
            asset: "coin".into(),
            k: 0,
        })
        .await
        .expect("coin by week")
        .into_inner();
    assert!(
        coin.periods.iter().any(|p| p.contains("-W")),
        "{:?}",
        coin.periods
    );
    assert!(coin.figures.iter().any(|f| f.subject == "coin"));
    assert!(
        coin.figures
            .iter()
            .all(|f| !["voucher", "point", "yui"].contains(&f.subject.as_str()))
    );
    assert!(coin.flows.iter().all(|c| c.asset == "coin"));

    // The CLI prints the same reply, with the time as a date.
    let cli = Command::new(bin("yui").expect("yui"))
        .args(["--node", &ep, "--output", "json", "analytics", "figures"])
        .output()
        .expect("yui runs");
    assert!(cli.status.success(), "yui analytics figures failed");
    let v: Value = serde_json::from_slice(&cli.stdout).expect("json");
    assert!(v["height"].as_u64().is_some_and(|h| h >= r.height));
    assert!(
        v["time"].as_str().is_some_and(|d| d.ends_with("JST")),
        "{v}"
    );
    assert!(v["figures"].as_array().is_some_and(|f| !f.is_empty()));

    // A watcher: the current period at once, then again after new blocks
    // (the validators go on from the year's last block).
    let mut w = c
        .analytics
        .clone()
        .watch_figures(pb::WatchFiguresRequest {
            period: pb::Period::Day as i32,
            asset: String::new(),
            k: 0,
        })
        .await
        .expect("watch")
        .into_inner();
    let first = w.message().await.expect("stream").expect("a first reply");
    assert!(first.periods.len() <= 1, "{:?}", first.periods);
    let next = tokio::time::timeout(Duration::from_secs(30), w.message())
        .await
        .expect("a reply after the next block")
        .expect("stream")
        .expect("a reply");
    assert!(
        next.height > first.height,
        "{} → {}",
        first.height,
        next.height
    );
    assert!(
        next.figures
            .iter()
            .all(|f| next.periods.contains(&f.period)),
        "only the current period"
    );
    drop(w);
    // The node goes on serving after the watcher went.
    figures(&c, 0).await.expect("Figures after a watcher left");
}
