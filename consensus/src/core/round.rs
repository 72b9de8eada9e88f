//! Starting a round, signing, and the outputs every handler shares.

use crate::core::io::{Output, Step, TimeoutKind};
use crate::core::state::SignStep;
use crate::core::votekeeper::Insert;
use crate::core::{Core, RoundFlags};
use crate::types::{Hash, Message, Proposal, Vote, VoteKind};

impl Core {
    /// `StartRound(round)` (L11-L21).
    pub(crate) fn start_round(&mut self, round: u32, out: &mut Vec<Output>) {
        self.state.round = round; // L12
        self.step = Step::Propose; // L13
        self.flags = RoundFlags::default();
        let proposing = self.is_proposer() // L14
            && match self.state.valid {
                Some((valid_round, value)) => self.propose(value, Some(valid_round), out), // L15, L16, L19
                None => self.request_proposal(out), // L18
            };
        if !proposing {
            // L21. A proposer that may not sign here (it signed in this round
            // before a restart) waits like everybody else.
            self.schedule(TimeoutKind::Propose, out);
        }
    }

    /// Asks the node for a block (L18), unless this validator already signed
    /// a proposal in this round. Returns whether it asked.
    fn request_proposal(&mut self, out: &mut Vec<Output>) -> bool {
        let round = self.state.round;
        if !self.state.may_sign(round, SignStep::Propose) {
            return false;
        }
        let height = self.state.height;
        out.push(Output::RequestProposal { height, round });
        true
    }

    /// Whether this node proposes in the current round.
    pub(crate) fn is_proposer(&self) -> bool {
        self.me == Some(self.proposer_of(self.state.round))
    }

    /// The proposer of `round` at this height: a pure function of the set,
    /// the height and the round.
    pub(crate) fn proposer_of(&self, round: u32) -> u32 {
        self.validators.proposer(self.state.height, round)
    }

    /// Signs and broadcasts a proposal for the current round (L19), then keeps
    /// it as if it had arrived from the network, so L22 or L28 can fire.
    /// Returns whether it signed.
    pub(crate) fn propose(
        &mut self,
        block_hash: Hash,
        pol_round: Option<u32>,
        out: &mut Vec<Output>,
    ) -> bool {
        let round = self.state.round;
        let (Some(key), Some(me)) = (&self.key, self.me) else {
            return false;
        };
        if !self.state.may_sign(round, SignStep::Propose) {
            return false;
        }
        let proposal = Proposal::sign(
            key,
            &self.chain_id,
            me,
            self.state.height,
            round,
            block_hash,
            pol_round,
        );
        self.state.last_signed = Some((self.state.height, round, SignStep::Propose));
        self.state.sent.push(Message::Proposal(proposal.clone()));
        self.flush_persist(out);
        out.push(Output::Broadcast(Message::Proposal(proposal.clone())));
        self.keep_own_proposal(proposal);
        true
    }

    /// Keeps this validator's own proposal like one from the network; its
    /// block is valid, being this node's own or its valid value.
    pub(crate) fn keep_own_proposal(&mut self, proposal: Proposal) {
        self.votes.add_sender(proposal.round, proposal.proposer);
        if !self.proposals.is_full(proposal.round) && !self.proposals.contains(&proposal) {
            self.proposals.insert(proposal, true);
        }
    }

    /// Counts this validator's own vote like any other. A conflict is
    /// possible only when another node holds the same key.
    pub(crate) fn keep_own_vote(&mut self, vote: Vote, out: &mut Vec<Output>) {
        if let Insert::Conflict { first } = self.votes.insert(vote.clone()) {
            out.push(Output::Evidence {
                first,
                second: vote,
            });
        }
    }

    /// Moves to `step` in the current round after voting `value` of `kind`
    /// (L24, L26, L30, L32, L40, L45, L59, L63). The vote is signed only if
    /// this validator has not signed at this point before: after a restart it
    /// may already have, and then it keeps silent in this step.
    pub(crate) fn vote_and_step(
        &mut self,
        kind: VoteKind,
        value: Option<Hash>,
        step: Step,
        out: &mut Vec<Output>,
    ) {
        self.step = step;
        if let Some(vote) = self.sign_vote(kind, value, out) {
            self.keep_own_vote(vote, out);
        }
    }

    /// Signs a vote in the current round, persisting the new `last_signed`
    /// before the broadcast.
    fn sign_vote(
        &mut self,
        kind: VoteKind,
        value: Option<Hash>,
        out: &mut Vec<Output>,
    ) -> Option<Vote> {
        let round = self.state.round;
        let sign_step = match kind {
            VoteKind::Prevote => SignStep::Prevote,
            VoteKind::Precommit => SignStep::Precommit,
        };
        let (key, me) = (self.key.as_ref()?, self.me?);
        if !self.state.may_sign(round, sign_step) {
            return None;
        }
        let height = self.state.height;
        let vote = Vote::sign(key, &self.chain_id, me, kind, height, round, value);
        self.state.last_signed = Some((height, round, sign_step));
        self.state.sent.push(Message::Vote(vote.clone()));
        self.flush_persist(out);
        out.push(Output::Broadcast(Message::Vote(vote.clone())));
        Some(vote)
    }

    /// Asks for `kind`'s timeout of the current round, grown by one delta per
    /// round (L21, L35, L48).
    pub(crate) fn schedule(&self, kind: TimeoutKind, out: &mut Vec<Output>) {
        let base = match kind {
            TimeoutKind::Propose => self.params.timeout_propose_ms,
            TimeoutKind::Prevote => self.params.timeout_prevote_ms,
            TimeoutKind::Precommit => self.params.timeout_precommit_ms,
        };
        out.push(Output::ScheduleTimeout {
            kind,
            height: self.state.height,
            round: self.state.round,
            duration_ms: self.params.backoff_ms(base, self.state.round),
        });
    }

    /// Emits [`Output::Persist`] if the state changed since the last one.
    pub(crate) fn flush_persist(&mut self, out: &mut Vec<Output>) {
        if self.persisted.as_ref() != Some(&self.state) {
            self.persisted = Some(self.state.clone());
            out.push(Output::Persist(self.state.clone()));
        }
    }
}
