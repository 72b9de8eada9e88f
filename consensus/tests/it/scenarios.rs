//! The scenarios, each run over many seeds, and the control runs that prove
//! the checker does see a fork, a double signature, a signature from outside
//! the set and a certificate short of power when there is one.

use std::time::Instant;

use crate::checker::Violation;
use crate::schedule::Change;
use crate::sim::{self, Report, Stats};

/// A family of runs; each seed draws its own timeline within these bounds.
pub struct Scenario {
    pub name: &'static str,
    /// Keys `0..keys` each run a node from the start, validator or not.
    pub keys: u32,
    /// Keys `0..genesis` are the validators of height 1, of power 1 each.
    pub genesis: u32,
    /// Changes to the validator set: from `height` on, `change` applies.
    pub changes: &'static [(u64, Change)],
    /// These keys run as two nodes each, sharing one key.
    pub twins: &'static [u32],
    pub drop_per_mille: u32,
    pub duplicate_per_mille: u32,
    /// Message delay bounds, also after healing.
    pub delay_ms: (u64, u64),
    pub partitions: bool,
    pub crashes: bool,
    /// A broken node for a control run: it restarts without its persisted
    /// consensus state, as if it never wrote it.
    pub amnesia: bool,
    /// A broken node for a control run: it gives its core for height `h` the
    /// set of height `h - set_lag` (at least 1) instead of the set of `h`.
    pub set_lag: u64,
    /// How long the faults last, drawn per seed within these bounds.
    pub fault_ms: (u64, u64),
    /// After healing, every node must decide this many more heights...
    pub heights_after_heal: u64,
    /// ...within this much simulated time.
    pub liveness_ms: u64,
}

const BASE: Scenario = Scenario {
    name: "",
    keys: 4,
    genesis: 4,
    changes: &[],
    twins: &[],
    drop_per_mille: 0,
    duplicate_per_mille: 0,
    delay_ms: (1, 50),
    partitions: false,
    crashes: false,
    amnesia: false,
    set_lag: 0,
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
    twins: &[0],
    fault_ms: (3_000, 10_000),
    drop_per_mille: 20,
    duplicate_per_mille: 20,
    ..BASE
};

/// Two of four validators are twins: more than a third is faulty, and the
/// checker must see a fork.
const TWO_TWINS: Scenario = Scenario {
    name: "two_twins_control",
    twins: &[0, 1],
    ..BASE
};

/// Seven validators of power 1 (f = 2): keys 0 and 1 each run as two nodes,
/// the copies of each always in different partitions while faults last, with
/// loss, duplicates, long delays and crash-restarts of any node (a twin's copy
/// included); both keep equivocating after healing. The five correct keys
/// hold 5 of 7, just over two thirds: safety and liveness must hold.
const SEVEN_TWO_TWINS: Scenario = Scenario {
    name: "seven_two_twins",
    keys: 7,
    genesis: 7,
    twins: &[0, 1],
    crashes: true,
    drop_per_mille: 80,
    duplicate_per_mille: 30,
    delay_ms: (1, 200),
    fault_ms: (3_000, 8_000),
    ..BASE
};

/// Three of seven validators are twins (f + 1): the checker must see a fork.
const SEVEN_THREE_TWINS: Scenario = Scenario {
    name: "seven_three_twins_control",
    keys: 7,
    genesis: 7,
    twins: &[0, 1, 2],
    ..BASE
};

/// Crash-restarts where nodes forget what they persisted: the checker must
/// catch a validator signing twice.
const AMNESIA: Scenario = Scenario {
    name: "amnesia_control",
    amnesia: true,
    ..CRASH_RESTART
};

/// Five keys; heights 1-2 are decided by keys 0-3, key 4 joins at height 3,
/// key 1 leaves at height 5 (so keys 2-4 move down one index), and key 0's
/// power becomes 2 at height 7. In every one of these sets a key of power 1
/// holds less than a third, so any one of them may be faulty. (Early heights
/// keep the runs short; the faults last past them in most seeds.)
const CHANGES: &[(u64, Change)] = &[
    (3, Change::Add(4, 1)),
    (5, Change::Remove(1)),
    (7, Change::Power(0, 2)),
];

/// Validator-set changes under loss, delays, duplicates and crash-restarts:
/// the chain must decide through every change, nodes must build each core
/// with the set of its height (after a decision, a restart or a catch-up),
/// and every node (observers too) must reach the last set's second height.
const RECONFIGURE: Scenario = Scenario {
    name: "reconfigure",
    keys: 5,
    changes: CHANGES,
    crashes: true,
    drop_per_mille: 80,
    duplicate_per_mille: 30,
    delay_ms: (1, 150),
    fault_ms: (2_000, 5_000),
    ..BASE
};

/// The key that joins at height 4 runs as two nodes (f = 1 of the five
/// validators) that are always in different partitions while faults last and
/// keep equivocating after healing. Before height 4 both copies only observe.
const JOINED_TWIN: Scenario = Scenario {
    name: "joined_twin",
    keys: 5,
    changes: CHANGES,
    twins: &[4],
    fault_ms: (2_000, 6_000),
    drop_per_mille: 20,
    duplicate_per_mille: 20,
    ..BASE
};

/// Nodes that build the core of height `h` with the set of `h - 1`: where a
/// validator leaves, it still signs, and the checker must say so.
const LAGGING_REMOVAL: Scenario = Scenario {
    name: "lagging_set_removal_control",
    changes: &[(3, Change::Remove(3))],
    set_lag: 1,
    ..BASE
};

/// Nodes that build the core of height `h` with the set of `h - 1`: where a
/// validator joins, they certify blocks with too little of the new set's
/// power, and the checker must say so.
const LAGGING_JOIN: Scenario = Scenario {
    name: "lagging_set_join_control",
    keys: 5,
    changes: &[(3, Change::Add(4, 1))],
    set_lag: 1,
    ..BASE
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

/// With at least this many seeds, a scenario must show that its faults did
/// happen (a twin equivocated, a joined validator signed certificates, a set
/// changed while faults lasted); a single seed need not.
const SEEDS_FOR_COVERAGE: usize = 100;

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
    if seeds.len() < SEEDS_FOR_COVERAGE {
        return;
    }
    if scenario.crashes {
        assert!(stats.crashes > 0, "{}: no node ever crashed", scenario.name);
    }
    if scenario.drop_per_mille > 0 || scenario.partitions || !scenario.twins.is_empty() {
        assert!(
            stats.lost > 0,
            "{}: no message was ever lost",
            scenario.name
        );
    }
    if !scenario.twins.is_empty() {
        assert!(
            stats.twin_conflicts > 0,
            "{}: no twin ever equivocated",
            scenario.name
        );
        assert_eq!(
            stats.twins_equivocating_max,
            scenario.twins.len() as u64,
            "{}: no run in which every twin equivocated",
            scenario.name
        );
    }
    if scenario
        .changes
        .iter()
        .any(|(_, c)| matches!(c, Change::Add(..)))
    {
        assert!(
            stats.joiner_commit_signatures > 0,
            "{}: no validator that joined ever signed a certificate",
            scenario.name
        );
    }
    if !scenario.changes.is_empty() {
        assert!(
            stats.changes_under_faults > 0,
            "{}: no set change was ever decided while faults lasted",
            scenario.name
        );
        assert!(
            stats.boots_across_changes > 0,
            "{}: no node ever restarted or caught up across a set change",
            scenario.name
        );
    }
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

#[test]
fn reconfigure() {
    run_all(&RECONFIGURE);
}

#[test]
fn joined_twin() {
    run_all(&JOINED_TWIN);
}

#[test]
fn seven_two_twins() {
    run_all(&SEVEN_TWO_TWINS);
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

/// With f+1 of seven validators twins, the checker must report a fork.
#[test]
fn seven_three_twins_control() {
    expect_violation(&SEVEN_THREE_TWINS, |v| matches!(v, Violation::Fork { .. }));
}

/// A node that loses its persisted state must be caught signing twice.
#[test]
fn amnesia_control() {
    expect_violation(&AMNESIA, |v| matches!(v, Violation::Equivocation { .. }));
}

/// A node that builds its core with the previous height's set lets a
/// validator that left sign on: the checker must report the outsider.
#[test]
fn lagging_set_removal_control() {
    expect_violation(
        &LAGGING_REMOVAL,
        |v| matches!(v, Violation::Outsider { key: 3, height, .. } if *height >= 3),
    );
}

/// A node that builds its core with the previous height's set certifies a
/// block with too little of the power of the set that joined validator 4:
/// the checker must refuse the certificate.
#[test]
fn lagging_set_join_control() {
    expect_violation(
        &LAGGING_JOIN,
        |v| matches!(v, Violation::BadCertificate { reason, .. } if reason.contains("power")),
    );
}

/// The same seed gives the same run, event for event.
#[test]
fn a_seed_replays_exactly() {
    for scenario in [&ONE_TWIN, &RECONFIGURE] {
        let a = sim::run(scenario, 7);
        let b = sim::run(scenario, 7);
        assert_eq!(a.heights, b.heights);
        assert_eq!(format!("{:?}", a.stats), format!("{:?}", b.stats));
    }
}
