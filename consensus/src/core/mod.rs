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
//! 4. Now and then, re-send [`Core::rebroadcast`] to the other validators.

mod error;
mod handle;
mod io;
mod params;
mod proposals;
mod restore;
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
        // The persisted round is never before the last signature's round; if
        // storage says otherwise, resume no earlier than that signature.
        if let Some((h, r, _)) = state.last_signed
            && h == state.height
            && r > state.round
        {
            state.round = r;
        }
        let mut core = Core {
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
        };
        core.restore_polka();
        core.restore_sent();
        core
    }

    /// Starts (or, after a restart, resumes) the height at the persisted round
    /// (L10, L11). The outputs include a [`Output::Persist`] of the state.
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
                verified,
            } => self.on_proposal(proposal, block_valid, verified, &mut out),
            Input::Vote(vote) => self.on_vote(vote, false, &mut out),
            Input::VerifiedVote(vote) => self.on_vote(vote, true, &mut out),
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

    /// The messages the node re-sends to the other validators now and then:
    /// every message this validator signed at this height, in the order it
    /// signed them, then the prevotes behind its valid block (its polka).
    ///
    /// Tendermint's liveness assumes that every message a correct validator
    /// sent or received eventually reaches every correct validator. The
    /// network may lose messages, and a restarted validator has forgotten what
    /// it received; re-sending one's own messages and one's polka is what the
    /// liveness argument needs from that assumption. Both are persisted, so a
    /// restart loses neither. That is at most three messages per round plus
    /// one per validator.
    pub fn rebroadcast(&self) -> Vec<Message> {
        let others = self
            .state
            .polka
            .iter()
            .filter(|v| Some(v.validator) != self.me);
        let polka = others.cloned().map(Message::Vote);
        self.state.sent.iter().cloned().chain(polka).collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::testkit::{Net, broadcast_votes, broadcasts, commits, last_persist};
    use super::*;
    use crate::types::{Message, VoteKind};

    fn votes_of(messages: &[Message]) -> Vec<(VoteKind, u32, Option<crate::types::Hash>)> {
        let out: Vec<Output> = messages.iter().cloned().map(Output::Broadcast).collect();
        broadcast_votes(&out)
    }

    /// Each broadcast must follow a persist that already records its signature.
    fn assert_persisted_before_sent(out: &[Output]) {
        let mut last = None;
        for o in out {
            match o {
                Output::Persist(s) => last = s.last_signed,
                Output::Broadcast(m) => {
                    let step = match m {
                        Message::Proposal(_) => SignStep::Propose,
                        Message::Vote(v) if v.kind == VoteKind::Prevote => SignStep::Prevote,
                        Message::Vote(_) => SignStep::Precommit,
                    };
                    assert!(last >= Some((m.height(), m.round(), step)), "{out:?}");
                }
                _ => {}
            }
        }
    }

    #[test]
    fn every_signature_is_persisted_before_it_is_sent() {
        let net = Net::new(4);
        let mut core = net.core(1); // The proposer of round 0.
        let mut all = core.start();
        all.extend(core.handle(Input::ProposalValue {
            height: 1,
            round: 0,
            block_hash: [3; 32],
        }));
        for i in [0, 2] {
            all.extend(core.handle(Input::Vote(net.vote(
                i,
                VoteKind::Prevote,
                0,
                Some([3; 32]),
            ))));
        }
        assert_eq!(broadcasts(&all).len(), 3);
        assert_persisted_before_sent(&all);
    }

    #[test]
    fn a_restarted_validator_never_signs_again_where_it_signed() {
        let net = Net::new(4);
        let mut core = net.started_core(0);
        let out = core.handle(net.proposal_input(0, [1; 32], None, true));
        let saved = last_persist(&out).unwrap();
        assert_eq!(saved.last_signed, Some((1, 0, SignStep::Prevote)));
        let mut restarted = net.core_from(0, saved);
        let mut after = restarted.start();
        after.extend(restarted.handle(net.proposal_input(0, [1; 32], None, true)));
        after.extend(restarted.handle(net.timeout_propose(0)));
        assert!(broadcasts(&after).is_empty(), "{after:?}");
        assert_eq!(restarted.step(), Step::Prevote);
        // It cannot sign its prevote again, but it can still send it.
        let again = restarted.rebroadcast();
        assert_eq!(broadcast_votes(&out), votes_of(&again));
        net.end_round(&mut restarted, 0);
        let out = restarted.handle(net.proposal_input(1, [2; 32], None, true));
        assert_eq!(
            broadcast_votes(&out),
            vec![(VoteKind::Prevote, 1, Some([2; 32]))]
        );
    }

    #[test]
    fn a_restarted_proposer_does_not_propose_twice() {
        let net = Net::new(4);
        let mut core = net.core(1);
        core.start();
        let out = core.handle(Input::ProposalValue {
            height: 1,
            round: 0,
            block_hash: [3; 32],
        });
        let mut restarted = net.core_from(1, last_persist(&out).unwrap());
        let after = restarted.start();
        assert!(
            !after
                .iter()
                .any(|o| matches!(o, Output::RequestProposal { .. }))
        );
        assert!(broadcasts(&after).is_empty());
        let again = restarted.rebroadcast();
        assert!(matches!(&again[0], Message::Proposal(p) if p.block_hash == [3; 32]));
    }

    #[test]
    fn the_lock_survives_a_restart() {
        let net = Net::new(4);
        let mut core = net.started_core(0);
        let mut all = core.handle(net.proposal_input(0, [1; 32], None, true));
        for i in [1, 2] {
            all.extend(core.handle(Input::Vote(net.vote(
                i,
                VoteKind::Prevote,
                0,
                Some([1; 32]),
            ))));
        }
        let saved = last_persist(&all).unwrap();
        assert_eq!(saved.locked, Some((0, [1; 32])));
        assert_eq!(saved.valid, Some((0, [1; 32])));
        let mut restarted = net.core_from(0, saved);
        restarted.start();
        net.end_round(&mut restarted, 0);
        let out = restarted.handle(net.proposal_input(1, [2; 32], None, true));
        assert_eq!(broadcast_votes(&out), vec![(VoteKind::Prevote, 1, None)]);
    }

    #[test]
    fn a_resumed_core_starts_no_earlier_than_its_last_signature() {
        let net = Net::new(4);
        let mut state = PersistentState::new(1);
        state.last_signed = Some((1, 4, SignStep::Prevote));
        let core = net.core_from(0, state);
        assert_eq!(core.round(), 4);
    }

    #[test]
    fn an_observer_follows_without_signing() {
        let net = Net::new(4);
        let mut core = Core::new(
            net.chain_id.clone(),
            Params::default(),
            None,
            net.set.clone(),
            PersistentState::new(1),
        );
        let mut all = core.start();
        all.extend(core.handle(net.proposal_input(0, [5; 32], None, true)));
        for i in [0, 1, 2] {
            all.extend(core.handle(Input::Vote(net.vote(
                i,
                VoteKind::Precommit,
                0,
                Some([5; 32]),
            ))));
        }
        assert!(broadcasts(&all).is_empty());
        assert_eq!(commits(&all).len(), 1);
        assert!(core.rebroadcast().is_empty());
    }

    #[test]
    fn rebroadcast_is_own_messages_then_the_polka() {
        let net = Net::new(4);
        let mut core = net.started_core(0);
        core.handle(net.proposal_input(0, [5; 32], None, true));
        core.handle(net.timeout_propose(0));
        let own = core.rebroadcast();
        assert_eq!(own.len(), 1);
        assert!(
            matches!(&own[0], Message::Vote(v) if v.validator == 0 && v.kind == VoteKind::Prevote)
        );
        for i in [1, 2] {
            core.handle(Input::Vote(net.vote(
                i,
                VoteKind::Prevote,
                0,
                Some([5; 32]),
            )));
        }
        let signers: Vec<u32> = core.rebroadcast().iter().map(Message::signer).collect();
        assert_eq!(signers, vec![0, 0, 1, 2]); // Prevote, precommit, then the polka.
    }

    #[test]
    fn the_polka_survives_a_restart_and_is_checked_again() {
        let net = Net::new(4);
        let mut core = net.started_core(0);
        let mut all = core.handle(net.proposal_input(0, [5; 32], None, true));
        for i in [1, 2] {
            all.extend(core.handle(Input::Vote(net.vote(
                i,
                VoteKind::Prevote,
                0,
                Some([5; 32]),
            ))));
        }
        let mut saved = last_persist(&all).unwrap();
        assert_eq!(saved.polka.len(), 3);
        saved.polka[1].signature[0] ^= 1;
        let restarted = net.core_from(0, saved);
        assert_eq!(restarted.state().polka.len(), 2);
        let signers: Vec<u32> = restarted
            .rebroadcast()
            .iter()
            .map(Message::signer)
            .collect();
        // Its prevote and precommit, then the polka but for validator 1's
        // vote, which failed its check.
        assert_eq!(signers, vec![0, 0, 2]);
    }
}
