//! What must hold in every run: no two nodes decide different blocks at one
//! height, every certificate verifies against the validator set of its own
//! height and holds more than two thirds of that set's power, every signature
//! comes from a validator of the height it signs for, and no correct
//! validator signs two different messages at one height, round and step.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use yui_consensus::{CommitCertificate, Hash, Message, SignStep, VoteKind};

use crate::schedule::Schedule;

/// A broken property, with what is needed to understand it. Validators are
/// named by key number (see [`Schedule`]), nodes by their place in the sim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// Two nodes decided different blocks at one height.
    Fork {
        height: u64,
        first: (usize, Hash),
        second: (usize, Hash),
    },
    /// A certificate that does not verify against the set of its height,
    /// holds too little of that set's power, or does not extend the node's
    /// chain.
    BadCertificate {
        node: usize,
        height: u64,
        reason: String,
    },
    /// A key signed a proposal or vote for a height whose set it is not in.
    Outsider { key: u32, height: u64, round: u32 },
    /// A signed message that does not check against the set of its height
    /// (wrong index for its key, or a bad signature).
    BadMessage {
        key: u32,
        height: u64,
        round: u32,
        reason: String,
    },
    /// A validator without a twin signed two different messages at one point.
    Equivocation { key: u32, height: u64, round: u32 },
    /// The network did not reach the target height in time after healing.
    Stalled { target: u64, heights: Vec<u64> },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Fork {
                height,
                first,
                second,
            } => write!(
                f,
                "fork at height {height}: node {} decided {}, node {} decided {}",
                first.0,
                hex::encode(&first.1[..4]),
                second.0,
                hex::encode(&second.1[..4])
            ),
            Violation::BadCertificate {
                node,
                height,
                reason,
            } => {
                write!(
                    f,
                    "node {node} got a bad certificate at height {height}: {reason}"
                )
            }
            Violation::Outsider { key, height, round } => write!(
                f,
                "key {key} signed at height {height} round {round}, where it is not a validator"
            ),
            Violation::BadMessage {
                key,
                height,
                round,
                reason,
            } => write!(
                f,
                "key {key} sent a bad message at height {height} round {round}: {reason}"
            ),
            Violation::Equivocation { key, height, round } => write!(
                f,
                "correct validator (key {key}) signed twice at height {height} round {round}"
            ),
            Violation::Stalled { target, heights } => {
                write!(f, "stalled: target height {target}, nodes at {heights:?}")
            }
        }
    }
}

/// Collects violations as the simulation reports what nodes do.
pub struct Checker {
    chain_id: String,
    /// The validator set of every height, as the chain fixes it.
    schedule: Schedule,
    /// Keys with two nodes each; they may equivocate.
    twinned: Vec<bool>,
    decided: BTreeMap<u64, (usize, Hash)>,
    /// Certificates that passed every check; another node storing the very
    /// same certificate needs no second check (it is a pure function of the
    /// certificate and the schedule).
    certified: BTreeSet<(u64, Vec<u8>)>,
    signed: BTreeMap<(u32, u64, u32, SignStep), Option<Hash>>,
    pub violations: Vec<Violation>,
    /// Points where a twinned key signed a second, different message.
    pub twin_conflicts: u64,
    /// The twinned keys that signed two different messages at some point.
    pub twins_equivocated: BTreeSet<u32>,
    /// Signatures in stored certificates by keys outside the set of height 1.
    pub joiner_commit_signatures: u64,
}

impl Checker {
    pub fn new(chain_id: &str, schedule: Schedule, twinned: Vec<bool>) -> Checker {
        Checker {
            chain_id: chain_id.to_string(),
            schedule,
            twinned,
            decided: BTreeMap::new(),
            certified: BTreeSet::new(),
            signed: BTreeMap::new(),
            violations: Vec::new(),
            twin_conflicts: 0,
            twins_equivocated: BTreeSet::new(),
            joiner_commit_signatures: 0,
        }
    }

    /// Checks a certificate `node` is about to store as its block `height`.
    /// Returns whether the node may store it.
    pub fn decide(&mut self, node: usize, height: u64, cert: &CommitCertificate) -> bool {
        if let Err(reason) = self.check_certificate(height, cert) {
            self.violations.push(Violation::BadCertificate {
                node,
                height,
                reason,
            });
            return false;
        }
        for s in &cert.signatures {
            let key = self.schedule.key_of(height, s.validator);
            if key.is_some_and(|k| !self.schedule.in_genesis(k)) {
                self.joiner_commit_signatures += 1;
            }
        }
        let first = *self
            .decided
            .entry(height)
            .or_insert((node, cert.block_hash));
        if first.1 != cert.block_hash {
            let second = (node, cert.block_hash);
            self.violations.push(Violation::Fork {
                height,
                first,
                second,
            });
        }
        true
    }

    /// A certificate for `height` must be for that height, its signers must
    /// hold more than two thirds of the power of that height's set (counted
    /// here, not by the code under test), and it must verify against that set.
    fn check_certificate(&mut self, height: u64, cert: &CommitCertificate) -> Result<(), String> {
        if cert.height != height {
            return Err(format!("certificate is for height {}", cert.height));
        }
        let bytes = borsh::to_vec(cert).unwrap();
        if self.certified.contains(&(height, bytes.clone())) {
            return Ok(());
        }
        let set = self.schedule.set(height);
        let mut signers = BTreeSet::new();
        let mut power: u64 = 0;
        for s in &cert.signatures {
            let Some(v) = set.get(s.validator) else {
                return Err(format!(
                    "signer {} is outside the set of {} validators",
                    s.validator,
                    set.len()
                ));
            };
            if signers.insert(s.validator) {
                power += v.power;
            }
        }
        let total = set.total_power();
        if 3 * u128::from(power) <= 2 * u128::from(total) {
            return Err(format!(
                "signers hold power {power} of {total}, not more than two thirds"
            ));
        }
        cert.verify(&self.chain_id, set)
            .map_err(|e| e.to_string())?;
        self.certified.insert((height, bytes));
        Ok(())
    }

    /// Records a message that the node holding key `key` signed and sent.
    pub fn signed(&mut self, key: u32, message: &Message) {
        let (height, round) = (message.height(), message.round());
        let Some(index) = self.schedule.index_of(height, key) else {
            self.violations
                .push(Violation::Outsider { key, height, round });
            return;
        };
        let set = self.schedule.set(height);
        let checked = if message.signer() != index {
            Err(format!(
                "signed as validator {}, its index at this height is {index}",
                message.signer()
            ))
        } else {
            match message {
                Message::Proposal(p) => p.verify(&self.chain_id, set),
                Message::Vote(v) => v.verify(&self.chain_id, set),
            }
            .map_err(|e| e.to_string())
        };
        if let Err(reason) = checked {
            self.violations.push(Violation::BadMessage {
                key,
                height,
                round,
                reason,
            });
            return;
        }
        let (step, value) = match message {
            Message::Proposal(p) => (SignStep::Propose, Some(p.block_hash)),
            Message::Vote(v) if v.kind == VoteKind::Prevote => (SignStep::Prevote, v.block_hash),
            Message::Vote(v) => (SignStep::Precommit, v.block_hash),
        };
        let first = *self
            .signed
            .entry((key, height, round, step))
            .or_insert(value);
        if first == value {
            return;
        }
        if self.twinned.get(key as usize).copied().unwrap_or(false) {
            self.twin_conflicts += 1;
            self.twins_equivocated.insert(key);
        } else {
            self.violations
                .push(Violation::Equivocation { key, height, round });
        }
    }
}
