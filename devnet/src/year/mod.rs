//! `yui-devnet year`: a simulated year of a town written as a real chain,
//! then the devnet started on it. About 2,000 residents, 120 merchants of
//! every class, the city, the chamber and the coordinators: charges with
//! bonus campaigns that run out, event, health and volunteer points, a
//! premium voucher sale, payments, refunds, redemptions on the 10th and
//! the 25th, gifts between neighbours, jobs (most completed, some disputed,
//! some timed out) and expiries into breakage. Seeded: the same seed and
//! sizes give the same chain, validators' keys included.

pub mod chain;
pub mod people;
pub mod sim;

use std::collections::BTreeMap;

use indicatif::{ProgressBar, ProgressStyle};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use yui_ledger::asset::DAY_MS;
use yui_ledger::{Keypair, Operation};

use chain::{BLOCK_TXS_MAX, Writer};
use people::{People, derived_key};
use sim::{Signer, Sim};

/// The chain id of a simulated year.
pub const CHAIN_ID: &str = "yui-town";
/// Transactions of one simulated window go into one block.
const BLOCK_WINDOW_MS: u64 = 10 * 60 * 1000;

#[derive(Debug, Clone, clap::Args)]
pub struct YearArgs {
    /// First gRPC port; node i listens on port + i.
    #[arg(long, default_value_t = 7001)]
    pub port: u16,
    /// The simulation's seed: the same seed gives the same chain.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 2_000)]
    pub residents: usize,
    #[arg(long, default_value_t = 120)]
    pub merchants: usize,
    /// Days simulated.
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub days: u32,
    /// The first simulated day (its midnight in Tokyo is the genesis time);
    /// the default is a Japanese fiscal year.
    #[arg(long, default_value = "2025-04-01")]
    pub start: jiff::civil::Date,
    /// Write the chain only; do not start the nodes.
    #[arg(long)]
    pub no_start: bool,
}

/// What the year's committed transactions did, by operation.
#[derive(Debug, Default)]
pub struct Summary {
    pub by_op: BTreeMap<&'static str, (u64, u64)>,
    pub charged: u64,
    pub vouchers_sold: u64,
    pub granted: u64,
    pub paid: u64,
    pub p2p: u64,
    pub payments: u64,
    pub transfers: u64,
}

impl Summary {
    fn add(&mut self, op: &Operation, ok: bool) {
        let name = op.name();
        let e = self.by_op.entry(name).or_default();
        if ok {
            e.0 += 1;
        } else {
            e.1 += 1;
            return;
        }
        match op {
            Operation::Grant { asset, amount, .. } if asset == people::VOUCHER => {
                self.vouchers_sold += amount
            }
            Operation::Charge { amount, .. } => self.charged += amount,
            Operation::Grant { amount, .. } => self.granted += amount,
            Operation::Pay { amount, .. } => {
                self.paid += amount;
                self.payments += 1;
            }
            Operation::Transfer { amount, .. } => {
                self.p2p += amount;
                self.transfers += 1;
            }
            _ => {}
        }
    }
}

/// Midnight of `date` in Tokyo, ms since the epoch.
pub fn tokyo_midnight_ms(date: jiff::civil::Date) -> anyhow::Result<u64> {
    let tz = jiff::tz::TimeZone::get("Asia/Tokyo")?;
    let ms = date.to_zoned(tz)?.timestamp().as_millisecond();
    u64::try_from(ms).map_err(|_| anyhow::anyhow!("{date} is before 1970"))
}

/// Simulates the year into the store at `db`; returns what happened.
pub fn write_year(
    dbs: &[std::path::PathBuf],
    args: &YearArgs,
    people: &People,
    genesis_json: &str,
    rng: ChaCha20Rng,
) -> anyhow::Result<(Summary, u64, u64)> {
    let start_ms = tokyo_midnight_ms(args.start)?;
    let genesis = yui_ledger::Genesis::from_json(genesis_json).map_err(|e| anyhow::anyhow!(e))?;
    let validators: Vec<Keypair> = people
        .validators
        .iter()
        .map(|(_, k)| Keypair::from_seed(k.seed()))
        .collect();
    let (first, others) = dbs
        .split_first()
        .ok_or_else(|| anyhow::anyhow!("no node to write the year for"))?;
    let mut w = Writer::create(first, &genesis, genesis_json, &validators)?;
    let mut sim = Sim::new(people, rng, args.start, start_ms);
    let mut summary = Summary::default();
    let bar = ProgressBar::new(u64::from(args.days));
    bar.set_style(
        ProgressStyle::with_template(
            "  {bar:40} day {pos}/{len}  {msg}  elapsed {elapsed}, about {eta} left",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    for d in 0..args.days {
        let actions = sim.day(&w.store, d);
        let mut i = 0;
        while i < actions.len() {
            // One block per ten simulated minutes that saw any activity.
            let window = (actions[i].at_ms - start_ms) / BLOCK_WINDOW_MS;
            let mut j = i;
            while j < actions.len()
                && j - i < BLOCK_TXS_MAX
                && (actions[j].at_ms - start_ms) / BLOCK_WINDOW_MS == window
            {
                j += 1;
            }
            let ops: Vec<&Operation> = actions[i..j].iter().map(|a| &a.op).collect();
            let txs = actions[i..j]
                .iter()
                .map(|a| {
                    let key = match a.signer {
                        Signer::City => &people.city,
                        Signer::Resident(r) => &people.residents[r as usize].key,
                        Signer::Merchant(m) => &people.merchants[m as usize].key,
                        Signer::Coordinator(c) => &people.coordinators[c as usize],
                    };
                    w.sign(key, a.op.clone(), a.at_ms)
                })
                .collect();
            let time = start_ms + (window + 1) * BLOCK_WINDOW_MS - 1;
            let (receipts, _) = w.block(time, txs)?;
            for (op, r) in ops.iter().zip(&receipts) {
                summary.add(op, r.error.is_none());
            }
            i = j;
        }
        bar.set_message(format!(
            "{} transactions, {} blocks",
            w.transactions, w.height
        ));
        bar.inc(1);
    }
    // A last block after the year, so expiries due at its end are settled.
    let end = start_ms + u64::from(args.days) * DAY_MS;
    if w.last_time_ms() < end {
        w.block(end, Vec::new())?;
    }
    bar.finish();
    // Every other node gets the same store (RocksDB's checkpoint: table
    // files hard-linked, so six nodes cost little more disk than one).
    for db in others {
        if let Some(parent) = db.parent() {
            std::fs::create_dir_all(parent)?;
        }
        w.store.checkpoint(db)?;
    }
    Ok((summary, w.transactions, w.height))
}

/// Everyone of the devnet's town and the year's population, keys derived
/// from the seed.
pub fn people(args: &YearArgs, rng: &mut ChaCha20Rng) -> People {
    People::generate(rng, args.seed, args.residents, args.merchants, |n| {
        derived_key(args.seed, n)
    })
}

pub fn print_summary(s: &Summary, txs: u64, blocks: u64) {
    println!("  {txs} transactions in {blocks} blocks:");
    for (op, (ok, failed)) in &s.by_op {
        println!("    {op:<17} {ok:>9} committed, {failed} failed");
    }
    let pct = |a: u64, b: u64| {
        if b == 0 {
            0.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    println!(
        "  charged ¥{}, vouchers sold ¥{}, points granted {}; paid at merchants {} ({:.0} % of coin charged + points + vouchers); person to person {} transfers ({:.0} % of payments by count)",
        s.charged,
        s.vouchers_sold,
        s.granted,
        s.paid,
        pct(s.paid, s.charged + s.granted + s.vouchers_sold),
        s.transfers,
        pct(s.transfers, s.payments),
    );
}

/// Seeds the simulation's random numbers.
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}
