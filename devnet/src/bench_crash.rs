//! `yui-bench crash`: kill -9 under heavy load on a running devnet.
//!
//! While `load` offers payments to one node, a validator is killed with
//! SIGKILL at a chosen instant, left down for a while, and started again
//! from its folder. Afterwards every payment the submission node
//! acknowledged as committed must be committed on every node, once and at
//! the same place, and the restarted validator must be back at the head.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use yui_cli::{Client, keyfile};
use yui_proto::v1 as pb;

use crate::bench_load::{self, Shape};

/// What to kill, when, and for how long.
pub struct Fault {
    pub node: String,
    pub at_s: f64,
    pub down_s: f64,
}

fn pid_of(home: &Path) -> anyhow::Result<u32> {
    let s = std::fs::read_to_string(home.join("pid"))?;
    Ok(s.trim().parse()?)
}

/// Starts `yui-node` again on its folder; its log goes on in the same file.
fn start(home: &Path) -> anyhow::Result<u32> {
    let node = std::env::current_exe()?.with_file_name("yui-node");
    crate::process::start_node(&node, home, true)
}

async fn height(endpoint: &str) -> Option<u64> {
    let c = Client::connect(endpoint).await.ok()?;
    c.status().await.ok().map(|s| s.height)
}

/// The gRPC endpoint a node's config names.
fn endpoint_of(home: &Path) -> anyhow::Result<String> {
    let cfg: toml::Value = toml::from_str(&std::fs::read_to_string(home.join("config.toml"))?)?;
    cfg.get("api")
        .and_then(|a| a.get("listen"))
        .and_then(|l| l.as_str())
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("{}: no api.listen", home.display()))
}

pub async fn run(dir: &Path, node: &str, shape: Shape, fault: Fault) -> anyhow::Result<()> {
    anyhow::ensure!(
        fault.at_s.is_finite()
            && fault.at_s >= 0.0
            && fault.down_s.is_finite()
            && fault.down_s >= 0.0,
        "--at and --down are seconds, 0 or more"
    );
    let homes: Vec<(String, std::path::PathBuf)> = std::fs::read_dir(dir.join("nodes"))?
        .filter_map(|e| e.ok())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    let victim = homes
        .iter()
        .find(|(n, _)| *n == fault.node)
        .map(|(_, h)| h.clone())
        .ok_or_else(|| anyhow::anyhow!("no node named {} in {}", fault.node, dir.display()))?;
    let victim_endpoint = endpoint_of(&victim)?;
    // Accounts are funded first; the fault's clock starts with the offering.
    let (started_tx, started) = tokio::sync::oneshot::channel();
    let name = fault.node.clone();
    let killer = {
        let (victim, victim_endpoint, entry) =
            (victim.clone(), victim_endpoint.clone(), node.to_string());
        tokio::spawn(async move {
            started.await?;
            tokio::time::sleep(Duration::from_secs_f64(fault.at_s)).await;
            let pid = pid_of(&victim)?;
            let st = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status()?;
            anyhow::ensure!(st.success(), "kill -9 {pid} failed");
            println!("\nkilled {} (pid {pid}) with SIGKILL", fault.node);
            tokio::time::sleep(Duration::from_secs_f64(fault.down_s)).await;
            let pid = start(&victim)?;
            let restarted = Instant::now();
            println!("restarted {} (pid {pid})", fault.node);
            // Back at the head: within one block of the entry node, under
            // the load still running.
            while restarted.elapsed() < Duration::from_secs(60) {
                let (v, e) = (height(&victim_endpoint).await, height(&entry).await);
                if let (Some(v), Some(e)) = (v, e)
                    && v + 1 >= e
                {
                    return anyhow::Ok(Some(restarted.elapsed()));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            anyhow::Ok(None)
        })
    };
    let out = match bench_load::load(dir, node, shape, None, None, Some(started_tx)).await {
        Ok(out) => out,
        Err(e) => {
            // Leave no validator down: let the killer restart it first.
            let _ = killer.await;
            return Err(e);
        }
    };
    let caught_up = killer.await??.ok_or_else(|| {
        anyhow::anyhow!("{name} was not back within one block of the head 60 s after its restart")
    })?;
    println!(
        "{name} was back within one block of the head {:.1} s after its restart",
        caught_up.as_secs_f64()
    );
    // Everyone reaches the entry node's head.
    let head = height(node).await.unwrap_or(0);
    let since = Instant::now();
    while height(&victim_endpoint).await.unwrap_or(0) < head {
        anyhow::ensure!(
            since.elapsed() < Duration::from_secs(60),
            "{name} did not reach height {head}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Every node holds the same blocks; every acknowledged payment is in
    // them exactly once; the auditor's replay through the restarted node
    // verifies every certificate, signature and root.
    let auditor = keyfile::read(&dir.join("keys/auditor.json"))?;
    let head = height(node).await.unwrap_or(0);
    let mut reference: Option<Vec<yui_ledger::Hash>> = None;
    let mut count: HashMap<yui_ledger::Hash, u32> = HashMap::new();
    for (name, home) in &homes {
        let c = Client::connect(&endpoint_of(home)?).await?;
        let req = pb::StreamBlocksRequest {
            from_height: 1,
            auth: Some(c.read_auth(&auditor, &yui_ledger::Address::ZERO)),
        };
        let mut stream = c.chain.clone().stream_blocks(req).await?.into_inner();
        let mut hashes = Vec::new();
        while (hashes.len() as u64) < head {
            let b = tokio::time::timeout(Duration::from_secs(30), stream.message())
                .await
                .map_err(|_| anyhow::anyhow!("{name} sent no block for 30 s"))??
                .ok_or_else(|| anyhow::anyhow!("{name} ended its blocks at {}", hashes.len()))?;
            let block = yui_ledger::Block::from_bytes(&b.raw)
                .map_err(|e| anyhow::anyhow!("{name}'s block {}: {e}", hashes.len() + 1))?;
            if reference.is_none() {
                for tx in &block.txs {
                    *count.entry(tx.hash()).or_default() += 1;
                }
            }
            hashes.push(block.hash());
        }
        match &reference {
            None => reference = Some(hashes),
            Some(r) => {
                if let Some(h) = (0..r.len()).find(|&i| r[i] != hashes[i]) {
                    anyhow::bail!("{name} differs at height {}", h + 1);
                }
            }
        }
    }
    for hash in &out.acked {
        let n = <[u8; 32]>::try_from(hash.as_slice())
            .ok()
            .and_then(|h| count.get(&h).copied())
            .unwrap_or(0);
        anyhow::ensure!(
            n == 1,
            "acknowledged {} is in the chain {n} times",
            hex::encode(hash)
        );
    }
    println!(
        "all {} nodes hold identical blocks 1..={head}; all {} acknowledged payments are in them exactly once",
        homes.len(),
        out.acked.len()
    );
    let c = Client::connect(&victim_endpoint).await?;
    let report = yui_cli::audit::replay(&c, &auditor, |_, _| {}).await?;
    println!(
        "the auditor's replay through {name} verified {} transactions in {} blocks",
        report.transactions, report.blocks
    );
    Ok(())
}
