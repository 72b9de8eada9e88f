//! `Input::Proposal`: a proposal from the network with the node's verdict on
//! its block.

use crate::core::Core;
use crate::core::error::Rejection;
use crate::core::io::Output;
use crate::types::Proposal;

impl Core {
    /// Checks a proposal, keeps it, and fires the rules it enables.
    pub(crate) fn on_proposal(
        &mut self,
        proposal: Proposal,
        block_valid: bool,
        verified: bool,
        out: &mut Vec<Output>,
    ) {
        if let Err(rejection) = self.admit_proposal(&proposal, verified) {
            out.push(Output::Dropped {
                reason: rejection.to_string(),
            });
            return;
        }
        if self.proposals.contains(&proposal) {
            return; // Gossip re-sends messages; a copy changes nothing.
        }
        let round = proposal.round;
        let proposer = proposal.proposer;
        self.proposals.insert(proposal, block_valid);
        self.votes.add_sender(round, proposer);
        self.advance(round, out);
    }

    /// Every check a proposal must pass before it is kept: height, round,
    /// proposer, valid round, room, and last (being the costliest) signature,
    /// unless the node has checked it already.
    fn admit_proposal(&self, p: &Proposal, verified: bool) -> Result<(), Rejection> {
        self.admit("proposal", p.height, p.round)?;
        let expected = self.proposer_of(p.round);
        if p.proposer != expected {
            return Err(Rejection::NotProposer {
                height: p.height,
                round: p.round,
                got: p.proposer,
                expected,
            });
        }
        if let Some(pol_round) = p.pol_round.filter(|&vr| vr >= p.round) {
            return Err(Rejection::BadPolRound {
                height: p.height,
                round: p.round,
                pol_round,
            });
        }
        if self.proposals.contains(p) {
            return Ok(());
        }
        if self.proposals.is_full(p.round) {
            return Err(Rejection::TooManyProposals {
                height: p.height,
                round: p.round,
                max: crate::core::PROPOSALS_PER_ROUND_MAX,
            });
        }
        if verified {
            return Ok(());
        }
        p.verify(&self.chain_id, &self.validators)
            .map_err(|source| Rejection::Invalid {
                what: "proposal",
                height: p.height,
                round: p.round,
                source,
            })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use crate::core::testkit::{Net, broadcast_votes, dropped};
    use crate::core::{Input, Step};
    use crate::types::VoteKind;

    #[test]
    fn a_valid_proposal_gets_a_prevote() {
        let net = Net::new(4);
        let mut core = net.started_core(0);
        let out = core.handle(net.proposal_input(0, [4; 32], None, true));
        assert_eq!(
            broadcast_votes(&out),
            vec![(VoteKind::Prevote, 0, Some([4; 32]))]
        );
        assert_eq!(core.step(), Step::Prevote);
        assert!(
            core.handle(net.proposal_input(0, [4; 32], None, true))
                .is_empty()
        );
    }

    #[test]
    fn an_invalid_block_gets_a_nil_prevote() {
        let net = Net::new(4);
        let mut core = net.started_core(0);
        let out = core.handle(net.proposal_input(0, [4; 32], None, false));
        assert_eq!(broadcast_votes(&out), vec![(VoteKind::Prevote, 0, None)]);
    }

    #[test]
    fn wrong_proposer_bad_signature_and_bad_pol_round_are_dropped() {
        let net = Net::new(4);
        let mut core = net.started_core(0);
        let mut wrong = net.proposal(0, [4; 32], None);
        wrong.proposer = (wrong.proposer + 1) % 4;
        let mut forged = net.proposal(0, [4; 32], None);
        forged.block_hash = [5; 32];
        let bad_pol = net.proposal(1, [4; 32], Some(1));
        let far = net.proposal(11, [4; 32], None);
        for (proposal, needle) in [
            (wrong, "the proposer is"),
            (forged, "bad signature"),
            (bad_pol, "is not before it"),
            (far, "beyond round"),
        ] {
            let out = core.handle(Input::Proposal {
                proposal,
                block_valid: true,
                verified: false,
            });
            let reasons = dropped(&out);
            assert_eq!(reasons.len(), 1, "{out:?}");
            assert!(reasons[0].contains(needle), "{} lacks {needle}", reasons[0]);
        }
        assert_eq!(core.step(), Step::Propose);
    }

    /// The node checked the signature on arrival (`verified`): the core
    /// does not check it again, so even a signature it would refuse passes.
    /// Unchecked, the same proposal is dropped.
    #[test]
    fn a_proposal_the_node_verified_is_not_verified_again() {
        let mut forged = Net::new(4).proposal(0, [4; 32], None);
        forged.signature[0] ^= 1;
        for (verified, prevotes) in [
            (true, vec![(VoteKind::Prevote, 0, Some([4; 32]))]),
            (false, vec![]),
        ] {
            let net = Net::new(4);
            let mut core = net.started_core(0);
            let out = core.handle(Input::Proposal {
                proposal: forged.clone(),
                block_valid: true,
                verified,
            });
            assert_eq!(broadcast_votes(&out), prevotes, "verified: {verified}");
        }
    }

    #[test]
    fn a_locked_validator_prevotes_nil_for_another_block() {
        let net = Net::new(4);
        let mut core = net.started_core(0);
        let (a, b) = ([1u8; 32], [2u8; 32]);
        core.handle(net.proposal_input(0, a, None, true));
        for i in [1, 2] {
            core.handle(Input::Vote(net.vote(i, VoteKind::Prevote, 0, Some(a))));
        }
        assert_eq!(core.state().locked, Some((0, a)));
        net.end_round(&mut core, 0);
        assert_eq!(core.round(), 1);
        let out = core.handle(net.proposal_input(1, b, None, true));
        assert_eq!(broadcast_votes(&out), vec![(VoteKind::Prevote, 1, None)]); // L26
        net.end_round(&mut core, 1);
        // L28-L30: a re-proposal of `b` backed by prevotes of two thirds in a
        // round after the lock unlocks it.
        for i in [1, 2, 3] {
            core.handle(Input::Vote(net.vote(i, VoteKind::Prevote, 1, Some(b))));
        }
        let out = core.handle(net.proposal_input(2, b, Some(1), true));
        assert_eq!(broadcast_votes(&out), vec![(VoteKind::Prevote, 2, Some(b))]);
    }
}
