//! What must hold in every run: no two nodes decide different blocks at one
//! height, every certificate verifies, and no correct validator signs two
//! different messages at one height, round and step.

use std::collections::BTreeMap;
use std::fmt;

use yui_consensus::{CommitCertificate, Hash, Message, SignStep, ValidatorSet, VoteKind};

/// A broken property, with what is needed to understand it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// Two nodes decided different blocks at one height.
    Fork {
        height: u64,
        first: (usize, Hash),
        second: (usize, Hash),
    },
    /// A certificate that does not verify, or does not extend the node's chain.
    BadCertificate {
        node: usize,
        height: u64,
        reason: String,
    },
    /// A validator without a twin signed two different messages at one point.
    Equivocation {
        validator: u32,
        height: u64,
        round: u32,
    },
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
            Violation::Equivocation {
                validator,
                height,
                round,
            } => write!(
                f,
                "correct validator {validator} signed twice at height {height} round {round}"
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
    set: ValidatorSet,
    /// Validators with two nodes each; they may equivocate.
    twinned: Vec<bool>,
    decided: BTreeMap<u64, (usize, Hash)>,
    signed: BTreeMap<(u32, u64, u32, SignStep), Option<Hash>>,
    pub violations: Vec<Violation>,
}

impl Checker {
    pub fn new(chain_id: &str, set: ValidatorSet, twinned: Vec<bool>) -> Checker {
        Checker {
            chain_id: chain_id.to_string(),
            set,
            twinned,
            decided: BTreeMap::new(),
            signed: BTreeMap::new(),
            violations: Vec::new(),
        }
    }

    /// Checks a certificate `node` is about to store as its block `height`.
    /// Returns whether the node may store it.
    pub fn decide(&mut self, node: usize, height: u64, cert: &CommitCertificate) -> bool {
        if cert.height != height {
            let reason = format!("certificate is for height {}", cert.height);
            self.violations.push(Violation::BadCertificate {
                node,
                height,
                reason,
            });
            return false;
        }
        if let Err(e) = cert.verify(&self.chain_id, &self.set) {
            let reason = e.to_string();
            self.violations.push(Violation::BadCertificate {
                node,
                height,
                reason,
            });
            return false;
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

    /// Records a message a node signed and sent.
    pub fn signed(&mut self, message: &Message) {
        let (validator, step, value) = match message {
            Message::Proposal(p) => (p.proposer, SignStep::Propose, Some(p.block_hash)),
            Message::Vote(v) if v.kind == VoteKind::Prevote => {
                (v.validator, SignStep::Prevote, v.block_hash)
            }
            Message::Vote(v) => (v.validator, SignStep::Precommit, v.block_hash),
        };
        if self
            .twinned
            .get(validator as usize)
            .copied()
            .unwrap_or(false)
        {
            return;
        }
        let (height, round) = (message.height(), message.round());
        let first = *self
            .signed
            .entry((validator, height, round, step))
            .or_insert(value);
        if first != value {
            self.violations.push(Violation::Equivocation {
                validator,
                height,
                round,
            });
        }
    }
}
