//! A pure Tendermint state machine: Algorithm 1 of Buchman, Kwon and
//! Milosevic, "The latest gossip on BFT consensus" (2018). Comments such as
//! `// L22` name the line of that algorithm the code implements.
//!
//! The core decides one height. The node feeds it [`Input`]s (messages,
//! expired timeouts, the block it built) and carries out the [`Output`]s in
//! order: persist, broadcast, schedule a timeout, build a block, commit. The
//! core reads no clock, draws no randomness and does no I/O, so a run is a
//! pure function of its inputs, which the deterministic simulation in
//! `tests/it` relies on.
//!
//! How the node drives it:
//! 1. At height `h`, with the validator set of `h`, build a core with
//!    [`Core::new`] from the persisted [`PersistentState`] if it is for `h`,
//!    else from [`PersistentState::new`]`(h)`, and call [`Core::start`].
//! 2. Feed every proposal, vote, expired timeout and built block to
//!    [`Core::handle`], and carry out the outputs in order (see [`Output`]).
//! 3. On [`Output::Commit`], store the block and its certificate, execute it,
//!    and continue with [`Core::next_height`] and [`Core::start`].
//! 4. Now and then, re-send [`Core::own_messages`] to the other validators.

mod error;
mod handle;
mod io;
mod params;
mod proposals;
mod round;
mod rules;
mod state;
mod votekeeper;

#[cfg(test)]
pub(crate) mod testkit;

pub use error::Rejection;
pub use io::{Input, Output, Step, TimeoutKind};
pub use params::{PROPOSALS_PER_ROUND_MAX, Params};
pub use state::{PersistentState, SignStep};

use ed25519_dalek::SigningKey;

use crate::types::{CommitCertificate, Message, ValidatorSet};
use proposals::ProposalKeeper;
use votekeeper::VoteKeeper;

/// Which "for the first time" rules already fired in the current round.
#[derive(Debug, Clone, Copy, Default)]
struct RoundFlags {
    /// L34: the prevote timeout is scheduled.
    prevote_timeout: bool,
    /// L36: a proposal with prevotes of two thirds was acted on.
    polka: bool,
    /// L47: the precommit timeout is scheduled.
    precommit_timeout: bool,
}

/// The consensus state machine of one validator (or observer) at one height.
#[derive(Debug, Clone)]
pub struct Core {
    chain_id: String,
    params: Params,
    key: Option<SigningKey>,
    /// This node's index in the validator set; `None` for an observer.
    me: Option<u32>,
    validators: ValidatorSet,
    state: PersistentState,
    /// The state last handed out in an [`Output::Persist`].
    persisted: Option<PersistentState>,
    step: Step,
    flags: RoundFlags,
    votes: VoteKeeper,
    proposals: ProposalKeeper,
    decision: Option<CommitCertificate>,
}

impl Core {
    /// Builds the core for `state.height` with that height's validator set.
    /// `state` is what was persisted for this height, or
    /// [`PersistentState::new`] when starting the height fresh. With `key`
    /// `None`, or a key outside the set, the core only observes: it never
    /// signs and never proposes. Nothing happens until [`Core::start`].
    pub fn new(
        chain_id: String,
        params: Params,
        key: Option<SigningKey>,
        validators: ValidatorSet,
        mut state: PersistentState,
    ) -> Core {
        let me = key
            .as_ref()
            .and_then(|k| validators.index_of(&k.verifying_key().to_bytes()));
        // A crash can lose a round change persisted after the last signature;
        // resuming no earlier than the last signature's round loses nothing.
        if let Some((h, r, _)) = state.last_signed
            && h == state.height
            && r > state.round
        {
            state.round = r;
        }
        Core {
            chain_id,
            params,
            key,
            me,
            validators,
            state,
            persisted: None,
            step: Step::Propose,
            flags: RoundFlags::default(),
            votes: VoteKeeper::default(),
            proposals: ProposalKeeper::default(),
            decision: None,
        }
    }

    /// Starts (or, after a restart, resumes) the height at the persisted round
    /// (L10, L11). The first output persists the state.
    pub fn start(&mut self) -> Vec<Output> {
        let mut out = Vec::new();
        self.start_round(self.state.round, &mut out);
        self.advance(self.state.round, &mut out);
        self.flush_persist(&mut out);
        out
    }

    /// Handles one input and returns what the node must do, in order.
    pub fn handle(&mut self, input: Input) -> Vec<Output> {
        let mut out = Vec::new();
        match input {
            Input::Proposal {
                proposal,
                block_valid,
            } => self.on_proposal(proposal, block_valid, &mut out),
            Input::Vote(vote) => self.on_vote(vote, &mut out),
            Input::Timeout {
                kind,
                height,
                round,
            } => self.on_timeout(kind, height, round, &mut out),
            Input::ProposalValue {
                height,
                round,
                block_hash,
            } => self.on_proposal_value(height, round, block_hash, &mut out),
        }
        if self.step != Step::Commit {
            self.flush_persist(&mut out);
        }
        out
    }

    /// The core for the next height, with that height's validator set, not yet
    /// started. The node calls it after it has stored and executed the block
    /// of [`Output::Commit`] (or learnt the decision by catching up), then
    /// calls [`Core::start`]. A node restarting after that point builds the
    /// core with [`Core::new`] instead, from what it persisted for that height.
    pub fn next_height(self, validators: ValidatorSet) -> Core {
        let height = self.state.height.saturating_add(1);
        Core::new(
            self.chain_id,
            self.params,
            self.key,
            validators,
            PersistentState::new(height),
        )
    }

    /// The height being decided.
    pub fn height(&self) -> u64 {
        self.state.height
    }

    /// The current round.
    pub fn round(&self) -> u32 {
        self.state.round
    }

    /// The current step.
    pub fn step(&self) -> Step {
        self.step
    }

    /// The state that must survive a crash, as it is now.
    pub fn state(&self) -> &PersistentState {
        &self.state
    }

    /// This node's index in the validator set, if it is a validator.
    pub fn validator_index(&self) -> Option<u32> {
        self.me
    }

    /// The validator set of this height.
    pub fn validators(&self) -> &ValidatorSet {
        &self.validators
    }

    /// The certificate of the decision, once the height is decided.
    pub fn decision(&self) -> Option<&CommitCertificate> {
        self.decision.as_ref()
    }

    /// The messages signed with this validator's key that the core holds for
    /// this height: proposals first, then votes, each in round order. The
    /// node re-sends them now and then, because Tendermint's liveness assumes
    /// that every message of a correct validator eventually reaches every
    /// correct validator, and the network may have lost them. There are at
    /// most three per round.
    pub fn own_messages(&self) -> Vec<Message> {
        let Some(me) = self.me else {
            return Vec::new();
        };
        let proposals = self.proposals.from_proposer(me).into_iter();
        let votes = self.votes.votes_of(me).into_iter();
        proposals
            .map(Message::Proposal)
            .chain(votes.map(Message::Vote))
            .collect()
    }
}
