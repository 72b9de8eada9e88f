//! `yui-bench`: Yui's benchmark programs (not timed tests).
//!
//! `verify` measures ed25519 signature verification under Yui's rule (ADR
//! 0006), singly on one core and in batches on one and two threads — the
//! bound on throughput, since every validator verifies every transaction
//! signature. `load` drives a running devnet with
//! an open-loop stream of signed payments over gRPC and reports sustained
//! throughput and submit-to-commit latency. `contracts` measures the
//! contract engine and the ledger's contract path in-process.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

mod bench_contracts;
mod bench_verify;
use tokio::sync::Mutex;
use yui_cli::{Client, keyfile, sign_tx};
use yui_ledger::{Expiry, Keypair, Operation};

#[derive(Parser)]
#[command(name = "yui-bench", about = "Yui benchmark programs")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// ed25519 verifications per second: single on one core, and batches of
    /// 64, 256 and 1024 on one and two threads (medians of runs).
    Verify {
        #[arg(long, default_value_t = 20_000)]
        signatures: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Open-loop payments against a running devnet (`yui-devnet up`).
    Load {
        /// The devnet's folder (keys are read from <dir>/keys).
        #[arg(long, default_value = ".devnet")]
        dir: PathBuf,
        #[arg(long, default_value = "127.0.0.1:7001")]
        node: String,
        /// Offered load, payments per second.
        #[arg(long, default_value_t = 1_000)]
        rate: u64,
        /// Measured seconds (after one second of warm-up).
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Paying accounts (each pays in nonce order).
        #[arg(long, default_value_t = 200)]
        accounts: usize,
        /// Append one line (rate, sustained tx/s, p50, p99, max ms) to this CSV file.
        #[arg(long)]
        csv: Option<PathBuf>,
        /// Offer calls of this contract's method instead of payments
        /// (CONTRACT:METHOD, no arguments; `counter:tick` deploys a counter).
        #[arg(long)]
        call: Option<String>,
    },
    /// The contract engine in-process: time per million fuel, validation by
    /// code size, calls per second through the block executor.
    Contracts {
        /// Where the built contracts are.
        #[arg(
            long,
            default_value = "wasm-contracts/contracts/target/wasm32v1-none/release"
        )]
        dir: PathBuf,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().cmd {
        Cmd::Verify { signatures, runs } => {
            bench_verify::run(signatures, runs);
            Ok(())
        }
        Cmd::Load {
            dir,
            node,
            rate,
            seconds,
            accounts,
            csv,
            call,
        } => {
            let shape = Shape {
                rate,
                seconds,
                accounts,
            };
            load(&dir, &node, shape, csv.as_deref(), call.as_deref()).await
        }
        Cmd::Contracts { dir, runs } => bench_contracts::run(&dir, runs),
    }
}

struct Stats {
    latencies_ms: Vec<f64>,
    committed: u64,
    refused: u64,
    errors: Vec<String>,
}

/// The offered load.
struct Shape {
    rate: u64,
    seconds: u64,
    accounts: usize,
}

async fn load(
    dir: &std::path::Path,
    node: &str,
    shape: Shape,
    csv: Option<&std::path::Path>,
    call: Option<&str>,
) -> anyhow::Result<()> {
    let Shape {
        rate,
        seconds,
        accounts,
    } = shape;
    let call = call
        .map(|c| {
            c.split_once(':')
                .map(|(k, m)| (k.to_string(), m.to_string()))
                .ok_or_else(|| anyhow::anyhow!("--call must be CONTRACT:METHOD"))
        })
        .transpose()?;
    let c0 = Client::connect(node).await?;
    if call.as_ref().is_some_and(|(k, _)| k == "counter") {
        println!("deploying the counter contract…");
        bench_contracts::deploy_counter(&c0, dir).await?;
    }
    let c = Client::connect(node).await?;
    let city = keyfile::read(&dir.join("keys/city.json"))?;
    let shop = keyfile::read(&dir.join("keys/sakura-bakery.json"))?.address();
    let total = rate * (seconds + 1);
    let per = total / accounts as u64 + 2;
    println!("funding {accounts} paying accounts…");
    let payers: Vec<Keypair> = (0..accounts)
        .map(|_| keyfile::generate())
        .collect::<anyhow::Result<_>>()?;
    let mut nonce = c.next_nonce(&city).await?;
    let height = c.status().await?.height;
    let mut pending = Vec::new();
    for (i, k) in payers.iter().enumerate() {
        let op = Operation::Charge {
            to: k.address(),
            asset: "coin".into(),
            amount: per * 10,
            deposit_ref: format!("bench-{height}-{i}"),
            campaign: None,
        };
        let stx = sign_tx(
            &c.chain_id,
            &city,
            nonce,
            Expiry::Height(height + 10_000),
            op,
        );
        nonce += 1;
        pending.push(
            c.submit(&stx, (i + 1) % 200 == 0 || i + 1 == accounts)
                .await?,
        );
    }
    anyhow::ensure!(
        pending.last().is_some_and(|r| r.committed),
        "funding did not commit"
    );

    // Pre-sign every payment so signing is not measured.
    let height = c.status().await?.height;
    let mut queues: Vec<Vec<yui_ledger::SignedTransaction>> = payers
        .iter()
        .enumerate()
        .map(|(a, k)| {
            (0..per)
                .map(|n| {
                    let op = match &call {
                        Some((contract, method)) => Operation::CallContract {
                            contract_id: contract.clone(),
                            method: method.clone(),
                            args: vec![],
                            fuel_limit: 100_000,
                            attach: vec![],
                        },
                        None => Operation::Pay {
                            merchant: shop,
                            invoice_id: format!("b{height}-{a}-{n}"),
                            amount: 3,
                            assets: vec!["coin".into()],
                        },
                    };
                    sign_tx(&c.chain_id, k, n, Expiry::Height(height + 100_000), op)
                })
                .collect()
        })
        .collect();
    for q in &mut queues {
        q.reverse();
    }
    println!("offering {rate} payments/s for {seconds} s (+1 s warm-up) from {accounts} accounts…");
    let stats = Arc::new(Mutex::new(Stats {
        latencies_ms: Vec::new(),
        committed: 0,
        refused: 0,
        errors: Vec::new(),
    }));
    let start = Instant::now();
    let warm = Duration::from_secs(1);
    let end = warm + Duration::from_secs(seconds);
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let bar = indicatif::ProgressBar::new(seconds + 1);
    let mut tasks = Vec::new();
    let mut i: u64 = 0;
    let start_height = c.status().await?.height;
    while start.elapsed() < end {
        let due = interval.mul_f64(i as f64);
        if let Some(wait) = due.checked_sub(start.elapsed()) {
            tokio::time::sleep(wait).await;
        }
        bar.set_position(start.elapsed().as_secs());
        let Some(tx) = queues[(i as usize) % accounts].pop() else {
            break;
        };
        let (c, stats) = (c.clone(), stats.clone());
        let measured = start.elapsed() >= warm;
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let r = c.submit(&tx, true).await;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            let mut s = stats.lock().await;
            match r {
                Ok(r) if r.committed => {
                    if measured {
                        s.committed += 1;
                        s.latencies_ms.push(ms);
                    }
                }
                Ok(_) => s.refused += 1,
                Err(e) => {
                    s.refused += 1;
                    if s.errors.len() < 5 {
                        s.errors.push(e.message().to_string());
                    }
                }
            }
        }));
        i += 1;
    }
    bar.finish_and_clear();
    for t in tasks {
        let _ = t.await;
    }
    let elapsed_measured = seconds as f64;
    let end_height = c.status().await?.height;
    let s = stats.lock().await;
    let mut l = s.latencies_ms.clone();
    l.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| {
        l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
            .copied()
            .unwrap_or(f64::NAN)
    };
    println!("offered      {rate} tx/s for {seconds} s");
    println!(
        "committed    {} in the measured window: {:.0} tx/s sustained",
        s.committed,
        s.committed as f64 / elapsed_measured
    );
    println!(
        "latency      submit→commit p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(0.5),
        pct(0.99),
        l.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "blocks       {} ({:.1} per second)",
        end_height - start_height,
        (end_height - start_height) as f64 / start.elapsed().as_secs_f64()
    );
    println!("not committed {} {:?}", s.refused, s.errors);
    if let Some(path) = csv {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        writeln!(
            f,
            "{rate},{:.0},{:.1},{:.1},{:.1}",
            s.committed as f64 / elapsed_measured,
            pct(0.5),
            pct(0.99),
            l.last().copied().unwrap_or(f64::NAN)
        )?;
    }
    Ok(())
}
