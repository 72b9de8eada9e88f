//! The scenarios, each run over many seeds, and the control runs that prove
//! the checker does see a fork and a double signature when there is one.

use std::time::Instant;

use crate::checker::Violation;
use crate::sim::{self, Report, Stats};

/// A family of runs; each seed draws its own timeline within these bounds.
pub struct Scenario {
    pub name: &'static str,
    pub validators: u32,
    /// Validators `0..twins` run as two nodes each, sharing one key.
    pub twins: u32,
    pub drop_per_mille: u32,
    pub duplicate_per_mille: u32,
    /// Message delay bounds, also after healing.
    pub delay_ms: (u64, u64),
    pub partitions: bool,
    pub crashes: bool,
    /// A broken node for a control run: it restarts without its persisted
    /// consensus state, as if it never wrote it.
    pub amnesia: bool,
    /// How long the faults last, drawn per seed within these bounds.
    pub fault_ms: (u64, u64),
    /// After healing, every node must decide this many more heights...
    pub heights_after_heal: u64,
    /// ...within this much simulated time.
    pub liveness_ms: u64,
}

const BASE: Scenario = Scenario {
    name: "",
    validators: 4,
    twins: 0,
    drop_per_mille: 0,
    duplicate_per_mille: 0,
    delay_ms: (1, 50),
    partitions: false,
    crashes: false,
    amnesia: false,
    fault_ms: (2_000, 6_000),
    heights_after_heal: 2,
    liveness_ms: 60_000,
};

const NO_FAULTS: Scenario = Scenario {
    name: "no_faults",
    fault_ms: (500, 1_500),
    ..BASE
};

const DROPS_AND_DELAYS: Scenario = Scenario {
    name: "drops_and_delays",
    drop_per_mille: 150,
    duplicate_per_mille: 50,
    delay_ms: (1, 400),
    ..BASE
};

const PARTITION_HEAL: Scenario = Scenario {
    name: "partition_heal",
    partitions: true,
    fault_ms: (3_000, 10_000),
    drop_per_mille: 20,
    ..BASE
};

const CRASH_RESTART: Scenario = Scenario {
    name: "crash_restart",
    crashes: true,
    drop_per_mille: 20,
    duplicate_per_mille: 20,
    ..BASE
};

const ONE_TWIN: Scenario = Scenario {
    name: "one_twin",
    twins: 1,
    fault_ms: (3_000, 10_000),
    drop_per_mille: 20,
    duplicate_per_mille: 20,
    ..BASE
};

/// Two of four validators are twins: more than a third is faulty, and the
/// checker must see a fork.
const TWO_TWINS: Scenario = Scenario {
    name: "two_twins_control",
    twins: 2,
    ..BASE
};

/// Crash-restarts where nodes forget what they persisted: the checker must
/// catch a validator signing twice.
const AMNESIA: Scenario = Scenario {
    name: "amnesia_control",
    amnesia: true,
    ..CRASH_RESTART
};

/// How many seeds a control run may take to find its violation.
const CONTROL_SEEDS_MAX: u64 = 500;

/// `YUI_SIM_SEED=<n>` runs seed `n` only; otherwise seeds `0..YUI_SIM_SEEDS`
/// (200 unless set).
fn seeds() -> Vec<u64> {
    let var = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    if let Some(seed) = var("YUI_SIM_SEED") {
        return vec![seed];
    }
    (0..var("YUI_SIM_SEEDS").unwrap_or(200)).collect()
}

/// Runs every seed of `scenario`; on the first violation, fails with the
/// seed that replays it.
fn run_all(scenario: &Scenario) {
    let started = Instant::now();
    let seeds = seeds();
    let mut heights = 0;
    let mut stats = Stats::default();
    for &seed in &seeds {
        let report: Report = sim::run(scenario, seed);
        if let Some(v) = report.violations.first() {
            panic!(
                "scenario {} seed {seed}: {v} (all: {:?})\nreplay: YUI_SIM_SEED={seed} cargo test -p yui-consensus --test it {}",
                scenario.name,
                report
                    .violations
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
                scenario.name
            );
        }
        heights += report.heights.iter().min().copied().unwrap_or(0);
        stats.add(&report.stats);
    }
    eprintln!(
        "sim {}: {} seeds, {heights} heights decided by all nodes, wall {:.1}s; {stats:?}",
        scenario.name,
        seeds.len(),
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn no_faults() {
    run_all(&NO_FAULTS);
}

#[test]
fn drops_and_delays() {
    run_all(&DROPS_AND_DELAYS);
}

#[test]
fn partition_heal() {
    run_all(&PARTITION_HEAL);
}

#[test]
fn crash_restart() {
    run_all(&CRASH_RESTART);
}

#[test]
fn one_twin() {
    run_all(&ONE_TWIN);
}

/// Runs seeds of a control scenario until one shows a violation `wanted`
/// accepts; fails if none does within `CONTROL_SEEDS_MAX` seeds.
fn expect_violation(scenario: &Scenario, wanted: fn(&Violation) -> bool) {
    let started = Instant::now();
    let found =
        (0..CONTROL_SEEDS_MAX).find(|&seed| sim::run(scenario, seed).violations.iter().any(wanted));
    let Some(seed) = found else {
        panic!(
            "{}: no violation in {CONTROL_SEEDS_MAX} seeds: the checker is blind",
            scenario.name
        );
    };
    eprintln!(
        "sim {}: violation found at seed {seed} (bound {CONTROL_SEEDS_MAX}), wall {:.1}s",
        scenario.name,
        started.elapsed().as_secs_f64()
    );
}

/// With f+1 twins the protocol's assumption is broken: the checker must
/// report a fork.
#[test]
fn two_twins_control() {
    expect_violation(&TWO_TWINS, |v| matches!(v, Violation::Fork { .. }));
}

/// A node that loses its persisted state must be caught signing twice.
#[test]
fn amnesia_control() {
    expect_violation(&AMNESIA, |v| matches!(v, Violation::Equivocation { .. }));
}

/// The same seed gives the same run, event for event.
#[test]
fn a_seed_replays_exactly() {
    let a = sim::run(&ONE_TWIN, 7);
    let b = sim::run(&ONE_TWIN, 7);
    assert_eq!(a.heights, b.heights);
    assert_eq!(format!("{:?}", a.stats), format!("{:?}", b.stats));
}
