//! Checking what comes back from storage before trusting it: a restarted
//! core re-reads its polka and the messages it signed, checks each one like a
//! message from the network, and counts them again.

use crate::core::Core;
use crate::types::{Message, VoteKind};

impl Core {
    /// Puts the persisted polka back into the vote keeper. Votes that fail
    /// their checks are forgotten.
    pub(crate) fn restore_polka(&mut self) {
        let polka = std::mem::take(&mut self.state.polka);
        let Some((round, value)) = self.state.valid else {
            return;
        };
        for vote in polka {
            let fits = vote.kind == VoteKind::Prevote
                && vote.height == self.state.height
                && vote.round == round
                && vote.block_hash == Some(value);
            if fits && vote.verify(&self.chain_id, &self.validators).is_ok() {
                self.votes.insert(vote.clone());
                self.state.polka.push(vote);
            }
        }
    }

    /// Puts the messages this validator signed at this height back where they
    /// count, so that it can send them again. Messages that fail their checks
    /// are forgotten; `last_signed` still keeps it from signing there again.
    pub(crate) fn restore_sent(&mut self) {
        let sent = std::mem::take(&mut self.state.sent);
        for message in sent {
            if message.height() != self.state.height || Some(message.signer()) != self.me {
                continue;
            }
            let checked = match &message {
                Message::Proposal(p) => p.verify(&self.chain_id, &self.validators),
                Message::Vote(v) => v.verify(&self.chain_id, &self.validators),
            };
            if checked.is_err() {
                continue;
            }
            match &message {
                Message::Proposal(p) => self.keep_own_proposal(p.clone()),
                Message::Vote(v) => self.keep_own_vote(v.clone(), &mut Vec::new()),
            }
            self.state.sent.push(message);
        }
    }
}
