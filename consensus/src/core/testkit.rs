//! Helpers for the unit tests: a validator set of `n` known keys and signed
//! messages from any of them, at height 1 unless said otherwise.
#![allow(clippy::unwrap_used, clippy::panic)]

use ed25519_dalek::SigningKey;

use crate::core::{Core, Input, Output, Params, PersistentState, TimeoutKind};
use crate::types::{
    CommitCertificate, Hash, Message, Proposal, Validator, ValidatorSet, Vote, VoteKind,
};

/// `n` validators of power 1 on chain `test-chain`.
pub(crate) struct Net {
    pub(crate) chain_id: String,
    pub(crate) keys: Vec<SigningKey>,
    pub(crate) set: ValidatorSet,
}

impl Net {
    pub(crate) fn new(n: u8) -> Net {
        let keys: Vec<SigningKey> = (1..=n).map(|i| SigningKey::from_bytes(&[i; 32])).collect();
        let validators = keys
            .iter()
            .map(|k| Validator {
                public_key: k.verifying_key().to_bytes(),
                power: 1,
            })
            .collect();
        Net {
            chain_id: "test-chain".into(),
            keys,
            set: ValidatorSet::new(validators).unwrap(),
        }
    }

    /// Validator `i`'s core at height 1, not started.
    pub(crate) fn core(&self, i: u32) -> Core {
        self.core_from(i, PersistentState::new(1))
    }

    /// Validator `i`'s core resumed from `state`, not started.
    pub(crate) fn core_from(&self, i: u32, state: PersistentState) -> Core {
        let key = self.keys[i as usize].clone();
        Core::new(
            self.chain_id.clone(),
            Params::default(),
            Some(key),
            self.set.clone(),
            state,
        )
    }

    /// Validator `i`'s core at height 1, started.
    pub(crate) fn started_core(&self, i: u32) -> Core {
        let mut core = self.core(i);
        core.start();
        core
    }

    pub(crate) fn vote(&self, i: u32, kind: VoteKind, round: u32, value: Option<Hash>) -> Vote {
        self.vote_at(i, 1, kind, round, value)
    }

    pub(crate) fn vote_at(
        &self,
        i: u32,
        height: u64,
        kind: VoteKind,
        round: u32,
        value: Option<Hash>,
    ) -> Vote {
        Vote::sign(
            &self.keys[i as usize],
            &self.chain_id,
            i,
            kind,
            height,
            round,
            value,
        )
    }

    /// A proposal at height 1 from the proposer of `round`.
    pub(crate) fn proposal(&self, round: u32, value: Hash, pol_round: Option<u32>) -> Proposal {
        let proposer = self.set.proposer(1, round);
        let key = &self.keys[proposer as usize];
        Proposal::sign(key, &self.chain_id, proposer, 1, round, value, pol_round)
    }

    pub(crate) fn proposal_input(
        &self,
        round: u32,
        value: Hash,
        pol_round: Option<u32>,
        valid: bool,
    ) -> Input {
        Input::Proposal {
            proposal: self.proposal(round, value, pol_round),
            block_valid: valid,
            verified: false,
        }
    }

    pub(crate) fn timeout_propose(&self, round: u32) -> Input {
        Input::Timeout {
            kind: TimeoutKind::Propose,
            height: 1,
            round,
        }
    }

    /// Ends `round` for validator 0's `core`: nil precommits from the others,
    /// then the precommit timeout.
    pub(crate) fn end_round(&self, core: &mut Core, round: u32) {
        for i in 1..self.keys.len() as u32 {
            core.handle(Input::Vote(self.vote(i, VoteKind::Precommit, round, None)));
        }
        core.handle(Input::Timeout {
            kind: TimeoutKind::Precommit,
            height: 1,
            round,
        });
        assert_eq!(core.round(), round + 1);
    }
}

/// The votes broadcast in `out`, as (kind, round, value).
pub(crate) fn broadcast_votes(out: &[Output]) -> Vec<(VoteKind, u32, Option<Hash>)> {
    out.iter()
        .filter_map(|o| match o {
            Output::Broadcast(Message::Vote(v)) => Some((v.kind, v.round, v.block_hash)),
            _ => None,
        })
        .collect()
}

/// Every message broadcast in `out`.
pub(crate) fn broadcasts(out: &[Output]) -> Vec<Message> {
    out.iter()
        .filter_map(|o| match o {
            Output::Broadcast(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

/// The certificates committed in `out`.
pub(crate) fn commits(out: &[Output]) -> Vec<CommitCertificate> {
    out.iter()
        .filter_map(|o| match o {
            Output::Commit { certificate } => Some(certificate.clone()),
            _ => None,
        })
        .collect()
}

/// The reasons of the drops in `out`.
pub(crate) fn dropped(out: &[Output]) -> Vec<String> {
    out.iter()
        .filter_map(|o| match o {
            Output::Dropped { reason } => Some(reason.clone()),
            _ => None,
        })
        .collect()
}

/// The last state persisted in `out`.
pub(crate) fn last_persist(out: &[Output]) -> Option<PersistentState> {
    out.iter().rev().find_map(|o| match o {
        Output::Persist(s) => Some(s.clone()),
        _ => None,
    })
}
