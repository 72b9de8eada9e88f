//! `yui-bench crash`: kill -9 under heavy load on a running devnet.
//!
//! While `load` offers payments to one node, a validator is killed with
//! SIGKILL at a chosen instant, left down for a while, and started again
//! from its folder. Afterwards every payment the submission node
//! acknowledged as committed must be committed on every node, once and at
//! the same place, and the restarted validator must be back at the head.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use borsh::BorshDeserialize;
use yui_cli::{Client, keyfile};
use yui_consensus::CommitCertificate;
use yui_proto::v1 as pb;

use crate::bench_load::{self, Shape};

/// What to kill, when, and for how long.
pub struct Fault {
    pub node: String,
    pub at_s: f64,
    pub down_s: f64,
}

/// Every node's folder under `<dir>/nodes`, with its name, by name.
pub fn homes(dir: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut h: Vec<(String, PathBuf)> = std::fs::read_dir(dir.join("nodes"))?
        .filter_map(|e| e.ok())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    h.sort();
    Ok(h)
}

pub fn pid_of(home: &Path) -> anyhow::Result<u32> {
    let s = std::fs::read_to_string(home.join("pid"))?;
    Ok(s.trim().parse()?)
}

/// Starts `yui-node` again on its folder; its log goes on in the same file.
pub fn start(home: &Path) -> anyhow::Result<u32> {
    let node = std::env::current_exe()?.with_file_name("yui-node");
    crate::process::start_node(&node, home, true)
}

pub async fn height(endpoint: &str) -> Option<u64> {
    let c = Client::connect(endpoint).await.ok()?;
    c.status().await.ok().map(|s| s.height)
}

/// The gRPC endpoint a node's config names.
pub fn endpoint_of(home: &Path) -> anyhow::Result<String> {
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
    let homes = homes(dir)?;
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
    let out = match bench_load::load(
        dir,
        node,
        shape,
        None,
        None,
        bench_load::Control {
            on_start: Some(started_tx),
            stop: None,
        },
    )
    .await
    {
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
    let checked = check_chains(dir, &homes, node, &out.acked).await?;
    println!(
        "all {} nodes hold identical blocks 1..={}; all {} acknowledged payments are in them exactly once",
        homes.len(),
        checked.head,
        out.acked.len()
    );
    let auditor = keyfile::read(&dir.join("keys/auditor.json"))?;
    let c = Client::connect(&victim_endpoint).await?;
    let report = yui_cli::audit::replay(&c, &auditor, |_, _| {}).await?;
    println!(
        "the auditor's replay through {name} verified {} transactions in {} blocks",
        report.transactions, report.blocks
    );
    Ok(())
}

/// What [`check_chains`] found.
pub struct Checked {
    pub head: u64,
    /// The certificate of every height, 1..=head.
    pub certificates: Vec<CommitCertificate>,
}

/// After a run with crashes: every node reaches the entry node's head and
/// holds identical blocks at every height, and every acknowledged
/// transaction is in them exactly once.
pub async fn check_chains(
    dir: &Path,
    homes: &[(String, PathBuf)],
    entry: &str,
    acked: &[Vec<u8>],
) -> anyhow::Result<Checked> {
    let head = height(entry).await.unwrap_or(0);
    for (name, home) in homes {
        let endpoint = endpoint_of(home)?;
        let since = Instant::now();
        while height(&endpoint).await.unwrap_or(0) < head {
            anyhow::ensure!(
                since.elapsed() < Duration::from_secs(60),
                "{name} did not reach height {head} within 60 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let auditor = keyfile::read(&dir.join("keys/auditor.json"))?;
    let mut reference: Option<Vec<yui_ledger::Hash>> = None;
    let mut certificates = Vec::new();
    let mut count: HashMap<yui_ledger::Hash, u32> = HashMap::new();
    for (name, home) in homes {
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
                let cert = CommitCertificate::try_from_slice(&b.raw_certificate).map_err(|e| {
                    anyhow::anyhow!("{name}'s certificate {}: {e}", hashes.len() + 1)
                })?;
                certificates.push(cert);
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
    for hash in acked {
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
    Ok(Checked { head, certificates })
}
