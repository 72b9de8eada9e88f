//! `yui-bench probe`: how fast this machine's memory answers right now.
//!
//! The devnet's figures move by a fifth within an hour on the benchmark
//! machine while a loop that stays in the caches runs at one speed
//! (BENCHMARKS.md, "How to measure"): the nodes' work misses the
//! caches, and what a miss costs varies with the host. The probe walks a
//! random cycle through a large array, each load's address coming from
//! the one before, and prints the time per load beside the same walk over
//! an array that fits in the caches, so that a benchmark run can be set
//! against the spell it ran in.

use std::time::Instant;

/// A single cycle through `n` slots in a random order (Sattolo's
/// algorithm), from a fixed seed.
fn cycle(n: usize) -> Vec<u32> {
    let mut next: Vec<u32> = (0..n as u32).collect();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in (1..n).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let j = (x % i as u64) as usize;
        next.swap(i, j);
    }
    next
}

/// Nanoseconds per dependent load over `slots` four-byte slots, the best
/// of three walks of `loads` loads.
fn walk(slots: usize, loads: usize) -> f64 {
    let next = cycle(slots);
    let mut best = f64::MAX;
    let mut at = 0u32;
    for _ in 0..3 {
        let t = Instant::now();
        for _ in 0..loads {
            at = next[at as usize];
        }
        best = best.min(t.elapsed().as_nanos() as f64 / loads as f64);
    }
    // Keeps the walk from being optimised away.
    std::hint::black_box(at);
    best
}

/// Prints the memory's answer time: over `mib` MiB, and over 64 KiB.
pub fn run(mib: usize, loads: usize) {
    let far = walk((mib << 20) / 4, loads);
    let near = walk((64 << 10) / 4, loads);
    println!("memory: {far:.0} ns per dependent load over {mib} MiB, {near:.1} ns within 64 KiB");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cycle_visits_every_slot_once() {
        let next = cycle(1_000);
        let mut seen = vec![false; next.len()];
        let mut at = 0u32;
        for _ in 0..next.len() {
            assert!(!seen[at as usize], "slot {at} visited twice");
            seen[at as usize] = true;
            at = next[at as usize];
        }
        assert_eq!(at, 0, "back at the start after every slot");
        assert!(seen.iter().all(|s| *s));
    }
}
