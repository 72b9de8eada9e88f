//! `yui-bench verify`: ed25519 verification under Yui's rule
//! (`yui_consensus::signature`, ADR 0006), one signature at a time on one
//! core and in batches of 4, 16, 64, 256 and 1024 on one and two threads (and of
//! 2,048, 16,384 and 32,768 signatures by a town's 12,400 keys, as a replay meets
//! them), with
//! ed25519-dalek's `verify_strict` (the rule before ADR 0006) for comparison.

use std::time::Instant;

use yui_cli::sign_tx;
use yui_ledger::{Expiry, Keypair, Operation};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Signatures per second of `f` over the whole set, median of `runs`.
fn rate(runs: usize, n: usize, bar: &indicatif::ProgressBar, mut f: impl FnMut()) -> f64 {
    let mut rates = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        f();
        rates.push(n as f64 / t.elapsed().as_secs_f64());
        bar.inc(1);
    }
    median(rates)
}

const BATCH_SIZES: [usize; 5] = [4, 16, 64, 256, 1024];
const BATCH_THREADS: [usize; 2] = [1, 2];

/// `n` payments signed by `signers` keys in turn.
fn signed(n: usize, signers: usize) -> Vec<yui_ledger::SignedTransaction> {
    (0..n as u64)
        .map(|i| {
            let mut seed = [0u8; 32];
            seed[..8].copy_from_slice(&(i % signers as u64).to_le_bytes());
            sign_tx(
                "bench",
                &Keypair::from_seed(seed),
                i,
                Expiry::Height(1_000),
                Operation::Pay {
                    merchant: yui_ledger::Address([9; 32]),
                    invoice_id: format!("inv-{i}"),
                    amount: 100,
                    assets: vec![],
                },
            )
        })
        .collect()
}

type Items<'a> = Vec<(yui_ledger::Address, &'a [u8], &'a [u8; 64])>;

fn batch_items<'a>(txs: &'a [yui_ledger::SignedTransaction], msgs: &'a [Vec<u8>]) -> Items<'a> {
    txs.iter()
        .zip(msgs)
        .map(|(t, m)| (t.tx.signer, m.as_slice(), &t.signature))
        .collect()
}

/// Batches on one thread of signatures by fewer keys than signatures, as an
/// auditor's replay meets them: per signature, a batch of `size`.
const TOWN_BATCHES: [usize; 3] = [2_048, 16_384, 32_768];
/// The simulated year's signers (12,000 residents, 400 merchants).
const TOWN_SIGNERS: usize = 12_400;

pub fn run(n: usize, runs: usize) {
    // One signer per transaction, as in a gossiped batch from many wallets
    // (a batch of one signer's transactions would be faster: ed25519-zebra
    // folds signatures by the same key together).
    let txs = signed(n, n);
    let msgs: Vec<Vec<u8>> = txs.iter().map(|t| t.tx.sign_bytes()).collect();
    let items = batch_items(&txs, &msgs);
    // A town's chain: each resident signs again and again (the simulated
    // year: 12,400 signers of 342,478 transactions in its first 150 days).
    let town_n = TOWN_BATCHES[2].max(n / TOWN_BATCHES[2] * TOWN_BATCHES[2]);
    let town_txs = signed(town_n, TOWN_SIGNERS);
    let town_msgs: Vec<Vec<u8>> = town_txs.iter().map(|t| t.tx.sign_bytes()).collect();
    let town = batch_items(&town_txs, &town_msgs);
    let bar = indicatif::ProgressBar::new(
        (runs * (2 + BATCH_SIZES.len() * BATCH_THREADS.len() + TOWN_BATCHES.len())) as u64,
    );
    let single = rate(runs, n, &bar, || {
        for (signer, m, sig) in &items {
            assert!(yui_ledger::crypto::verify(signer, m, sig).is_ok());
        }
    });
    let strict = rate(runs, n, &bar, || {
        for (signer, m, sig) in &items {
            let pk = ed25519_dalek::VerifyingKey::from_bytes(&signer.0).expect("valid key");
            let sig = ed25519_dalek::Signature::from_bytes(sig);
            assert!(pk.verify_strict(m, &sig).is_ok());
        }
    });
    let mut batched = Vec::new();
    for size in BATCH_SIZES {
        for threads in BATCH_THREADS {
            // Whole batches only.
            let count = n / size * size;
            let r = rate(runs, count.max(1), &bar, || {
                for batch in items[..count].chunks(size) {
                    let verdicts = yui_ledger::crypto::verify_batch_parallel(batch, threads);
                    assert!(verdicts.iter().all(|v| v.is_ok()));
                }
            });
            batched.push((size, threads, r));
        }
    }
    let mut town_rates = Vec::new();
    for size in TOWN_BATCHES {
        let r = rate(runs, town_n, &bar, || {
            for batch in town.chunks(size) {
                let verdicts = yui_ledger::crypto::verify_batch(batch);
                assert!(verdicts.iter().all(|v| v.is_ok()));
            }
        });
        town_rates.push((size, r));
    }
    bar.finish_and_clear();
    println!(
        "ed25519 verify, Yui's rule (ADR 0006), single, incl. key decoding: {single:.0} verifications/s on one core ({:.1} µs each), median of {runs} runs of {n}",
        1e6 / single
    );
    println!(
        "ed25519-dalek verify_strict (the rule before ADR 0006), single:    {strict:.0} verifications/s on one core ({:.1} µs each)",
        1e6 / strict
    );
    for (size, threads, r) in &batched {
        println!(
            "batch of {size:>4}, {threads} thread{}: {:>5.1} µs per signature ({r:.0} verifications/s)",
            if *threads == 1 { " " } else { "s" },
            1e6 / r
        );
    }
    for (size, r) in &town_rates {
        println!(
            "batch of {size:>5}, 1 thread, {town_n} signatures by {TOWN_SIGNERS} keys: {:>5.1} µs per signature",
            1e6 / r
        );
    }
    let best_two = batched
        .iter()
        .filter(|(_, t, _)| *t == 2)
        .map(|(_, _, r)| *r)
        .fold(0.0, f64::max);
    println!(
        "bound for a validator on 2 cores: {:.0} tx/s singly, {best_two:.0} tx/s in batches on 2 threads (each tx's signature verified once)",
        2.0 * single
    );
}
