//! The votes of one height, kept per round, per kind and per validator.
//!
//! A validator has at most two votes kept per round and kind: the first that
//! arrives and, if it equivocates, one conflicting vote. The second one is
//! reported as evidence, and it counts towards its own block as in the paper
//! (which counts messages per value): two conflicting quorums in one round
//! would still need more than a third of the power to equivocate. Keeping it
//! matters for liveness: a validator that saw the conflicting vote first must
//! still recognise the prevotes of two thirds that others locked on. Any
//! further vote of that validator in that round and kind is dropped. So a
//! round holds at most four votes per validator, and the keeper holds rounds
//! only up to the current round plus `future_rounds_max` (the handlers drop
//! the rest).

use std::collections::{BTreeMap, BTreeSet};

use crate::types::{Hash, ValidatorSet, Vote, VoteKind};

/// What inserting a vote did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Insert {
    /// A new vote, now counted.
    Added,
    /// The same vote (same kind, round, validator and block) was kept already.
    Duplicate,
    /// The validator had cast `first` for a different block: the new vote is
    /// kept and counted as its one conflicting vote.
    Conflict { first: Vote },
    /// The validator already has two different votes here; dropped.
    TooMany,
}

/// The votes of one validator in one round and kind.
#[derive(Debug, Clone)]
struct Slot {
    first: Vote,
    conflicting: Option<Vote>,
}

impl Slot {
    fn votes(&self) -> impl Iterator<Item = &Vote> {
        std::iter::once(&self.first).chain(self.conflicting.as_ref())
    }
}

/// The votes of one round.
#[derive(Debug, Clone, Default)]
struct RoundVotes {
    slots: BTreeMap<(VoteKind, u32), Slot>,
    /// Validators that sent any message in this round (rule L55).
    senders: BTreeSet<u32>,
}

impl RoundVotes {
    fn of_kind(&self, kind: VoteKind) -> impl Iterator<Item = (&u32, &Slot)> {
        self.slots
            .range((kind, 0)..=(kind, u32::MAX))
            .map(|((_, validator), slot)| (validator, slot))
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
            .and_then(|r| r.slots.get(&(vote.kind, vote.validator)))
            .is_some_and(|slot| slot.votes().any(|kept| kept == vote))
    }

    /// Keeps a vote whose signature has been checked.
    pub(crate) fn insert(&mut self, vote: Vote) -> Insert {
        let round = self.rounds.entry(vote.round).or_default();
        round.senders.insert(vote.validator);
        let Some(slot) = round.slots.get_mut(&(vote.kind, vote.validator)) else {
            let slot = Slot {
                first: vote.clone(),
                conflicting: None,
            };
            round.slots.insert((vote.kind, vote.validator), slot);
            return Insert::Added;
        };
        if slot.votes().any(|kept| kept.block_hash == vote.block_hash) {
            return Insert::Duplicate;
        }
        if slot.conflicting.is_some() {
            return Insert::TooMany;
        }
        slot.conflicting = Some(vote);
        Insert::Conflict {
            first: slot.first.clone(),
        }
    }

    /// Records that `validator` sent a message other than a vote (a proposal)
    /// in `round`, for rule L55.
    pub(crate) fn add_sender(&mut self, round: u32, validator: u32) {
        self.rounds
            .entry(round)
            .or_default()
            .senders
            .insert(validator);
    }

    /// The voting power of the validators that sent anything in `round`.
    pub(crate) fn sender_power(&self, set: &ValidatorSet, round: u32) -> u64 {
        self.rounds
            .get(&round)
            .map_or(0, |r| r.senders.iter().map(|&v| set.power_of(v)).sum())
    }

    /// The voting power behind `value` (`None` is nil) among `kind` votes of
    /// `round`.
    pub(crate) fn power_for(
        &self,
        set: &ValidatorSet,
        round: u32,
        kind: VoteKind,
        value: Option<Hash>,
    ) -> u64 {
        self.for_value(round, kind, value)
            .map(|v| set.power_of(v.validator))
            .sum()
    }

    /// The voting power behind any `kind` vote of `round`, nil included, each
    /// validator counted once.
    pub(crate) fn power_any(&self, set: &ValidatorSet, round: u32, kind: VoteKind) -> u64 {
        self.rounds.get(&round).map_or(0, |r| {
            r.of_kind(kind)
                .map(|(&validator, _)| set.power_of(validator))
                .sum()
        })
    }

    /// The `kind` votes of `round` for `value`, one per validator, in
    /// validator order.
    pub(crate) fn votes_for(&self, round: u32, kind: VoteKind, value: Option<Hash>) -> Vec<Vote> {
        self.for_value(round, kind, value).cloned().collect()
    }

    fn for_value(
        &self,
        round: u32,
        kind: VoteKind,
        value: Option<Hash>,
    ) -> impl Iterator<Item = &Vote> {
        self.rounds
            .get(&round)
            .into_iter()
            .flat_map(move |r| r.of_kind(kind))
            .filter_map(move |(_, slot)| slot.votes().find(|v| v.block_hash == value))
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
    fn one_vote_per_validator_kind_and_block_counts() {
        let net = Net::new(4);
        let mut keeper = VoteKeeper::default();
        let a = net.vote(0, VoteKind::Prevote, 0, Some([1; 32]));
        assert_eq!(keeper.insert(a.clone()), Insert::Added);
        assert!(keeper.contains(&a));
        assert_eq!(keeper.insert(a.clone()), Insert::Duplicate);
        let b = net.vote(0, VoteKind::Prevote, 0, Some([2; 32]));
        assert_eq!(keeper.insert(b.clone()), Insert::Conflict { first: a });
        assert_eq!(keeper.insert(b), Insert::Duplicate);
        let c = net.vote(0, VoteKind::Prevote, 0, None);
        assert_eq!(keeper.insert(c.clone()), Insert::TooMany);
        assert!(!keeper.contains(&c));
        let set = &net.set;
        assert_eq!(
            keeper.power_for(set, 0, VoteKind::Prevote, Some([1; 32])),
            1
        );
        assert_eq!(
            keeper.power_for(set, 0, VoteKind::Prevote, Some([2; 32])),
            1
        );
        assert_eq!(keeper.power_for(set, 0, VoteKind::Prevote, None), 0);
        assert_eq!(keeper.power_any(set, 0, VoteKind::Prevote), 1);
        let d = net.vote(1, VoteKind::Precommit, 0, None);
        assert_eq!(keeper.insert(d), Insert::Added);
        assert_eq!(keeper.power_any(set, 0, VoteKind::Precommit), 1);
        assert_eq!(keeper.sender_power(set, 0), 2);
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
