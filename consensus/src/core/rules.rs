//! The "upon" rules of Algorithm 1. After every input, [`Core::advance`]
//! checks the rules that the input may have enabled until none fires; each
//! rule either changes the step or round, or sets a once-per-round flag, so
//! the loop ends.

use crate::core::Core;
use crate::core::io::{Output, Step, TimeoutKind};
use crate::core::proposals::Kept;
use crate::core::votekeeper::{is_honest_share, is_quorum};
use crate::types::{CommitCertificate, Hash, VoteKind};

impl Core {
    /// Fires every rule that an input for `round` enabled, then those that
    /// their effects enabled in turn.
    pub(crate) fn advance(&mut self, round: u32, out: &mut Vec<Output>) {
        loop {
            if self.step == Step::Commit {
                return;
            }
            let current = self.state.round;
            if self.try_decide(round, out) || (round != current && self.try_decide(current, out)) {
                return;
            }
            if self.try_skip_round(round, out) {
                continue;
            }
            if !self.try_current_round(out) {
                return;
            }
        }
    }

    /// L49-L54: a valid proposal of `round` with precommits of two thirds
    /// for its block decides the height.
    fn try_decide(&mut self, round: u32, out: &mut Vec<Output>) -> bool {
        let found = self
            .proposals
            .in_round(round)
            .iter()
            .filter(|k| k.valid) // L50
            .map(|k| k.proposal.block_hash)
            .find(|&v| self.has_quorum(round, VoteKind::Precommit, Some(v)));
        let Some(block_hash) = found else {
            return false;
        };
        let votes = self
            .votes
            .votes_for(round, VoteKind::Precommit, Some(block_hash));
        let certificate =
            CommitCertificate::from_precommits(self.state.height, round, block_hash, &votes);
        self.decision = Some(certificate.clone()); // L51
        self.step = Step::Commit;
        self.flush_persist(out);
        out.push(Output::Commit { certificate }); // L52-L54 happen in the node.
        true
    }

    /// L55-L56: messages from more than a third of the power in a later round
    /// mean a correct validator is there already; follow it.
    fn try_skip_round(&mut self, round: u32, out: &mut Vec<Output>) -> bool {
        if round <= self.state.round
            || !is_honest_share(
                &self.validators,
                self.votes.sender_power(&self.validators, round),
            )
        {
            return false;
        }
        self.start_round(round, out);
        true
    }

    /// The rules about the current round, by step.
    fn try_current_round(&mut self, out: &mut Vec<Output>) -> bool {
        let fired = match self.step {
            Step::Propose => self.try_prevote(out),
            Step::Prevote => {
                self.try_polka(out) || self.try_nil_polka(out) || self.try_prevote_timeout(out)
            }
            Step::Precommit => self.try_polka(out),
            Step::Commit => return false,
        };
        fired || self.try_precommit_timeout(out)
    }

    /// L22-L33: prevote on the round's proposal.
    fn try_prevote(&mut self, out: &mut Vec<Output>) -> bool {
        let round = self.state.round;
        let choice = self
            .proposals
            .in_round(round)
            .iter()
            .find_map(|k| self.prevote_choice(k));
        let Some(value) = choice else {
            return false;
        };
        self.vote_and_step(VoteKind::Prevote, value, Step::Prevote, out); // L24/L26/L30/L32, L27/L33
        true
    }

    /// What L22-L33 prevote for on proposal `kept` (`Some(None)` is nil), or
    /// `None` when neither rule applies yet.
    fn prevote_choice(&self, kept: &Kept) -> Option<Option<Hash>> {
        let v = kept.proposal.block_hash;
        let locked = self.state.locked;
        match kept.proposal.pol_round {
            // L22-L23: a fresh proposal; accept it unless locked on another block.
            None => {
                let accept = kept.valid && locked.is_none_or(|(_, lv)| lv == v);
                Some(accept.then_some(v))
            }
            // L28-L29: a re-proposal backed by prevotes of two thirds in round
            // vr; accept it unless locked on another block after vr.
            Some(vr)
                if vr < self.state.round && self.has_quorum(vr, VoteKind::Prevote, Some(v)) =>
            {
                let accept = kept.valid && locked.is_none_or(|(lr, lv)| lr <= vr || lv == v);
                Some(accept.then_some(v))
            }
            Some(_) => None,
        }
    }

    /// L36-L43: a valid proposal with prevotes of two thirds in this round.
    fn try_polka(&mut self, out: &mut Vec<Output>) -> bool {
        if self.flags.polka {
            return false;
        }
        let round = self.state.round;
        let found = self
            .proposals
            .in_round(round)
            .iter()
            .filter(|k| k.valid)
            .map(|k| k.proposal.block_hash)
            .find(|&v| self.has_quorum(round, VoteKind::Prevote, Some(v)));
        let Some(v) = found else {
            return false;
        };
        self.flags.polka = true;
        self.state.valid = Some((round, v)); // L42, L43
        self.state.polka = self.votes.votes_for(round, VoteKind::Prevote, Some(v));
        if self.step == Step::Prevote {
            // L37
            self.state.locked = Some((round, v)); // L38, L39
            self.vote_and_step(VoteKind::Precommit, Some(v), Step::Precommit, out); // L40, L41
        }
        true
    }

    /// L44-L46: prevotes of two thirds for nil.
    fn try_nil_polka(&mut self, out: &mut Vec<Output>) -> bool {
        if !self.has_quorum(self.state.round, VoteKind::Prevote, None) {
            return false;
        }
        self.vote_and_step(VoteKind::Precommit, None, Step::Precommit, out);
        true
    }

    /// L34-L35: prevotes of two thirds for anything start the prevote timeout.
    fn try_prevote_timeout(&mut self, out: &mut Vec<Output>) -> bool {
        let power = self
            .votes
            .power_any(&self.validators, self.state.round, VoteKind::Prevote);
        if self.flags.prevote_timeout || !is_quorum(&self.validators, power) {
            return false;
        }
        self.flags.prevote_timeout = true;
        self.schedule(TimeoutKind::Prevote, out);
        true
    }

    /// L47-L48: precommits of two thirds for anything start the precommit timeout.
    fn try_precommit_timeout(&mut self, out: &mut Vec<Output>) -> bool {
        let power = self
            .votes
            .power_any(&self.validators, self.state.round, VoteKind::Precommit);
        if self.flags.precommit_timeout || !is_quorum(&self.validators, power) {
            return false;
        }
        self.flags.precommit_timeout = true;
        self.schedule(TimeoutKind::Precommit, out);
        true
    }

    /// Whether `kind` votes of `round` for `value` hold more than two thirds.
    fn has_quorum(&self, round: u32, kind: VoteKind, value: Option<Hash>) -> bool {
        is_quorum(
            &self.validators,
            self.votes.power_for(&self.validators, round, kind, value),
        )
    }
}
