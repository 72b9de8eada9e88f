//! Four consensus engines (`yui_consensus::Core`) on a network the fuzzer
//! runs: it chooses which message arrives next and at which validator,
//! delivers copies, loses what it never delivers, fires timeouts, answers
//! proposers with block values, crashes validators back to what they
//! persisted, and signs what it likes with the key of validator 0 (power
//! 1 of 10, under a third: the one Byzantine key the protocol tolerates).

use std::collections::BTreeMap;

use yui_consensus::{
    Core, Hash, Input, Message, Output, Params, PersistentState, Proposal, TimeoutKind, Vote,
    VoteKind,
};

use crate::choices::Choices;
use crate::core::Watch;
use crate::world::{CHAIN_ID, validator_keys, validator_set};

/// The blocks an honest proposer may build; a proposal naming [`BAD`] is
/// judged invalid by every validator (its transactions do not execute).
const BLOCKS: [Hash; 2] = [[0xa1; 32], [0xb2; 32]];
const BAD: Hash = [0xee; 32];
const STEPS_MAX: usize = 2_000;
/// Messages in flight, timeouts and proposal requests waiting: past these
/// the network loses what is sent.
const IN_FLIGHT_MAX: usize = 512;
const WAITING_MAX: usize = 64;

/// The validators and what the fuzzer's network holds.
struct Net {
    cores: Vec<Option<Core>>,
    watches: Vec<Watch>,
    in_flight: Vec<(usize, Message)>,
    timeouts: Vec<(usize, TimeoutKind, u64, u32)>,
    requests: Vec<(usize, u64, u32)>,
    /// The block each height committed, by the first validator to commit it.
    decided: BTreeMap<u64, Hash>,
}

/// Each step is a byte choosing an action and the bytes it needs.
///
/// Properties: no validator panics or signs two different messages at one
/// height, round and step (across crash-restarts too), each persists before
/// it broadcasts, every commit's certificate verifies, and no two
/// validators commit different blocks at one height (agreement, with the
/// Byzantine key signing anything).
pub fn consensus_net(data: &[u8]) {
    run(data);
}

/// Runs the steps `data` describes, checking as [`consensus_net`] does;
/// the lowest height any validator is at (1 + the heights all committed).
pub fn run(data: &[u8]) -> u64 {
    let mut ch = Choices(data);
    let mut net = Net {
        cores: (0..4)
            .map(|i| Some(new_core(i, PersistentState::new(1))))
            .collect(),
        watches: (0..4).map(|_| Watch::default()).collect(),
        in_flight: Vec::new(),
        timeouts: Vec::new(),
        requests: Vec::new(),
        decided: BTreeMap::new(),
    };
    for i in 0..4 {
        let out = net.core(i).start();
        net.outputs(i, out);
    }
    for _ in 0..STEPS_MAX {
        let Some(op) = ch.byte() else {
            break;
        };
        if net.step(&mut ch, op).is_none() {
            break;
        }
    }
    (0..4).map(|i| net.core(i).height()).min().unwrap_or(1)
}

fn new_core(i: usize, state: PersistentState) -> Core {
    Core::new(
        CHAIN_ID.into(),
        Params::default(),
        Some(validator_keys()[i].clone()),
        validator_set().clone(),
        state,
    )
}

impl Net {
    fn core(&mut self, i: usize) -> &mut Core {
        self.cores[i]
            .as_mut()
            .expect("a core is put back after each step")
    }

    /// One action; `None` when the bytes run out.
    fn step(&mut self, ch: &mut Choices<'_>, op: u8) -> Option<()> {
        match op % 16 {
            // Delivery, most often: the message leaves the network, or
            // (6) a copy of it arrives and it stays.
            0..=6 if !self.in_flight.is_empty() => {
                let at = ch.index(self.in_flight.len())?;
                let (to, m) = if op % 16 == 6 {
                    self.in_flight[at].clone()
                } else {
                    self.in_flight.swap_remove(at)
                };
                // As the node hands them on: checked against the set of
                // the validator's height when they are for that height
                // (every signature here is genuine), else for the core
                // to check.
                let here = m.height() == self.core(to).height();
                let input = match m {
                    Message::Proposal(p) => Input::Proposal {
                        block_valid: p.block_hash != BAD,
                        proposal: p,
                        verified: here,
                    },
                    Message::Vote(v) if here => Input::VerifiedVote(v),
                    Message::Vote(v) => Input::Vote(v),
                };
                self.handle(to, input);
            }
            7..=9 if !self.timeouts.is_empty() => {
                let at = ch.index(self.timeouts.len())?;
                let (i, kind, height, round) = self.timeouts.swap_remove(at);
                self.handle(
                    i,
                    Input::Timeout {
                        kind,
                        height,
                        round,
                    },
                );
            }
            10 | 11 if !self.requests.is_empty() => {
                let at = ch.index(self.requests.len())?;
                let (i, height, round) = self.requests.swap_remove(at);
                let block_hash = BLOCKS[usize::from(op & 1)];
                self.handle(
                    i,
                    Input::ProposalValue {
                        height,
                        round,
                        block_hash,
                    },
                );
            }
            12 => {
                // A crash: the validator restarts from what it persisted
                // at its height, and asks again for what it needs.
                let i = ch.index(4)?;
                let height = self.core(i).height();
                let state = self.watches[i]
                    .persisted
                    .clone()
                    .filter(|s| s.height == height)
                    .unwrap_or_else(|| PersistentState::new(height));
                let mut core = new_core(i, state);
                let out = core.start();
                self.cores[i] = Some(core);
                self.outputs(i, out);
            }
            13..=15 => {
                let m = byzantine(ch, op, self.core(0).height())?;
                for to in 1..4 {
                    self.send(to, m.clone());
                }
            }
            _ => {}
        }
        Some(())
    }

    fn handle(&mut self, i: usize, input: Input) {
        let out = self.core(i).handle(input);
        self.outputs(i, out);
    }

    fn send(&mut self, to: usize, m: Message) {
        if self.in_flight.len() < IN_FLIGHT_MAX {
            self.in_flight.push((to, m));
        }
    }

    /// Checks validator `i`'s outputs and carries them out.
    fn outputs(&mut self, i: usize, out: Vec<Output>) {
        let committed = self.watches[i].outputs(&out);
        for o in out {
            match o {
                Output::Broadcast(m) => {
                    for to in (0..4).filter(|&to| to != i) {
                        self.send(to, m.clone());
                    }
                }
                Output::ScheduleTimeout {
                    kind,
                    height,
                    round,
                    ..
                } if self.timeouts.len() < WAITING_MAX => {
                    self.timeouts.push((i, kind, height, round));
                }
                Output::RequestProposal { height, round } if self.requests.len() < WAITING_MAX => {
                    self.requests.push((i, height, round));
                }
                Output::Commit { certificate } => {
                    let first = *self
                        .decided
                        .entry(certificate.height)
                        .or_insert(certificate.block_hash);
                    assert_eq!(
                        first, certificate.block_hash,
                        "validator {i} committed another block at height {}",
                        certificate.height
                    );
                    assert_ne!(certificate.block_hash, BAD, "an invalid block committed");
                }
                _ => {}
            }
        }
        if committed {
            let core = self.cores[i]
                .take()
                .expect("a core is put back after each step");
            let mut core = core.next_height(validator_set().clone());
            self.watches[i].persisted = None;
            let out = core.start();
            self.cores[i] = Some(core);
            self.outputs(i, out);
        }
    }
}

/// A message signed with validator 0's key, at a height near its own:
/// any kind, round, block (an invalid one too) or proof-of-lock round.
fn byzantine(ch: &mut Choices<'_>, op: u8, height: u64) -> Option<Message> {
    let fields = ch.byte()?;
    let key = &validator_keys()[0];
    let height = height + u64::from(fields >> 7);
    let round = u32::from((fields >> 4) & 3);
    let block = match fields & 3 {
        0 => None,
        1 => Some(BAD),
        b => Some(BLOCKS[usize::from(b - 2)]),
    };
    Some(match op % 16 {
        13 => Message::Vote(Vote::sign(
            key,
            CHAIN_ID,
            0,
            VoteKind::Prevote,
            height,
            round,
            block,
        )),
        14 => Message::Vote(Vote::sign(
            key,
            CHAIN_ID,
            0,
            VoteKind::Precommit,
            height,
            round,
            block,
        )),
        _ => {
            let pol = (fields & 8 != 0).then_some(round.saturating_sub(1));
            Message::Proposal(Proposal::sign(
                key,
                CHAIN_ID,
                0,
                height,
                round,
                block.unwrap_or(BAD),
                pol,
            ))
        }
    })
}

/// A seed on which every validator commits: the proposer's block is
/// built as soon as asked, and the oldest message in flight is delivered
/// next, step after step.
pub fn fair_seed() -> Vec<u8> {
    let height = [[10u8, 0].as_slice(), &[0, 0].repeat(40)].concat();
    height.repeat(6)
}
