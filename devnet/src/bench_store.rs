//! `yui-bench store`: what one node spends per payment on its block
//! pipeline, in one process, without network or gRPC, through the node's
//! own code (`yui_node::chain::Shared`).
//!
//! Two node stores on the devnet's genesis: the city proposes and the
//! chamber validates. For each block, payments (pre-signed, from
//! `--accounts` accounts to a shop, each with its own invoice) go through:
//! - the city's admission, as from wallets (signatures in a batch, each
//!   operation dry-run);
//! - its block building;
//! - the chamber's admission, as relayed from a peer;
//! - the chamber's validation (execution, state tree);
//! - both commits, with a certificate of the four validators.
//!
//! Wall time per payment is reported for each stage, for the first and the
//! last `--window` blocks. Once more than `--history` blocks are committed,
//! every commit also deletes a height's replaced tree entries: the last
//! window shows that steady state. The process's CPU (every thread, so
//! RocksDB's flushes too, for both nodes) is reported per payment beside it,
//! and the validating node's store size at the end. Live analytics and the
//! network are not part of it.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use yui_cli::sign_tx;
use yui_consensus::{CommitCertificate, Vote, VoteKind};
use yui_ledger::town::Town;
use yui_ledger::{Address, Expiry, Keypair, Operation, SignedTransaction};
use yui_node::chain::{Admit, KnownHashes, Shared};
use yui_node::config::Config;

pub struct Shape {
    pub blocks: u64,
    pub txs: usize,
    pub accounts: usize,
    pub history: u64,
    pub tree_interval: u64,
    pub window: u64,
    /// Print RocksDB's flush and compaction totals per column family.
    pub rocksdb_stats: bool,
}

const CHAIN: &str = "yui-bench";
/// 2026-01-01 00:00 JST.
const START_MS: u64 = 1_767_193_200_000;
const VALIDATORS: [&str; 4] = ["city", "chamber", "coord-kita", "coord-minami"];

/// Stage times summed over a window of blocks.
#[derive(Default, Clone, Copy)]
struct Stages {
    admit: Duration,
    build: Duration,
    relay: Duration,
    validate: Duration,
    commit_v: Duration,
    commit_p: Duration,
    payments: u64,
    cpu_s: f64,
}

/// User and system CPU seconds of this process, every thread.
fn process_cpu_s() -> f64 {
    crate::bench_soak::cpu_s(std::process::id()).unwrap_or(0.0)
}

fn home(dir: &Path, name: &str, genesis_json: &str, shape: &Shape) -> anyhow::Result<PathBuf> {
    let (history, interval) = (shape.history, shape.tree_interval);
    let h = dir.join(name);
    std::fs::create_dir_all(&h)?;
    std::fs::write(h.join("genesis.json"), genesis_json)?;
    std::fs::write(
        h.join("config.toml"),
        format!(
            "[node]\nname = \"{name}\"\ndata_dir = \"data\"\ngenesis_file = \"genesis.json\"\n\n\
             [api]\nlisten = \"127.0.0.1:0\"\n\n[storage]\nstate_history = {history}\n\
             tree_interval = {interval}\n"
        ),
    )?;
    Ok(h)
}

fn open(home: &Path, key: Address) -> anyhow::Result<Shared> {
    let (cfg, base) = Config::load(&home.join("config.toml"))?;
    Shared::open(cfg, &base, Some(key))
}

struct Pipeline {
    city: Shared,
    chamber: Shared,
    keys: Vec<Keypair>,
    height: u64,
}

impl Pipeline {
    fn certificate(&self, block: &yui_ledger::Block) -> anyhow::Result<CommitCertificate> {
        let set = self.city.validators();
        let hash = block.hash();
        let h = block.header.height;
        let votes = (0..set.len() as u32)
            .map(|i| {
                let v = set.get(i).ok_or_else(|| anyhow::anyhow!("validator {i}"))?;
                let k = self
                    .keys
                    .iter()
                    .find(|k| k.address().0 == v.public_key)
                    .ok_or_else(|| anyhow::anyhow!("no key for validator {i}"))?;
                let kind = VoteKind::Precommit;
                Ok(Vote::sign(
                    k.signing_key(),
                    CHAIN,
                    i,
                    kind,
                    h,
                    0,
                    Some(hash),
                ))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(CommitCertificate::from_precommits(h, 0, hash, &votes))
    }

    /// One block of `txs` through both nodes; adds its stage times to `s`.
    fn block(&mut self, txs: &[SignedTransaction], s: &mut Stages) -> anyhow::Result<()> {
        let threads = yui_node::verified::threads();
        let hashed: Vec<(&SignedTransaction, yui_ledger::Hash)> =
            txs.iter().map(|t| (t, t.hash())).collect();
        let time_ms = START_MS + (self.height + 1) * 100;
        let proposer = self.keys[0].address();
        let refused = |r: Vec<Result<(), yui_node::chain::AdmitError>>| {
            r.into_iter()
                .find_map(|r| r.err())
                .map_or(Ok(()), |e| Err(anyhow::anyhow!("admission refused: {e}")))
        };

        let t = Instant::now();
        refused(self.city.admit_batch(&hashed, threads, Admit::Submitted))?;
        s.admit += t.elapsed();
        let t = Instant::now();
        let built = self
            .city
            .build_block(proposer, time_ms)
            .map_err(|e| anyhow::anyhow!(e))?;
        s.build += t.elapsed();
        anyhow::ensure!(
            built.block.txs.len() == txs.len(),
            "block {} holds {} of {} payments",
            self.height + 1,
            built.block.txs.len(),
            txs.len()
        );

        let t = Instant::now();
        refused(self.chamber.admit_batch(&hashed, threads, Admit::Relayed))?;
        s.relay += t.elapsed();
        // A validator receives the block as its own copy, rebuilt from its
        // pool by the hashes the proposal lists (as on the devnet).
        let block = built.block.clone();
        let known = KnownHashes::admitted(built.tx_hashes.clone());
        let t = Instant::now();
        let validated = self
            .chamber
            .validate_block(block, proposer, time_ms, false, Some(known))
            .map_err(|e| anyhow::anyhow!(e))?;
        s.validate += t.elapsed();

        let cert = self.certificate(&built.block)?;
        let t = Instant::now();
        self.chamber.commit(validated, cert.clone())?;
        s.commit_v += t.elapsed();
        let t = Instant::now();
        self.city.commit(built, cert)?;
        s.commit_p += t.elapsed();
        s.payments += txs.len() as u64;
        self.height += 1;
        Ok(())
    }
}

/// Progress of a long step: a bar on a terminal; anywhere else (a log,
/// CI) a line at each tenth of the way, which a bar would not show.
struct Progress {
    bar: ProgressBar,
    lines: Option<String>,
    len: u64,
    done: u64,
}

impl Progress {
    fn new(len: u64, what: &str) -> Self {
        let bar = ProgressBar::new(len);
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "  {{bar:40}} {{pos}}/{{len}} {what}  elapsed {{elapsed}}, about {{eta}} left"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let lines = (!std::io::stderr().is_terminal()).then(|| what.to_string());
        Self {
            bar,
            lines,
            len,
            done: 0,
        }
    }

    fn inc(&mut self) {
        self.bar.inc(1);
        self.done += 1;
        if let Some(what) = &self.lines
            && (self.done.is_multiple_of((self.len / 10).max(1)) || self.done == self.len)
        {
            eprintln!("  {}/{} {what}", self.done, self.len);
        }
    }

    fn finish(self) {
        self.bar.finish();
    }
}

fn report(label: &str, s: &Stages) {
    let n = s.payments.max(1) as f64;
    let us = |d: Duration| d.as_secs_f64() * 1e6 / n;
    let validator = us(s.relay) + us(s.validate) + us(s.commit_v);
    let proposer = us(s.admit) + us(s.build) + us(s.commit_p);
    println!("{label} ({} payments), µs per payment:", s.payments);
    println!(
        "  chamber (validates)  {validator:6.1} = admission {:.1} + validation {:.1} + commit {:.1}",
        us(s.relay),
        us(s.validate),
        us(s.commit_v)
    );
    println!(
        "  city (proposes)      {proposer:6.1} = admission {:.1} + building {:.1} + commit {:.1}",
        us(s.admit),
        us(s.build),
        us(s.commit_p)
    );
    println!(
        "  process CPU          {:6.1} for both nodes, RocksDB's threads included",
        s.cpu_s * 1e6 / n
    );
}

pub fn run(shape: &Shape) -> anyhow::Result<()> {
    anyhow::ensure!(
        shape.blocks >= shape.window && shape.window > 0 && shape.txs > 0,
        "--blocks must be at least --window, and both and --txs above 0"
    );
    let dir = std::env::temp_dir().join(format!("yui-bench-store.{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let result = run_in(&dir, shape);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn run_in(dir: &Path, shape: &Shape) -> anyhow::Result<()> {
    let key = |n: &str| Town::test_key(n).address();
    let validators: Vec<(&str, Address)> = VALIDATORS.iter().map(|n| (*n, key(n))).collect();
    let genesis = Town::new().genesis(key, &validators, CHAIN, START_MS);
    let json = genesis.to_json();
    let keys: Vec<Keypair> = VALIDATORS.iter().map(|n| Town::test_key(n)).collect();
    let mut p = Pipeline {
        city: open(&home(dir, "city", &json, shape)?, keys[0].address())?,
        chamber: open(&home(dir, "chamber", &json, shape)?, keys[1].address())?,
        keys,
        height: 0,
    };
    println!(
        "{} blocks of {} payments from {} accounts to one shop, each with its own invoice; \
         state history {} heights, the tree written every {} heights",
        shape.blocks, shape.txs, shape.accounts, shape.history, shape.tree_interval
    );

    let payers: Vec<Keypair> = (0..shape.accounts as u64)
        .map(|i| {
            let mut seed = [7u8; 32];
            seed[..8].copy_from_slice(&i.to_le_bytes());
            Keypair::from_seed(seed)
        })
        .collect();
    let per = shape.blocks * shape.txs as u64 / shape.accounts as u64 + 1;
    let city = Town::test_key("city");
    let funding: Vec<SignedTransaction> = payers
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let op = Operation::Charge {
                to: k.address(),
                asset: "coin".into(),
                amount: per * 10,
                deposit_ref: format!("bench-store-{i}"),
                campaign: None,
            };
            sign_tx(CHAIN, &city, i as u64, Expiry::Height(1_000), op)
        })
        .collect();
    let mut unused = Stages::default();
    for chunk in funding.chunks(200) {
        p.block(chunk, &mut unused)?;
    }

    let shop = Town::test_key("sakura-bakery").address();
    let total = shape.blocks * shape.txs as u64;
    let mut signing = Progress::new(total, "payments signed");
    let mut nonces = vec![0u64; payers.len()];
    let payments: Vec<SignedTransaction> = (0..total)
        .map(|n| {
            let a = (n % payers.len() as u64) as usize;
            let op = Operation::Pay {
                merchant: shop,
                invoice_id: format!("s-{n}"),
                amount: 3,
                assets: vec!["coin".into()],
            };
            let stx = sign_tx(CHAIN, &payers[a], nonces[a], Expiry::Height(10_000_000), op);
            nonces[a] += 1;
            signing.inc();
            stx
        })
        .collect();
    signing.finish();

    let mut running = Progress::new(shape.blocks, "blocks");
    let (mut first, mut last) = (Stages::default(), Stages::default());
    for (b, txs) in payments.chunks(shape.txs).enumerate() {
        let b = b as u64;
        let s = if b < shape.window {
            &mut first
        } else if b >= shape.blocks - shape.window {
            &mut last
        } else {
            &mut unused
        };
        let c = process_cpu_s();
        p.block(txs, s)?;
        s.cpu_s += process_cpu_s() - c;
        running.inc();
    }
    running.finish();
    let base = p.height - shape.blocks;
    report(
        &format!("blocks {}–{}", base + 1, base + shape.window),
        &first,
    );
    report(
        &format!("blocks {}–{}", p.height - shape.window + 1, p.height),
        &last,
    );
    let bytes = p.chamber.store.size_bytes();
    println!(
        "the chamber's store: {} MiB, {} bytes per payment",
        bytes >> 20,
        bytes / (total + shape.accounts as u64).max(1)
    );
    if shape.rocksdb_stats {
        print_family_stats(&p.chamber.store);
    }
    Ok(())
}

/// Each column family's totals over the run, from RocksDB's own
/// statistics: its header line once, then each family's `Sum` line
/// (files, size, bytes written by flushes and compactions, write
/// amplification, compaction time and count).
fn print_family_stats(store: &yui_node::storage::Store) {
    println!("the chamber's RocksDB, flushes and compactions per column family:");
    let mut header = false;
    for (name, text) in store.family_stats() {
        let line = |start: &str| {
            text.lines()
                .find(|l| l.trim_start().starts_with(start))
                .map(str::to_string)
        };
        if !header && let Some(h) = line("Level") {
            println!("{:15}{h}", "");
            header = true;
        }
        if let Some(sum) = line("Sum") {
            println!("{name:15}{sum}");
        }
    }
}
