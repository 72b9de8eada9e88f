//! The simulated network: nodes, a message and timer queue in simulated time,
//! and the faults of a scenario, all driven by one seeded RNG.
//!
//! Each node runs the node's own loop around its core, the consensus crate's
//! [`Driver`] (the engine of `yui-node` drives the same one): it persists
//! what the core asks before sending, stores decided blocks, moves to the
//! next height, and takes decided heights from block sync one at a time,
//! each certificate checked. This file is only the driver's host: a disk,
//! a network of queues, timers in simulated time. Each node also re-sends
//! its own messages now and then (gossip), and a peer that is ahead pushes
//! the certificates a node lacks (block sync).
//!
//! Nodes hold keys `0..keys`; which keys are validators depends on the height
//! (see [`Schedule`]). A node gives its core the set of the height it builds
//! the core for, whether it moves on after a decision, boots, restarts or
//! catches up. A node whose key is outside that set only observes.

use std::collections::{BTreeMap, BTreeSet};

use ed25519_dalek::SigningKey;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};
use yui_consensus::driver::{Driver, Host};
use yui_consensus::{
    CommitCertificate, Core, Hash, Input, Message, Params, PersistentState, TimeoutKind,
    ValidatorSet, Vote,
};

use crate::checker::{Checker, Violation};
use crate::scenarios::Scenario;
use crate::schedule::{Schedule, signing_key};

pub const CHAIN_ID: &str = "yui-sim";
/// How often a node re-sends its own messages of the current height.
const GOSSIP_MS: u64 = 400;
/// How long a node waits before asking the same peer set for blocks again.
const SYNC_BACKOFF_MS: u64 = 300;
/// How long building a block takes, at most.
const BUILD_MS_MAX: u64 = 20;
/// A run that processes more events than this is reported as stalled.
const EVENTS_MAX: u64 = 2_000_000;

/// Something that happens at a point of simulated time.
#[derive(Clone, Debug)]
enum Event {
    Deliver {
        from: usize,
        to: usize,
        msg: Message,
    },
    Sync {
        to: usize,
        certs: Vec<CommitCertificate>,
    },
    Timeout {
        node: usize,
        life: u64,
        kind: TimeoutKind,
        height: u64,
        round: u32,
    },
    Build {
        node: usize,
        life: u64,
        height: u64,
        round: u32,
    },
    Gossip {
        node: usize,
        life: u64,
    },
    Crash {
        node: usize,
    },
    Restart {
        node: usize,
    },
    /// Splits the nodes into groups (`None`: one group).
    Partition(Option<Vec<u8>>),
    Heal,
}

/// What survives a crash: the last persisted consensus state, the blocks,
/// and the proposed blocks the node has seen (the node keeps them in its
/// store of pending blocks).
#[derive(Default)]
struct Disk {
    consensus: Option<PersistentState>,
    /// `blocks[i]` decides height `i + 1`.
    blocks: Vec<CommitCertificate>,
    /// Blocks built or received in a proposal, by height and hash. A
    /// decision on a block the node does not hold waits for block sync
    /// (rare: the core decides only on a proposal it received).
    held: BTreeSet<(u64, Hash)>,
}

struct Node {
    /// The number of the node's key; the two nodes of a twin share one.
    key_id: u32,
    key: SigningKey,
    /// `None` while crashed.
    driver: Option<Driver>,
    /// Bumped on every crash and restart; timers of an older life are void.
    life: u64,
    disk: Disk,
    /// No new block sync towards this node before this time.
    sync_after: u64,
    /// The height of the node's last core (0 before the first).
    core_height: u64,
}

impl Node {
    fn next_height(&self) -> u64 {
        self.disk.blocks.len() as u64 + 1
    }
}

/// The result of one run.
pub struct Report {
    pub violations: Vec<Violation>,
    /// Heights decided, per node.
    pub heights: Vec<u64>,
    pub stats: Stats,
}

/// Counts that show the faults happened.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    pub events: u64,
    pub evidence: u64,
    pub crashes: u64,
    pub lost: u64,
    pub synced: u64,
    /// Proposals of a block that already had prevotes of two thirds (L15-L16).
    pub reproposals: u64,
    /// The highest round in which some node decided.
    pub max_round: u32,
    /// Points where a twinned key signed two different messages.
    pub twin_conflicts: u64,
    /// The most twinned keys that equivocated in one run (max over runs).
    pub twins_equivocating_max: u64,
    /// Signatures in stored certificates by keys that joined the set later.
    pub joiner_commit_signatures: u64,
    /// Heights from which a changed set decides that were decided (by some
    /// node) while the faults lasted.
    pub changes_under_faults: u64,
    /// Cores built at boot, restart or catch-up with another set than the
    /// node's previous core had: a node that missed a change on the way.
    pub boots_across_changes: u64,
}

impl Stats {
    pub fn add(&mut self, other: &Stats) {
        self.events += other.events;
        self.evidence += other.evidence;
        self.crashes += other.crashes;
        self.lost += other.lost;
        self.synced += other.synced;
        self.reproposals += other.reproposals;
        self.max_round = self.max_round.max(other.max_round);
        self.twin_conflicts += other.twin_conflicts;
        self.twins_equivocating_max = self
            .twins_equivocating_max
            .max(other.twins_equivocating_max);
        self.joiner_commit_signatures += other.joiner_commit_signatures;
        self.changes_under_faults += other.changes_under_faults;
        self.boots_across_changes += other.boots_across_changes;
    }
}

/// One run of a scenario with one seed.
pub struct Sim<'a> {
    scenario: &'a Scenario,
    seed: u64,
    rng: ChaCha8Rng,
    now: u64,
    seq: u64,
    queue: BTreeMap<(u64, u64), Event>,
    nodes: Vec<Node>,
    /// The validator set of every height.
    schedule: Schedule,
    params: Params,
    groups: Option<Vec<u8>>,
    faulty: bool,
    /// Set at healing: every node must reach this height by `deadline`.
    target: Option<(u64, u64)>,
    checker: Checker,
    stats: Stats,
    /// Heights of set changes decided while the faults lasted.
    changes_under_faults: BTreeSet<u64>,
    /// `YUI_SIM_TRACE=1` prints every event and output, for replaying a seed.
    trace: bool,
}

/// Runs `scenario` with `seed` to the end and reports.
pub fn run(scenario: &Scenario, seed: u64) -> Report {
    let mut sim = Sim::new(scenario, seed);
    sim.schedule_faults();
    for node in 0..sim.nodes.len() {
        sim.boot(node);
    }
    sim.run_to_end();
    sim.stats.twin_conflicts = sim.checker.twin_conflicts;
    sim.stats.twins_equivocating_max = sim.checker.twins_equivocated.len() as u64;
    sim.stats.joiner_commit_signatures = sim.checker.joiner_commit_signatures;
    sim.stats.changes_under_faults = sim.changes_under_faults.len() as u64;
    Report {
        heights: sim
            .nodes
            .iter()
            .map(|n| n.disk.blocks.len() as u64)
            .collect(),
        violations: sim.checker.violations,
        stats: sim.stats,
    }
}

impl<'a> Sim<'a> {
    fn new(scenario: &'a Scenario, seed: u64) -> Sim<'a> {
        let schedule = Schedule::new(scenario.keys, scenario.genesis, scenario.changes);
        let mut nodes = Vec::new();
        for k in 0..scenario.keys {
            let key = signing_key(k);
            let copies = if scenario.twins.contains(&k) { 2 } else { 1 };
            for _ in 0..copies {
                nodes.push(Node {
                    key_id: k,
                    key: key.clone(),
                    driver: None,
                    life: 0,
                    disk: Disk::default(),
                    sync_after: 0,
                    core_height: 0,
                });
            }
        }
        let twinned = (0..scenario.keys)
            .map(|k| scenario.twins.contains(&k))
            .collect();
        Sim {
            scenario,
            seed,
            rng: ChaCha8Rng::seed_from_u64(seed),
            now: 0,
            seq: 0,
            queue: BTreeMap::new(),
            nodes,
            checker: Checker::new(CHAIN_ID, schedule.clone(), twinned),
            schedule,
            params: Params::default(),
            groups: None,
            faulty: true,
            target: None,
            stats: Stats::default(),
            changes_under_faults: BTreeSet::new(),
            trace: std::env::var_os("YUI_SIM_TRACE").is_some(),
        }
    }

    fn at(&mut self, time: u64, event: Event) {
        self.seq += 1;
        self.queue.insert((time, self.seq), event);
    }

    fn alive(&self, node: usize, life: u64) -> bool {
        let n = &self.nodes[node];
        n.life == life && n.driver.is_some()
    }

    /// Draws the fault timeline: partitions, crashes, then healing.
    fn schedule_faults(&mut self) {
        let (lo, hi) = self.scenario.fault_ms;
        let heal_at = self.rng.random_range(lo..=hi);
        if self.scenario.partitions || !self.scenario.twins.is_empty() {
            self.schedule_partitions(heal_at);
        }
        if self.scenario.crashes {
            for _ in 0..self.rng.random_range(1..=3) {
                let node = self.rng.random_range(0..self.nodes.len());
                let t = self.rng.random_range(0..heal_at);
                let down = self.rng.random_range(100..2_000);
                self.at(t, Event::Crash { node });
                self.at(t + down, Event::Restart { node });
            }
        }
        self.at(heal_at, Event::Heal);
    }

    /// Partitions that change every few hundred milliseconds. With twins the
    /// network is always split with the two copies of a validator apart, so
    /// they can equivocate; otherwise splits alternate with a whole network.
    fn schedule_partitions(&mut self, heal_at: u64) {
        let mut t = 0;
        let mut split = true;
        while t < heal_at {
            let groups = (split || !self.scenario.twins.is_empty()).then(|| self.draw_groups());
            self.at(t, Event::Partition(groups));
            split = !split;
            t += self.rng.random_range(300..3_000);
        }
    }

    /// Two random groups; the copies of a twinned validator always apart.
    fn draw_groups(&mut self) -> Vec<u8> {
        let mut groups = Vec::with_capacity(self.nodes.len());
        let mut i = 0;
        while i < self.nodes.len() {
            let g: u8 = self.rng.random_range(0..2);
            groups.push(g);
            if self
                .nodes
                .get(i + 1)
                .is_some_and(|n| n.key_id == self.nodes[i].key_id)
            {
                groups.push(1 - g);
                i += 1;
            }
            i += 1;
        }
        groups
    }

    fn run_to_end(&mut self) {
        while let Some(((time, _), event)) = self.queue.pop_first() {
            self.now = time;
            self.stats.events += 1;
            if self.trace {
                eprintln!("{time:>7} {event:?}");
            }
            self.dispatch(event);
            if self.finished() {
                return;
            }
        }
    }

    /// Whether the run is over: on the first violation, when every node has
    /// reached the target after healing, or when the time (or event budget)
    /// for that has run out, which is itself a violation.
    fn finished(&mut self) -> bool {
        if !self.checker.violations.is_empty() {
            return true;
        }
        let heights: Vec<u64> = self
            .nodes
            .iter()
            .map(|n| n.disk.blocks.len() as u64)
            .collect();
        let (target, deadline) = self.target.unwrap_or((u64::MAX, u64::MAX));
        if heights.iter().all(|&h| h >= target) {
            return true;
        }
        if self.now > deadline || self.stats.events > EVENTS_MAX {
            self.checker
                .violations
                .push(Violation::Stalled { target, heights });
            return true;
        }
        false
    }

    fn dispatch(&mut self, event: Event) {
        match event {
            Event::Deliver { from, to, msg } => self.deliver(from, to, msg),
            Event::Sync { to, certs } => self.apply_sync(to, certs),
            Event::Timeout {
                node,
                life,
                kind,
                height,
                round,
            } if self.alive(node, life) => {
                let input = Input::Timeout {
                    kind,
                    height,
                    round,
                };
                self.drive(node, |d, h| d.handle(h, input));
            }
            Event::Build {
                node,
                life,
                height,
                round,
            } if self.alive(node, life) => {
                let block_hash = self.block_value(node, height, round);
                self.nodes[node].disk.held.insert((height, block_hash));
                self.drive(node, |d, h| d.built(h, height, round, block_hash));
            }
            Event::Gossip { node, life } if self.alive(node, life) => self.gossip(node),
            Event::Crash { node } if self.faulty => self.crash(node),
            Event::Restart { node } => self.restart(node),
            Event::Partition(groups) if self.faulty => self.groups = groups,
            Event::Heal => self.heal(),
            _ => {}
        }
    }

    /// A proposer's block: a hash of the height, round, key and node,
    /// so twins build different blocks. Every block is valid.
    fn block_value(&self, node: usize, height: u64, round: u32) -> Hash {
        let mut h = Sha256::new();
        h.update(self.seed.to_le_bytes());
        h.update(height.to_le_bytes());
        h.update(round.to_le_bytes());
        h.update(self.nodes[node].key_id.to_le_bytes());
        h.update((node as u64).to_le_bytes());
        h.finalize().into()
    }

    /// Runs `f` on the node's driver with the node as its host. A crash
    /// between a persist and what follows it ends the node's life there; it
    /// restarts a little later.
    fn drive(
        &mut self,
        node: usize,
        f: impl FnOnce(&mut Driver, &mut SimHost<'_, 'a>) -> Result<(), Crashed>,
    ) {
        let Some(mut driver) = self.nodes[node].driver.take() else {
            return;
        };
        let mut host = SimHost { sim: self, node };
        match f(&mut driver, &mut host) {
            Ok(()) => self.nodes[node].driver = Some(driver),
            Err(Crashed) => {
                self.crash(node);
                let down = self.rng.random_range(50..1_000);
                self.at(self.now + down, Event::Restart { node });
            }
        }
    }

    /// In a crash scenario, a crash may strike between a persist and the
    /// sends that follow it.
    fn crash_after_persist(&mut self) -> bool {
        self.faulty && self.scenario.crashes && self.rng.random_ratio(5, 1_000)
    }

    /// The validator set a node gives its core for `height`: the one the
    /// chain fixed for it, or, for a broken node in a control run, the set of
    /// an earlier height.
    fn set_for(&self, height: u64) -> ValidatorSet {
        self.schedule.set(self.set_height(height)).clone()
    }

    fn set_height(&self, height: u64) -> u64 {
        height.saturating_sub(self.scenario.set_lag).max(1)
    }

    /// Stores a decided block (checked) and counts it.
    fn store(&mut self, node: usize, cert: CommitCertificate) -> bool {
        let height = self.nodes[node].next_height();
        if !self.checker.decide(node, height, &cert) {
            return false;
        }
        if self.faulty && self.schedule.change_heights().any(|h| h == height) {
            self.changes_under_faults.insert(height);
        }
        self.nodes[node].disk.blocks.push(cert);
        true
    }

    fn trace_core(&self, node: usize, core: &Core) {
        let h = core.height();
        eprintln!(
            "{:>7}   node {node} (key {}) at height {h} as {:?}, set {:?}",
            self.now,
            self.nodes[node].key_id,
            core.validator_index(),
            self.schedule.members(self.set_height(h))
        );
    }

    fn broadcast(&mut self, from: usize, msg: &Message) {
        for to in 0..self.nodes.len() {
            if to != from {
                let msg = msg.clone();
                self.send(from, to, Event::Deliver { from, to, msg });
            }
        }
    }

    /// Puts an event on the wire from `from` to `to`: lost across a partition
    /// or by chance while faults last, otherwise delivered after a random
    /// delay, sometimes twice.
    fn send(&mut self, from: usize, to: usize, event: Event) {
        if self.faulty {
            let split = self.groups.as_ref().is_some_and(|g| g[from] != g[to]);
            if split || self.rng.random_ratio(self.scenario.drop_per_mille, 1_000) {
                self.stats.lost += 1;
                return;
            }
        }
        let copies = if self.faulty
            && self
                .rng
                .random_ratio(self.scenario.duplicate_per_mille, 1_000)
        {
            2
        } else {
            1
        };
        for _ in 0..copies {
            let (lo, hi) = self.scenario.delay_ms;
            let delay = self.rng.random_range(lo..=hi);
            self.at(self.now + delay, event.clone());
        }
    }

    fn deliver(&mut self, from: usize, to: usize, msg: Message) {
        let Some(height) = self.nodes[to].driver.as_ref().map(Driver::height) else {
            return;
        };
        if msg.height() != height {
            self.maybe_sync(from, to);
        }
        match msg {
            Message::Proposal(proposal) => {
                if proposal.height == height {
                    let held = (proposal.height, proposal.block_hash);
                    self.nodes[to].disk.held.insert(held);
                }
                self.drive(to, |d, h| d.proposal(h, proposal, true, false));
            }
            Message::Vote(vote) => self.drive(to, |d, h| d.handle(h, Input::Vote(vote))),
        }
    }

    /// Two nodes at different heights met: the one ahead sends the decided
    /// blocks the other lacks, as block sync does.
    fn maybe_sync(&mut self, a: usize, b: usize) {
        let (ahead, behind) = if self.nodes[a].disk.blocks.len() > self.nodes[b].disk.blocks.len() {
            (a, b)
        } else {
            (b, a)
        };
        let have = self.nodes[behind].disk.blocks.len();
        if self.nodes[ahead].disk.blocks.len() <= have
            || self.nodes[ahead].driver.is_none()
            || self.nodes[behind].sync_after > self.now
        {
            return;
        }
        self.nodes[behind].sync_after = self.now + SYNC_BACKOFF_MS;
        let certs = self.nodes[ahead].disk.blocks[have..].to_vec();
        self.send(ahead, behind, Event::Sync { to: behind, certs });
    }

    /// Gives the node's driver the certificates that extend its chain, one at
    /// a time, as the node's block sync does; each block arrives with its
    /// certificate.
    fn apply_sync(&mut self, node: usize, certs: Vec<CommitCertificate>) {
        for cert in certs {
            if self.nodes[node].driver.is_none() {
                return;
            }
            if cert.height != self.nodes[node].next_height() {
                continue;
            }
            let held = (cert.height, cert.block_hash);
            self.nodes[node].disk.held.insert(held);
            let before = self.nodes[node].core_height;
            let mut taken = false;
            self.drive(node, |d, h| {
                taken = d.synced(h, &cert)?.is_ok();
                Ok(())
            });
            if taken {
                self.stats.synced += 1;
                let after = self.nodes[node].core_height;
                if self.set_for(before) != self.set_for(after) {
                    self.stats.boots_across_changes += 1;
                }
            }
        }
    }

    /// Sends the node's own messages of its height again.
    fn gossip(&mut self, node: usize) {
        let own = self.nodes[node]
            .driver
            .as_ref()
            .map(Driver::rebroadcast)
            .unwrap_or_default();
        for msg in &own {
            self.broadcast(node, msg);
        }
        let life = self.nodes[node].life;
        self.at(self.now + GOSSIP_MS, Event::Gossip { node, life });
    }

    fn crash(&mut self, node: usize) {
        let n = &mut self.nodes[node];
        n.driver = None;
        n.life += 1;
        self.stats.crashes += 1;
    }

    fn restart(&mut self, node: usize) {
        if self.nodes[node].driver.is_none() {
            self.boot(node);
        }
    }

    /// (Re)starts a node's core from its disk, as the node does at boot: the
    /// persisted state if it is for the next height, else a fresh one, and
    /// the validator set of that height.
    fn boot(&mut self, node: usize) {
        let height = self.nodes[node].next_height();
        let set = self.set_for(height);
        let before = self.nodes[node].core_height;
        if before > 0 && self.set_for(before) != set {
            self.stats.boots_across_changes += 1;
        }
        let amnesia = self.scenario.amnesia;
        let n = &mut self.nodes[node];
        n.core_height = height;
        n.life += 1;
        let persisted = n.disk.consensus.clone().filter(|_| !amnesia);
        let key = Some(n.key.clone());
        let params = self.params.clone();
        let host = SimHost { sim: self, node };
        let driver = Driver::new(&host, CHAIN_ID.to_string(), params, key, height, persisted);
        if self.trace {
            self.trace_core(node, driver.core());
        }
        let n = &mut self.nodes[node];
        n.driver = Some(driver);
        let life = n.life;
        let first = self.rng.random_range(0..GOSSIP_MS);
        self.at(self.now + first, Event::Gossip { node, life });
        self.drive(node, |d, h| d.start(h));
    }

    /// Ends the faults: one network, no loss, every node up. From now on every
    /// node must reach a few more heights within the scenario's bound.
    fn heal(&mut self) {
        self.faulty = false;
        self.groups = None;
        for node in 0..self.nodes.len() {
            self.restart(node);
        }
        let top = self
            .nodes
            .iter()
            .map(|n| n.disk.blocks.len() as u64)
            .max()
            .unwrap_or(0);
        // Every node must also decide the first two heights of the last set.
        let target = (top + self.scenario.heights_after_heal).max(self.schedule.last_change() + 1);
        self.target = Some((target, self.now + self.scenario.liveness_ms));
    }
}

/// A node crashed between a persist and the sends after it.
pub struct Crashed;

/// One node of the simulation as its driver's host.
pub struct SimHost<'s, 'a> {
    sim: &'s mut Sim<'a>,
    node: usize,
}

impl Host for SimHost<'_, '_> {
    type Error = Crashed;

    fn persist(&mut self, state: &PersistentState) -> Result<(), Crashed> {
        self.sim.nodes[self.node].disk.consensus = Some(state.clone());
        if self.sim.crash_after_persist() {
            return Err(Crashed);
        }
        Ok(())
    }

    fn broadcast(&mut self, msg: &Message) -> Result<(), Crashed> {
        if matches!(msg, Message::Proposal(p) if p.pol_round.is_some()) {
            self.sim.stats.reproposals += 1;
        }
        let key_id = self.sim.nodes[self.node].key_id;
        self.sim.checker.signed(key_id, msg);
        self.sim.broadcast(self.node, msg);
        Ok(())
    }

    fn schedule_timeout(&mut self, kind: TimeoutKind, height: u64, round: u32, duration_ms: u64) {
        let (node, life) = (self.node, self.sim.nodes[self.node].life);
        let timeout = Event::Timeout {
            node,
            life,
            kind,
            height,
            round,
        };
        self.sim.at(self.sim.now + duration_ms, timeout);
    }

    fn request_proposal(&mut self, height: u64, round: u32) {
        let (node, life) = (self.node, self.sim.nodes[self.node].life);
        let delay = self.sim.rng.random_range(1..=BUILD_MS_MAX);
        let build = Event::Build {
            node,
            life,
            height,
            round,
        };
        self.sim.at(self.sim.now + delay, build);
    }

    fn commit(&mut self, certificate: &CommitCertificate) -> Result<bool, Crashed> {
        let node = self.node;
        let height = certificate.height;
        if !self.sim.nodes[node]
            .disk
            .held
            .contains(&(height, certificate.block_hash))
        {
            return Ok(false);
        }
        if !self.sim.store(node, certificate.clone()) {
            return Ok(false);
        }
        let sim = &mut *self.sim;
        sim.stats.max_round = sim.stats.max_round.max(certificate.round);
        let n = &mut sim.nodes[node];
        n.disk.held.retain(|(h, _)| *h > height);
        n.core_height = height + 1;
        Ok(true)
    }

    fn validators(&self, height: u64) -> ValidatorSet {
        self.sim.set_for(height)
    }

    fn evidence(&mut self, _first: Vote, _second: Vote) -> Result<(), Crashed> {
        self.sim.stats.evidence += 1;
        Ok(())
    }
}
