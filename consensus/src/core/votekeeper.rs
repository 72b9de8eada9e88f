//! The votes of one height, kept per round, per kind and per validator.
//!
//! A validator has at most one prevote and one precommit counted per round:
//! the first one that arrives. A second, different one is evidence of
//! equivocation and is reported once; it never counts. So a round holds at
//! most two votes per validator, and the keeper holds rounds only up to the
//! current round plus `future_rounds_max` (the handlers drop the rest).

use std::collections::{BTreeMap, BTreeSet};

use crate::types::{Hash, ValidatorSet, Vote, VoteKind};

/// What inserting a vote did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Insert {
    /// A new vote, now counted.
    Added,
    /// The very same vote was already kept.
    Duplicate,
    /// The validator had already cast `first`, for a different block.
    Conflict { first: Vote },
    /// The validator is already known to have equivocated here.
    KnownConflict,
}

/// The votes of one round.
#[derive(Debug, Clone, Default)]
struct RoundVotes {
    prevotes: BTreeMap<u32, Vote>,
    precommits: BTreeMap<u32, Vote>,
    /// Validators that sent any message in this round (rule L55).
    senders: BTreeSet<u32>,
    equivocators: BTreeSet<(VoteKind, u32)>,
}

impl RoundVotes {
    fn of_kind(&self, kind: VoteKind) -> &BTreeMap<u32, Vote> {
        match kind {
            VoteKind::Prevote => &self.prevotes,
            VoteKind::Precommit => &self.precommits,
        }
    }

    fn of_kind_mut(&mut self, kind: VoteKind) -> &mut BTreeMap<u32, Vote> {
        match kind {
            VoteKind::Prevote => &mut self.prevotes,
            VoteKind::Precommit => &mut self.precommits,
        }
    }
}

/// The votes of one height.
#[derive(Debug, Clone, Default)]
pub(crate) struct VoteKeeper {
    rounds: BTreeMap<u32, RoundVotes>,
}

impl VoteKeeper {
    /// Whether exactly this vote (signature included) is already kept, so it
    /// needs no second signature check.
    pub(crate) fn contains(&self, vote: &Vote) -> bool {
        self.rounds
            .get(&vote.round)
            .and_then(|r| r.of_kind(vote.kind).get(&vote.validator))
            .is_some_and(|kept| kept == vote)
    }

    /// Keeps a vote whose signature has been checked.
    pub(crate) fn insert(&mut self, vote: Vote) -> Insert {
        let round = self.rounds.entry(vote.round).or_default();
        round.senders.insert(vote.validator);
        if round.equivocators.contains(&(vote.kind, vote.validator)) {
            return Insert::KnownConflict;
        }
        let votes = round.of_kind_mut(vote.kind);
        match votes.get(&vote.validator) {
            None => {
                votes.insert(vote.validator, vote);
                Insert::Added
            }
            Some(kept) if kept.block_hash == vote.block_hash => Insert::Duplicate,
            Some(kept) => {
                let first = kept.clone();
                round.equivocators.insert((vote.kind, vote.validator));
                Insert::Conflict { first }
            }
        }
    }

    /// Records that `validator` sent a message other than a vote (a proposal)
    /// in `round`, for rule L55.
    pub(crate) fn add_sender(&mut self, round: u32, validator: u32) {
        self.rounds.entry(round).or_default().senders.insert(validator);
    }

    /// The voting power of the validators that sent anything in `round`.
    pub(crate) fn sender_power(&self, set: &ValidatorSet, round: u32) -> u64 {
        self.rounds.get(&round).map_or(0, |r| {
            r.senders.iter().map(|&v| set.power_of(v)).sum()
        })
    }

    /// The voting power behind `value` (`None` is nil) among `kind` votes of `round`.
    pub(crate) fn power_for(
        &self,
        set: &ValidatorSet,
        round: u32,
        kind: VoteKind,
        value: Option<Hash>,
    ) -> u64 {
        self.votes(round, kind)
            .filter(|v| v.block_hash == value)
            .map(|v| set.power_of(v.validator))
            .sum()
    }

    /// The voting power behind any `kind` vote of `round`, nil included.
    pub(crate) fn power_any(&self, set: &ValidatorSet, round: u32, kind: VoteKind) -> u64 {
        self.votes(round, kind).map(|v| set.power_of(v.validator)).sum()
    }

    /// The precommits of `round` for `block_hash`, in validator order.
    pub(crate) fn precommits_for(&self, round: u32, block_hash: Hash) -> Vec<Vote> {
        self.votes(round, VoteKind::Precommit)
            .filter(|v| v.block_hash == Some(block_hash))
            .cloned()
            .collect()
    }

    /// Every counted vote cast by `validator`, by round then kind.
    pub(crate) fn votes_of(&self, validator: u32) -> Vec<Vote> {
        let mut out = Vec::new();
        for round in self.rounds.values() {
            for kind in [VoteKind::Prevote, VoteKind::Precommit] {
                out.extend(round.of_kind(kind).get(&validator).cloned());
            }
        }
        out
    }

    fn votes(&self, round: u32, kind: VoteKind) -> impl Iterator<Item = &Vote> {
        self.rounds
            .get(&round)
            .into_iter()
            .flat_map(move |r| r.of_kind(kind).values())
    }
}

/// Whether `power` is more than two thirds of the set's power.
pub(crate) fn is_quorum(set: &ValidatorSet, power: u64) -> bool {
    power > set.quorum_threshold()
}

/// Whether `power` is more than a third of the set's power, so that it
/// includes at least one correct validator.
pub(crate) fn is_honest_share(set: &ValidatorSet, power: u64) -> bool {
    power > set.honest_threshold()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::core::testkit::Net;

    #[test]
    fn one_vote_per_validator_and_kind_counts() {
        let net = Net::new(4);
        let mut keeper = VoteKeeper::default();
        let a = net.vote(0, VoteKind::Prevote, 0, Some([1; 32]));
        assert_eq!(keeper.insert(a.clone()), Insert::Added);
        assert!(keeper.contains(&a));
        assert_eq!(keeper.insert(a.clone()), Insert::Duplicate);
        let b = net.vote(0, VoteKind::Prevote, 0, Some([2; 32]));
        assert_eq!(keeper.insert(b.clone()), Insert::Conflict { first: a });
        assert_eq!(keeper.insert(b), Insert::KnownConflict);
        assert_eq!(keeper.power_for(&net.set, 0, VoteKind::Prevote, Some([1; 32])), 1);
        assert_eq!(keeper.power_for(&net.set, 0, VoteKind::Prevote, Some([2; 32])), 0);
        let c = net.vote(1, VoteKind::Precommit, 0, None);
        assert_eq!(keeper.insert(c), Insert::Added);
        assert_eq!(keeper.power_any(&net.set, 0, VoteKind::Precommit), 1);
        assert_eq!(keeper.sender_power(&net.set, 0), 2);
    }

    #[test]
    fn thresholds_follow_power() {
        let net = Net::new(4);
        assert!(!is_quorum(&net.set, 2));
        assert!(is_quorum(&net.set, 3));
        assert!(!is_honest_share(&net.set, 1));
        assert!(is_honest_share(&net.set, 2));
    }
}
