//! Reading an account and the chain: history, the live stream, the audit.

use std::path::Path;

use serde_json::json;
use yui_cli::Client;
use yui_cli::cmd::reader;
use yui_cli::keyfile;
use yui_cli::render::{Output, date_s, event_json, event_text, print, receipt_json, tx_json};
use yui_proto::v1 as pb;

/// Where `yui audit replay` takes its blocks from.
pub enum ReplayFrom<'a> {
    Node(&'a Client, &'a Path),
    Archive(&'a Path),
}

/// `yui audit replay`: the replay with a progress bar (blocks, ETA,
/// transactions per second), then the report, and the rate achieved on
/// standard error.
pub async fn audit(from: ReplayFrom<'_>, out: Output, height: Option<u64>) -> anyhow::Result<()> {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "replaying {bar:40} {pos}/{len} blocks, {msg} (eta {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let start = std::time::Instant::now();
    let shown = bar.clone();
    let mut last_message = start;
    let progress = move |p: &yui_cli::audit::Progress| {
        shown.set_length(p.total_blocks);
        shown.set_position(p.blocks);
        let now = std::time::Instant::now();
        if now.duration_since(last_message).as_millis() >= 200 || p.blocks == p.total_blocks {
            last_message = now;
            shown.set_message(format!(
                "{} tx at {:.0} tx/s",
                p.transactions,
                rate(p.transactions, now.duration_since(start))
            ));
        }
    };
    let report = match from {
        ReplayFrom::Node(c, key) => {
            let k = keyfile::read(key)?;
            yui_cli::audit::replay_node(c, &k, height, progress).await
        }
        ReplayFrom::Archive(path) => yui_cli::audit::replay_archive(path, height, progress),
    };
    let took = start.elapsed();
    bar.finish_and_clear();
    let r = report?;
    eprintln!(
        "replayed {} blocks and {} transactions in {:.2} s: {:.0} tx/s",
        r.blocks,
        r.transactions,
        took.as_secs_f64(),
        rate(r.transactions, took)
    );
    let mut text = format!(
        "chain {} verified: {} blocks, {} transactions ({} failed in block), {} certificate signatures, {} active accounts\nstate root at height {}: {}\n",
        r.chain_id,
        r.blocks,
        r.transactions,
        r.failed_transactions,
        r.certificate_signatures,
        r.active_accounts,
        r.final_height,
        r.final_state_root
    );
    text.push_str(&format!(
        "governance: {} proposals carried out, {} validator set changes; validators after the last block: {}
credentials issued: {}
",
        r.proposals_executed,
        r.validator_set_changes,
        r.final_validators.join(", "),
        r.credentials_issued
    ));
    for (asset, f) in &r.assets {
        text.push_str(&format!(
            "  {asset:<10} minted {:>10} burned {:>8} expired {:>8} paid to merchants {:>10} refunded {:>8} redeemed {:>8}\n",
            f.minted, f.burned, f.expired, f.paid_to_merchants, f.refunded, f.redeemed
        ));
    }
    for (id, k) in &r.contracts {
        let budget: Vec<String> = k
            .budget
            .iter()
            .map(|(a, (allotted, granted))| format!("{granted} of {allotted} {a}"))
            .collect();
        text.push_str(&format!(
            "  contract {id} [{}]: {} calls ({} failed), {} fuel; budget spent: {}\n",
            k.status,
            k.calls + k.failed_calls,
            k.failed_calls,
            k.fuel_used,
            if budget.is_empty() {
                "none".into()
            } else {
                budget.join(", ")
            }
        ));
    }
    print(out, serde_json::to_value(&r)?, text.trim_end().to_string());
    Ok(())
}

fn rate(n: u64, took: std::time::Duration) -> f64 {
    n as f64 / took.as_secs_f64().max(1e-9)
}

/// `yui audit fetch`: the node's genesis and blocks into an archive file.
pub async fn fetch(
    c: &Client,
    out: Output,
    key: &Path,
    file: &Path,
    height: Option<u64>,
) -> anyhow::Result<()> {
    let k = keyfile::read(key)?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "fetching {bar:40} {pos}/{len} blocks ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let fetched = yui_cli::audit::fetch(c, &k, file, height, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await;
    bar.finish_and_clear();
    let f = fetched?;
    let text = format!(
        "archived chain {}: {} blocks, {} transactions, {} bytes in {}",
        f.chain_id,
        f.blocks,
        f.transactions,
        f.bytes,
        file.display()
    );
    print(out, serde_json::to_value(&f)?, text);
    Ok(())
}

pub async fn history(
    c: &Client,
    out: Output,
    key: &Path,
    account: Option<&str>,
    limit: u32,
) -> anyhow::Result<()> {
    let (k, who) = reader(key, account)?;
    let req = pb::GetHistoryRequest {
        address: who.0.to_vec(),
        auth: Some(c.read_auth(&k, &who)),
        limit,
        page_token: vec![],
    };
    let r = c.accounts.clone().get_history(req).await?.into_inner();
    let v: Vec<_> = r
        .entries
        .iter()
        .map(|e| json!({"height": e.height, "time_ms": e.time_ms, "tx": e.tx.as_ref().map(tx_json), "receipt": e.receipt.as_ref().map(receipt_json)}))
        .collect();
    let text = r
        .entries
        .iter()
        .map(|e| {
            let op =
                e.tx.as_ref()
                    .map_or("block start".to_string(), |t| t.operation.clone());
            let ev = e
                .receipt
                .as_ref()
                .map(|r| r.events.iter().map(event_text).collect::<String>())
                .unwrap_or_default();
            format!("#{:<6} {} {op}{ev}", e.height, date_s(e.time_ms))
        })
        .collect::<Vec<_>>()
        .join("\n");
    print(out, json!(v), text);
    Ok(())
}

pub async fn watch(
    c: &Client,
    out: Output,
    key: &Path,
    account: Option<&str>,
) -> anyhow::Result<()> {
    let (k, who) = reader(key, account)?;
    let req = pb::StreamEventsRequest {
        address: who.0.to_vec(),
        auth: Some(c.read_auth(&k, &who)),
    };
    let mut s = c.accounts.clone().stream_events(req).await?.into_inner();
    while let Some(ev) = s.message().await? {
        let when = date_s(ev.time_ms);
        match (ev.event, ev.failure) {
            (_, Some(f)) => print(
                out,
                json!({"height": ev.height, "time_ms": ev.time_ms, "tx_hash": hex::encode(&ev.tx_hash),
                       "failure": {"operation": f.operation, "signer": hex::encode(&f.signer), "error": f.error}}),
                format!(
                    "#{} {when}\n    FAILED {} by {}: {}",
                    ev.height,
                    f.operation,
                    yui_cli::render::short(&f.signer),
                    f.error
                ),
            ),
            (e, None) => {
                let e = e.unwrap_or_default();
                print(
                    out,
                    json!({"height": ev.height, "time_ms": ev.time_ms, "tx_hash": hex::encode(&ev.tx_hash), "event": event_json(&e)}),
                    format!("#{} {when}{}", ev.height, event_text(&e)),
                );
            }
        }
    }
    Ok(())
}
