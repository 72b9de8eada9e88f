//! The consensus engine itself (`yui_consensus::Core`), fed random sequences
//! of signed proposals and votes, timeouts, its own block values and
//! crash-restarts from what it persisted.

use std::collections::BTreeMap;

use yui_consensus::{
    Core, Hash, Input, Message, Output, Params, PersistentState, Proposal, TimeoutKind, Vote,
    VoteKind,
};

use crate::choices::Choices;
use crate::world::{CHAIN_ID, validator_keys, validator_set};

const HASHES: [Hash; 3] = [[0xa1; 32], [0xb2; 32], [0xc3; 32]];
const INPUTS_MAX: usize = 400;

/// Byte 0 chooses which of the four validators this core is; then each
/// input is a kind byte and its fields.
///
/// Properties: untrusted input never panics the core; this validator never
/// signs two different messages at one height, round and step, across
/// crash-restarts from its persisted state too; every message it signs is
/// in a `Persist` output before the `Broadcast` that sends it; a `Commit`
/// is the last output of its batch and its certificate verifies against
/// the validator set.
pub fn consensus_core(data: &[u8]) {
    run(data);
}

/// Runs the inputs `data` describes, checking as [`consensus_core`] does;
/// the height the core reached (1 + the heights it committed).
pub fn run(data: &[u8]) -> u64 {
    let mut ch = Choices(data);
    let Some(me) = ch.byte() else {
        return 1;
    };
    let keys = validator_keys();
    let set = validator_set();
    let key = &keys[usize::from(me) % keys.len()];
    let new_core = |state: PersistentState| {
        Core::new(
            CHAIN_ID.into(),
            Params::default(),
            Some(key.clone()),
            set.clone(),
            state,
        )
    };
    let mut core = new_core(PersistentState::new(1));
    let mut watch = Watch::default();
    watch.outputs(&core.start());
    for _ in 0..INPUTS_MAX {
        let Some(kind) = ch.byte() else {
            break;
        };
        if kind % 8 == 7 {
            // A crash: restart from what was persisted at this height.
            let state = watch
                .persisted
                .clone()
                .filter(|s| s.height == core.height())
                .unwrap_or_else(|| PersistentState::new(core.height()));
            core = new_core(state);
            watch.outputs(&core.start());
            continue;
        }
        let Some(input) = input(&mut ch, kind, core.height()) else {
            break;
        };
        let committed = watch.outputs(&core.handle(input));
        if committed {
            core = core.next_height(set.clone());
            watch.persisted = None;
            watch.outputs(&core.start());
        }
    }
    core.height()
}

/// What the core did, checked as it happens.
#[derive(Default)]
pub(crate) struct Watch {
    /// The last state the core asked to persist.
    pub(crate) persisted: Option<PersistentState>,
    /// Everything this validator signed, by height, round and step.
    signed: BTreeMap<(u64, u32, u8), Message>,
}

impl Watch {
    /// Checks a batch of outputs; whether it ends in a commit.
    pub(crate) fn outputs(&mut self, out: &[Output]) -> bool {
        let n = out.len();
        for (i, o) in out.iter().enumerate() {
            match o {
                Output::Persist(s) => {
                    for m in &s.sent {
                        self.signed_once(m);
                    }
                    self.persisted = Some(s.clone());
                }
                Output::Broadcast(m) => {
                    let persisted = self.persisted.as_ref().is_some_and(|s| s.sent.contains(m));
                    assert!(persisted, "broadcast before persisting: {m:?}");
                    self.signed_once(m);
                }
                Output::Commit { certificate } => {
                    assert_eq!(i + 1, n, "a commit is not the last output");
                    assert_eq!(
                        certificate.verify(CHAIN_ID, validator_set()),
                        Ok(()),
                        "committed on a certificate that does not verify"
                    );
                    return true;
                }
                _ => {}
            }
        }
        false
    }

    /// Records a message this validator signed; a different one at the same
    /// height, round and step is an equivocation.
    fn signed_once(&mut self, m: &Message) {
        let step = match m {
            Message::Proposal(_) => 0,
            Message::Vote(v) if v.kind == VoteKind::Prevote => 1,
            Message::Vote(_) => 2,
        };
        let at = (m.height(), m.round(), step);
        match self.signed.get(&at) {
            Some(first) => assert_eq!(first, m, "signed twice at {at:?}"),
            None => {
                self.signed.insert(at, m.clone());
            }
        }
    }
}

/// The input `kind` names (not 7, a restart), with its fields; `None` when
/// the bytes run out.
fn input(ch: &mut Choices<'_>, kind: u8, height: u64) -> Option<Input> {
    let keys = validator_keys();
    let fields = ch.byte()?;
    let round = u32::from(ch.byte()? % 6);
    let height = match fields >> 6 {
        0 => height.saturating_sub(1),
        1 => height + 1,
        _ => height,
    };
    let hash = HASHES[usize::from(fields & 3) % HASHES.len()];
    // Validator 4 is outside the set of four.
    let who = u32::from(((fields >> 2) & 7) % 5);
    let forged = fields & 0x20 != 0;
    Some(match kind % 8 {
        0 | 1 => {
            let vote_kind = if kind.is_multiple_of(2) {
                VoteKind::Prevote
            } else {
                VoteKind::Precommit
            };
            let block = (fields & 3 != 3).then_some(hash);
            let mut v = match keys.get(who as usize) {
                Some(k) => Vote::sign(k, CHAIN_ID, who, vote_kind, height, round, block),
                None => Vote {
                    kind: vote_kind,
                    height,
                    round,
                    block_hash: block,
                    validator: who,
                    signature: [0; 64],
                },
            };
            if forged {
                v.signature[0] ^= 1;
            }
            Input::Vote(v)
        }
        2 => {
            // A vote the node verified: only ever a correctly signed one.
            let k = keys.get(who as usize)?;
            let block = (fields & 3 != 3).then_some(hash);
            let vote_kind = if fields & 0x10 == 0 {
                VoteKind::Prevote
            } else {
                VoteKind::Precommit
            };
            Input::VerifiedVote(Vote::sign(
                k, CHAIN_ID, who, vote_kind, height, round, block,
            ))
        }
        3 | 4 => {
            let pol = ch.byte()?;
            let pol_round = (pol < 128).then(|| u32::from(pol % 6));
            let k = keys.get(who as usize)?;
            let mut p = Proposal::sign(k, CHAIN_ID, who, height, round, hash, pol_round);
            if forged {
                p.signature[0] ^= 1;
            }
            Input::Proposal {
                proposal: p,
                block_valid: kind % 8 == 3,
                verified: false,
            }
        }
        5 => Input::Timeout {
            kind: [
                TimeoutKind::Propose,
                TimeoutKind::Prevote,
                TimeoutKind::Precommit,
            ][usize::from(fields >> 4) % 3],
            height,
            round,
        },
        6 => Input::ProposalValue {
            height,
            round,
            block_hash: hash,
        },
        _ => return None,
    })
}
