//! `yui-bench`: Yui's benchmark programs (not timed tests).
//!
//! `verify` measures ed25519 signature verification under Yui's rule (ADR
//! 0006), singly on one core and in batches on one and two threads — the
//! bound on throughput, since every validator verifies every transaction
//! signature. `load` drives a running devnet with
//! an open-loop stream of signed payments over gRPC and reports sustained
//! throughput and submit-to-commit latency. `contracts` measures the
//! contract engine and the ledger's contract path in-process. `crash` is
//! kill -9 of a validator under that load, with the check that nothing
//! acknowledged is lost.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

mod bench_contracts;
mod bench_crash;
mod bench_load;
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
        /// Connections to the node the submissions are spread over.
        #[arg(long, default_value_t = 8)]
        connections: usize,
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
        /// The node to kill (its folder's name under <dir>/nodes).
        #[arg(long, default_value = "chamber")]
        kill: String,
        /// Seconds into the offering when it is killed.
        #[arg(long, default_value_t = 10.0)]
        at: f64,
        /// Seconds it stays down.
        #[arg(long, default_value_t = 3.0)]
        down: f64,
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
            connections,
            csv,
            call,
        } => {
            let shape = bench_load::Shape {
                rate,
                seconds,
                accounts,
                connections,
            };
            bench_load::load(&dir, &node, shape, csv.as_deref(), call.as_deref(), None)
                .await
                .map(|_| ())
        }
        Cmd::Contracts { dir, runs } => bench_contracts::run(&dir, runs),
        Cmd::Crash {
            dir,
            node,
            rate,
            seconds,
            accounts,
            kill,
            at,
            down,
        } => {
            let shape = bench_load::Shape {
                rate,
                seconds,
                accounts,
                connections: 8,
            };
            let fault = bench_crash::Fault {
                node: kill,
                at_s: at,
                down_s: down,
            };
            bench_crash::run(&dir, &node, shape, fault).await
        }
    }
}
