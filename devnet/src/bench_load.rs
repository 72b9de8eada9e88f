//! `yui-bench load`: an open-loop stream of signed payments (or contract
//! calls) against a running devnet, each with `wait_for_commit`, spread
//! over several connections, at a fixed rate whether or not earlier ones
//! have committed: over one `SubmitStream` per connection, as a till server
//! sends, or (`--unary`) each by its own `Submit` call, as a wallet does.
//!
//! "Sustained" is what commits inside the measured window, not what
//! commits eventually: a node that falls behind shows it as a lower
//! in-window rate and as latency growing from the first third of the
//! window to the last.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;
use yui_cli::submit_stream::SubmitStream;
use yui_cli::{Client, keyfile, sign_tx};
use yui_ledger::{Expiry, Keypair, Operation, SignedTransaction};

use crate::bench_contracts;

/// The offered load.
pub struct Shape {
    pub rate: u64,
    pub seconds: u64,
    pub accounts: usize,
    pub connections: usize,
    /// Each payment by its own `Submit` call rather than over one
    /// `SubmitStream` per connection.
    pub unary: bool,
}

/// Where the payments go: a connection, or a stream on it.
#[derive(Clone)]
enum Submitter {
    Unary(Box<Client>),
    Stream(SubmitStream),
}

impl Submitter {
    async fn submit(
        &self,
        tx: &SignedTransaction,
        wait: bool,
    ) -> Result<yui_proto::v1::SubmitResponse, tonic::Status> {
        match self {
            Self::Unary(c) => c.submit(tx, wait).await,
            Self::Stream(s) => s.submit(tx, wait).await,
        }
    }
}

/// Hooks for programs that run a fault beside the load.
#[derive(Default)]
pub struct Control {
    /// Told when the offering starts (after funding and signing).
    pub on_start: Option<tokio::sync::oneshot::Sender<()>>,
    /// Set to end the offering before its seconds have passed.
    pub stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

/// One submission: when it was sent and, if it committed, when the
/// receipt came back (seconds from the start of the run).
struct Sample {
    sent: f64,
    committed: Option<f64>,
    tx_hash: Vec<u8>,
}

#[derive(Default)]
struct Stats {
    samples: Vec<Sample>,
    /// Refusals and errors by gRPC status code.
    refused: std::collections::BTreeMap<String, u64>,
    /// The first message of each status code.
    first_errors: std::collections::BTreeMap<String, String>,
}

/// What a run measured.
pub struct Outcome {
    pub in_window_rate: f64,
    pub eventually: u64,
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
    pub first_third_p50: f64,
    pub last_third_p50: f64,
    pub blocks_per_s: f64,
    pub refused: u64,
    /// Hashes of the submissions the node acknowledged as committed.
    pub acked: Vec<Vec<u8>>,
}

/// The generator wakes at most this often and sends every payment due
/// since, as a handful of tills would. Woken for each payment (every 200 µs
/// at 5,000 tx/s, over eight connections), each went out in a write of its
/// own and reached the node in a read of its own: the generator took 21–26
/// µs per payment and the nodes 1.5 µs more each than with a 5 ms tick
/// (17–19 µs; BENCHMARKS.md). Latency counts from each payment's sending.
const TICK: Duration = Duration::from_millis(5);

/// How long a paying account holds back after a RESOURCE_EXHAUSTED, as a
/// wallet does before it retries.
const BACKOFF_S: f64 = 0.5;

/// A paying account's submissions refused with RESOURCE_EXHAUSTED (by
/// nonce), and when it may send again.
#[derive(Clone, Default)]
struct Refusals {
    again: std::collections::BTreeMap<u64, SignedTransaction>,
    resume_at: f64,
}

type Retry = Arc<std::sync::Mutex<Vec<Refusals>>>;

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(|a, b| a.total_cmp(b));
    v
}

/// Funds the paying accounts and pre-signs every transaction, so signing
/// is not measured.
async fn prepare(
    c: &Client,
    dir: &Path,
    shape: &Shape,
    call: Option<&(String, String)>,
) -> anyhow::Result<Vec<Vec<SignedTransaction>>> {
    let city = keyfile::read(&dir.join("keys/city.json"))?;
    let shop = keyfile::read(&dir.join("keys/sakura-bakery.json"))?.address();
    let per = shape.rate * (shape.seconds + 1) / shape.accounts as u64 + 2;
    println!("funding {} paying accounts…", shape.accounts);
    let payers: Vec<Keypair> = (0..shape.accounts)
        .map(|_| keyfile::generate())
        .collect::<anyhow::Result<_>>()?;
    let mut nonce = c.next_nonce(&city).await?;
    let height = c.status().await?.height;
    let mut last = None;
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
        let wait = (i + 1) % 200 == 0 || i + 1 == shape.accounts;
        last = Some(c.submit(&stx, wait).await?);
    }
    anyhow::ensure!(last.is_some_and(|r| r.committed), "funding did not commit");
    let height = c.status().await?.height;
    let mut queues: Vec<Vec<SignedTransaction>> = payers
        .iter()
        .enumerate()
        .map(|(a, k)| {
            (0..per)
                .map(|n| {
                    let op = match call {
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
    Ok(queues)
}

pub async fn load(
    dir: &Path,
    node: &str,
    shape: Shape,
    csv: Option<&Path>,
    call: Option<&str>,
    control: Control,
) -> anyhow::Result<Outcome> {
    let call = call
        .map(|c| {
            c.split_once(':')
                .map(|(k, m)| (k.to_string(), m.to_string()))
                .ok_or_else(|| anyhow::anyhow!("--call must be CONTRACT:METHOD"))
        })
        .transpose()?;
    let c = Client::connect(node).await?;
    if call.as_ref().is_some_and(|(k, _)| k == "counter") {
        println!("deploying the counter contract…");
        bench_contracts::deploy_counter(&c, dir).await?;
    }
    let mut queues = prepare(&c, dir, &shape, call.as_ref()).await?;
    let mut clients = Vec::with_capacity(shape.connections.max(1));
    for _ in 0..shape.connections.max(1) {
        let c = Client::connect(node).await?;
        clients.push(if shape.unary {
            Submitter::Unary(Box::new(c))
        } else {
            Submitter::Stream(c.submit_stream().await?)
        });
    }
    let Shape {
        rate,
        seconds,
        accounts,
        ..
    } = shape;
    println!(
        "offering {rate} tx/s for {seconds} s (+1 s warm-up) from {accounts} accounts over {} connections{}…",
        clients.len(),
        if shape.unary {
            ""
        } else {
            ", one submission stream on each"
        }
    );
    let stats = Arc::new(Mutex::new(Stats::default()));
    let retry: Retry = Arc::new(std::sync::Mutex::new(vec![Refusals::default(); accounts]));
    let mut held_back: u64 = 0;
    if let Some(tx) = control.on_start {
        let _ = tx.send(());
    }
    let stopped = || {
        control
            .stop
            .as_ref()
            .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
    };
    let start = Instant::now();
    let warm = 1.0;
    let end = warm + seconds as f64;
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let bar = indicatif::ProgressBar::new(seconds + 1);
    let mut tasks = Vec::new();
    let mut i: u64 = 0;
    let start_height = c.status().await?.height;
    while start.elapsed().as_secs_f64() < end && !stopped() {
        let due = interval.mul_f64(i as f64);
        if let Some(wait) = due.checked_sub(start.elapsed()) {
            tokio::time::sleep(wait.max(TICK)).await;
        }
        bar.set_position(start.elapsed().as_secs());
        let account = (i as usize) % accounts;
        let again = {
            let mut r = lock(&retry);
            if r[account].resume_at > start.elapsed().as_secs_f64() {
                // The account's wallet is waiting to retry: its payment
                // due now waits with it (the load shed).
                held_back += 1;
                i += 1;
                continue;
            }
            r[account].again.pop_first().map(|(_, tx)| tx)
        };
        let Some(tx) = again.or_else(|| queues[account].pop()) else {
            break;
        };
        let (c, stats) = (clients[(i as usize) % clients.len()].clone(), stats.clone());
        let retry = retry.clone();
        tasks.push(tokio::spawn(async move {
            let sent = start.elapsed().as_secs_f64();
            let r = c.submit(&tx, true).await;
            if let Err(e) = &r
                && e.code() == tonic::Code::ResourceExhausted
            {
                // Told to retry, as a wallet is: the account holds back for
                // a while, then sends this payment again before its later ones.
                let mut r = lock(&retry);
                r[account].again.insert(tx.tx.nonce, tx.clone());
                r[account].resume_at = start.elapsed().as_secs_f64() + BACKOFF_S;
            }
            let at = start.elapsed().as_secs_f64();
            let mut s = stats.lock().await;
            match r {
                Ok(r) => s.samples.push(Sample {
                    sent,
                    committed: r.committed.then_some(at),
                    tx_hash: r.tx_hash,
                }),
                Err(e) => {
                    let code = format!("{:?}", e.code());
                    *s.refused.entry(code.clone()).or_default() += 1;
                    s.first_errors
                        .entry(code)
                        .or_insert_with(|| e.message().to_string());
                }
            }
        }));
        i += 1;
    }
    let window_end = start.elapsed();
    // Stopped early: the window is what was offered.
    let end = end.min(window_end.as_secs_f64().max(warm + 1.0));
    let seconds = end - warm;
    bar.finish_and_clear();
    let end_height = c.status().await?.height;
    for t in tasks {
        let _ = t.await;
    }
    let s = stats.lock().await;
    let measured: Vec<&Sample> = s.samples.iter().filter(|x| x.sent >= warm).collect();
    let latency = |x: &&Sample| x.committed.map(|c| (c - x.sent) * 1000.0);
    let all = sorted(measured.iter().filter_map(latency).collect());
    let third = seconds / 3.0;
    let first = sorted(
        measured
            .iter()
            .filter(|x| x.sent < warm + third)
            .filter_map(latency)
            .collect(),
    );
    let last = sorted(
        measured
            .iter()
            .filter(|x| x.sent >= end - third)
            .filter_map(latency)
            .collect(),
    );
    let in_window = measured
        .iter()
        .filter(|x| x.committed.is_some_and(|c| c <= end))
        .count();
    let out = Outcome {
        in_window_rate: in_window as f64 / seconds,
        eventually: all.len() as u64,
        p50: percentile(&all, 0.5),
        p99: percentile(&all, 0.99),
        max: all.last().copied().unwrap_or(f64::NAN),
        first_third_p50: percentile(&first, 0.5),
        last_third_p50: percentile(&last, 0.5),
        blocks_per_s: (end_height - start_height) as f64 / window_end.as_secs_f64(),
        refused: s.refused.values().sum(),
        acked: s
            .samples
            .iter()
            .filter(|x| x.committed.is_some())
            .map(|x| x.tx_hash.clone())
            .collect(),
    };
    println!("offered      {rate} tx/s for {seconds:.0} s");
    println!(
        "sustained    {:.0} tx/s committed inside the window ({} of {} measured submissions committed eventually)",
        out.in_window_rate,
        out.eventually,
        measured.len()
    );
    println!(
        "latency      submit→commit p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        out.p50, out.p99, out.max
    );
    println!(
        "flat?        p50 of the first third {:.1} ms, of the last third {:.1} ms",
        out.first_third_p50, out.last_third_p50
    );
    println!("blocks       {:.1} per second", out.blocks_per_s);
    println!(
        "refused      {} {:?} {:?}",
        out.refused, s.refused, s.first_errors
    );
    if out.refused > 0 {
        println!(
            "held back    {held_back} payments due while their wallets waited {BACKOFF_S} s to retry a RESOURCE_EXHAUSTED"
        );
    }
    if let Some(path) = csv {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        writeln!(
            f,
            "{rate},{:.0},{:.1},{:.1},{:.1},{:.1},{:.1},{:.1},{}",
            out.in_window_rate,
            out.p50,
            out.p99,
            out.max,
            out.first_third_p50,
            out.last_third_p50,
            out.blocks_per_s,
            out.refused
        )?;
    }
    Ok(out)
}
