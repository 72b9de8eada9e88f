//! `yui-bench`: Yui's benchmark programs (not timed tests).
//!
//! - `verify`: ed25519 signature verification under Yui's rule (ADR 0006),
//!   singly on one core and in batches on one and two threads. It is the
//!   bound on throughput, since every validator verifies every transaction
//!   signature.
//! - `load`: an open-loop stream of signed payments over gRPC to a running
//!   devnet, with sustained throughput and submit-to-commit latency.
//! - `contracts`: the contract engine and the ledger's contract path,
//!   in-process.
//! - `store`: one node's block pipeline (admission, execution, state tree,
//!   RocksDB), in-process.
//! - `crash`: kill -9 of a validator under load, with the check that
//!   nothing acknowledged is lost.

/// The node's allocator (jemalloc, RocksDB's allocations included), so that
/// `store` measures the node's pipeline as the node runs it.
#[cfg(all(target_os = "linux", not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

mod bench_contracts;
mod bench_crash;
mod bench_crashloop;
mod bench_load;
mod bench_probe;
mod bench_soak;
mod bench_store;
mod bench_verify;
mod process;

#[derive(Parser)]
#[command(name = "yui-bench", about = "Yui benchmark programs")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// How fast this machine's memory answers now: nanoseconds per
    /// dependent load over a large array and within the caches (the
    /// benchmark machine's speed varies with its host; print it beside a
    /// run).
    Probe {
        /// The array walked, in MiB.
        #[arg(long, default_value_t = 256)]
        mib: usize,
        /// Loads per walk (the best of three walks is printed).
        #[arg(long, default_value_t = 2_000_000)]
        loads: usize,
    },
    /// ed25519 verifications per second: single on one core, and batches of
    /// 4, 16, 64, 256 and 1024 on one and two threads (medians of runs).
    Verify {
        #[arg(long, default_value_t = 20_000)]
        signatures: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// One node's block pipeline in-process, through the node's own code:
    /// admission, block building, validation (execution and state tree)
    /// and commit to RocksDB, µs per payment per stage, in the first and
    /// the last blocks (past `--history`, commits prune too).
    Store {
        #[arg(long, default_value_t = 1_100)]
        blocks: u64,
        /// Payments per block.
        #[arg(long, default_value_t = 500)]
        txs: usize,
        #[arg(long, default_value_t = 400)]
        accounts: usize,
        /// Heights of state kept provable (the node's `state_history`).
        #[arg(long, default_value_t = 1_000)]
        history: u64,
        /// Heights between writes of the state tree (the node's
        /// `tree_interval`).
        #[arg(long, default_value_t = yui_node::storage::TREE_INTERVAL)]
        tree_interval: u64,
        /// Blocks in each of the two reported windows.
        #[arg(long, default_value_t = 100)]
        window: u64,
        /// Also print RocksDB's flush and compaction totals of each of
        /// the chamber's column families.
        #[arg(long)]
        rocksdb_stats: bool,
    },
    /// Open-loop payments against a running devnet (`yui-devnet up`).
    Load {
        /// The devnet's folder (keys are read from `<dir>/keys`).
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
        /// Connections to the node the submissions are spread over.
        #[arg(long, default_value_t = 8)]
        connections: usize,
        /// Submit each payment with its own `Submit` call, not over one
        /// `SubmitStream` per connection.
        #[arg(long)]
        unary: bool,
        /// Append one line (offered, in-window tx/s, p50, p99, max, p50 of
        /// the first and of the last third in ms, blocks/s, not committed)
        /// to this CSV file.
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
    /// kill -9 under load: offers payments to one node while a validator is
    /// killed with SIGKILL and restarted, then checks that every payment
    /// acknowledged as committed is committed once on every node.
    Crash {
        #[arg(long, default_value = ".devnet")]
        dir: PathBuf,
        #[arg(long, default_value = "127.0.0.1:7001")]
        node: String,
        #[arg(long, default_value_t = 2_000)]
        rate: u64,
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        #[arg(long, default_value_t = 400)]
        accounts: usize,
        /// The node to kill (its folder's name under `<dir>/nodes`).
        #[arg(long, default_value = "chamber")]
        kill: String,
        /// Seconds into the offering when it is killed.
        #[arg(long, default_value_t = 10.0)]
        at: f64,
        /// Seconds it stays down.
        #[arg(long, default_value_t = 3.0)]
        down: f64,
        /// Submit each payment with its own `Submit` call, not over one
        /// `SubmitStream` per connection.
        #[arg(long)]
        unary: bool,
    },
    /// The crash loop: under steady load, kills a random validator or the
    /// observer (SIGKILL at a random instant, or a crash point inside a
    /// commit or between persisting a vote and sending it), restarts it,
    /// cycle after cycle; then checks every acknowledged payment committed
    /// once, identical blocks on every node, no validator signing two
    /// different votes at one step (every node's vote journal and every
    /// certificate), and each restart back at the head in time. Run it on a
    /// fresh `yui-devnet up --no-story`.
    Crashloop {
        #[arg(long, default_value = ".devnet")]
        dir: PathBuf,
        /// Where the load goes; this node is never killed
        /// (default: coord-higashi's node).
        #[arg(long)]
        node: Option<String>,
        #[arg(long, default_value_t = 200)]
        rate: u64,
        #[arg(long, default_value_t = 200)]
        accounts: usize,
        /// Kills (YUI_CRASH_CYCLES, else 100).
        #[arg(long, env = "YUI_CRASH_CYCLES", default_value_t = 100)]
        cycles: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The nodes that may be killed.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "city,chamber,coord-kita,coord-minami,observer"
        )]
        victims: Vec<String>,
        /// Seconds within which a restarted node must be back at the head.
        #[arg(long, default_value_t = 10)]
        back_within: u64,
        /// Submit each payment with its own `Submit` call, not over one
        /// `SubmitStream` per connection.
        #[arg(long)]
        unary: bool,
    },
    /// A long steady load: every node's memory (RSS), disk and CPU sampled
    /// every --every seconds into a CSV (`scripts/plot-soak.py` draws it);
    /// prints memory's slope after the warm-up, disk bytes per committed
    /// transaction, and fails on any ERROR the nodes log meanwhile.
    Soak {
        #[arg(long, default_value = ".devnet")]
        dir: PathBuf,
        #[arg(long, default_value = "127.0.0.1:7001")]
        node: String,
        #[arg(long, default_value_t = 500)]
        rate: u64,
        /// Minutes of load (YUI_SOAK_MINUTES, else 30).
        #[arg(long, env = "YUI_SOAK_MINUTES", default_value_t = 30)]
        minutes: u64,
        #[arg(long, default_value_t = 400)]
        accounts: usize,
        /// Seconds between samples.
        #[arg(long, default_value_t = 10)]
        every: u64,
        #[arg(long, default_value = "soak.csv")]
        csv: PathBuf,
        /// Submit each payment with its own `Submit` call, not over one
        /// `SubmitStream` per connection.
        #[arg(long)]
        unary: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().cmd {
        Cmd::Probe { mib, loads } => {
            bench_probe::run(mib, loads);
            Ok(())
        }
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
            connections,
            unary,
            csv,
            call,
        } => {
            let shape = bench_load::Shape {
                rate,
                seconds,
                accounts,
                connections,
                unary,
            };
            // On a thread of its own with a single-threaded runtime: the
            // load generator shares the nodes' cores, and one thread wakes
            // no other to hand a task over.
            let run = std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?
                    .block_on(bench_load::load(
                        &dir,
                        &node,
                        shape,
                        csv.as_deref(),
                        call.as_deref(),
                        Default::default(),
                    ))
                    .map(|_| ())
            });
            tokio::task::block_in_place(|| run.join())
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the load generator panicked")))
        }
        Cmd::Contracts { dir, runs } => bench_contracts::run(&dir, runs),
        Cmd::Store {
            blocks,
            txs,
            accounts,
            history,
            tree_interval,
            window,
            rocksdb_stats,
        } => tokio::task::block_in_place(|| {
            bench_store::run(&bench_store::Shape {
                blocks,
                txs,
                accounts,
                history,
                tree_interval,
                window,
                rocksdb_stats,
            })
        }),
        Cmd::Crash {
            dir,
            node,
            rate,
            seconds,
            accounts,
            kill,
            at,
            down,
            unary,
        } => {
            let shape = bench_load::Shape {
                rate,
                seconds,
                accounts,
                connections: 8,
                unary,
            };
            let fault = bench_crash::Fault {
                node: kill,
                at_s: at,
                down_s: down,
            };
            bench_crash::run(&dir, &node, shape, fault).await
        }
        Cmd::Soak {
            dir,
            node,
            rate,
            minutes,
            accounts,
            every,
            csv,
            unary,
        } => {
            let shape = bench_load::Shape {
                rate,
                seconds: minutes * 60,
                accounts,
                connections: 8,
                unary,
            };
            let every = std::time::Duration::from_secs(every.max(1));
            bench_soak::run(&dir, &node, shape, every, &csv).await
        }
        Cmd::Crashloop {
            dir,
            node,
            rate,
            accounts,
            cycles,
            seed,
            victims,
            back_within,
            unary,
        } => {
            let node = match node {
                Some(n) => n,
                None => bench_crash::endpoint_of(&dir.join("nodes/coord-higashi"))?,
            };
            // Enough signed payments for the longest loop: a cycle takes
            // some seconds (a wait, a kill, the time down, the catch-up).
            let shape = bench_load::Shape {
                rate,
                seconds: u64::from(cycles) * 12 + 30,
                accounts,
                connections: 8,
                unary,
            };
            let lp = bench_crashloop::Loop {
                cycles,
                seed,
                victims,
                back_within: std::time::Duration::from_secs(back_within),
            };
            bench_crashloop::run(&dir, &node, shape, lp).await
        }
    }
}
