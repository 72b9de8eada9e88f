//! What a validator must keep across a crash.

use borsh::{BorshDeserialize, BorshSerialize};

use crate::types::{Hash, Message, Vote};

/// The steps at which a validator signs, in the order they happen in a round.
/// Together with a height and a round they order every signature a validator
/// makes: it signs only at a point strictly after its last signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, BorshSerialize, BorshDeserialize)]
pub enum SignStep {
    Propose,
    Prevote,
    Precommit,
}

/// Everything that must survive a crash; persisted whenever it changes.
///
/// `last_signed` keeps a restarted validator from signing a second, different
/// message at a point where it already signed one. `locked` and `valid` are
/// Tendermint's locked and valid round and value: losing the lock would let a
/// validator prevote against a block that may already be decided.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct PersistentState {
    /// The height being decided.
    pub height: u64,
    /// The current round at that height.
    pub round: u32,
    /// The height, round and step of the last message this validator signed.
    pub last_signed: Option<(u64, u32, SignStep)>,
    /// The round and block hash this validator is locked on (Tendermint's
    /// `lockedRound` and `lockedValue`).
    pub locked: Option<(u32, Hash)>,
    /// The latest round in which this validator saw a proposal with prevotes
    /// of two thirds, and its block (Tendermint's `validRound`, `validValue`).
    pub valid: Option<(u32, Hash)>,
    /// The prevotes of more than two thirds for `valid`'s block in its round
    /// (a "polka"). A validator re-proposes its valid block with that round,
    /// and the others accept it only once they hold these prevotes too (L28).
    /// Kept here so a restarted validator can still show them.
    pub polka: Vec<Vote>,
    /// Every message this validator signed at this height, in order: at most
    /// one proposal, one prevote and one precommit per round. A restarted
    /// validator cannot sign them again, but it must still be able to send
    /// them, or the others may wait for them forever.
    pub sent: Vec<Message>,
}

impl PersistentState {
    /// The state of a validator that has done nothing yet at `height`.
    pub fn new(height: u64) -> Self {
        Self {
            height,
            round: 0,
            last_signed: None,
            locked: None,
            valid: None,
            polka: Vec::new(),
            sent: Vec::new(),
        }
    }

    /// Whether this validator may still sign at `(round, step)` of its height:
    /// only at a point strictly after the last one it signed.
    pub fn may_sign(&self, round: u32, step: SignStep) -> bool {
        self.last_signed
            .is_none_or(|last| last < (self.height, round, step))
    }
}
