//! The proposals of one height, kept per round with the node's verdict on
//! the block each names.

use std::collections::BTreeMap;

use crate::core::params::PROPOSALS_PER_ROUND_MAX;
use crate::types::Proposal;

/// A proposal whose signature and proposer have been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Kept {
    pub(crate) proposal: Proposal,
    /// The node's verdict on the block (`valid(v)` in the paper).
    pub(crate) valid: bool,
}

/// At most [`PROPOSALS_PER_ROUND_MAX`] proposals per round.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProposalKeeper {
    rounds: BTreeMap<u32, Vec<Kept>>,
}

impl ProposalKeeper {
    /// Whether exactly this proposal (signature included) is already kept.
    pub(crate) fn contains(&self, proposal: &Proposal) -> bool {
        self.in_round(proposal.round)
            .iter()
            .any(|k| &k.proposal == proposal)
    }

    /// Whether `round` has no room for another proposal.
    pub(crate) fn is_full(&self, round: u32) -> bool {
        self.in_round(round).len() >= PROPOSALS_PER_ROUND_MAX
    }

    /// Keeps a checked proposal; the caller has checked [`Self::is_full`].
    pub(crate) fn insert(&mut self, proposal: Proposal, valid: bool) {
        let round = self.rounds.entry(proposal.round).or_default();
        if round.len() < PROPOSALS_PER_ROUND_MAX {
            round.push(Kept { proposal, valid });
        }
    }

    /// The proposals kept for `round`, in arrival order.
    pub(crate) fn in_round(&self, round: u32) -> &[Kept] {
        self.rounds.get(&round).map_or(&[], Vec::as_slice)
    }
}
