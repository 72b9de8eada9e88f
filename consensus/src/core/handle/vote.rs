//! `Input::Vote`: a prevote or precommit from the network.

use crate::core::Core;
use crate::core::error::Rejection;
use crate::core::io::Output;
use crate::core::votekeeper::Insert;
use crate::types::Vote;

impl Core {
    /// Checks a vote, keeps it, reports equivocation, and fires the rules it
    /// enables.
    /// `verified`: the node checked the signature already.
    pub(crate) fn on_vote(&mut self, vote: Vote, verified: bool, out: &mut Vec<Output>) {
        if let Err(rejection) = self.admit("vote", vote.height, vote.round) {
            out.push(Output::Dropped {
                reason: rejection.to_string(),
            });
            return;
        }
        if self.votes.contains(&vote) {
            return; // Gossip re-sends messages; a copy changes nothing.
        }
        let checked = if verified {
            Ok(())
        } else {
            vote.verify(&self.chain_id, &self.validators)
        };
        if let Err(source) = checked {
            let rejection = Rejection::Invalid {
                what: "vote",
                height: vote.height,
                round: vote.round,
                source,
            };
            out.push(Output::Dropped {
                reason: rejection.to_string(),
            });
            return;
        }
        let round = vote.round;
        match self.votes.insert(vote.clone()) {
            Insert::Added => {}
            Insert::Conflict { first } => out.push(Output::Evidence {
                first,
                second: vote,
            }),
            Insert::Duplicate => return,
            Insert::TooMany => {
                let rejection = Rejection::TooManyVotes {
                    height: vote.height,
                    round,
                    validator: vote.validator,
                };
                out.push(Output::Dropped {
                    reason: rejection.to_string(),
                });
                return;
            }
        }
        self.advance(round, out);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use crate::core::testkit::{Net, broadcast_votes, commits, dropped, last_persist};
    use crate::core::{Input, Output, Step};
    use crate::types::VoteKind;

    #[test]
    fn four_validators_commit_on_the_happy_path() {
        let net = Net::new(4);
        let mut core = net.started_core(0);
        let value = [9u8; 32];
        let out = core.handle(net.proposal_input(0, value, None, true));
        assert_eq!(
            broadcast_votes(&out),
            vec![(VoteKind::Prevote, 0, Some(value))]
        );
        for i in [1, 2] {
            core.handle(Input::Vote(net.vote(i, VoteKind::Prevote, 0, Some(value))));
        }
        assert_eq!(core.step(), Step::Precommit);
        assert_eq!(core.state().locked, Some((0, value)));
        for i in [1, 2] {
            let out = core.handle(Input::Vote(net.vote(
                i,
                VoteKind::Precommit,
                0,
                Some(value),
            )));
            if i == 2 {
                let certs = commits(&out);
                assert_eq!(certs.len(), 1);
                assert_eq!(certs[0].block_hash, value);
                assert_eq!(certs[0].verify(&net.chain_id, &net.set), Ok(()));
                assert!(matches!(out.last(), Some(Output::Commit { .. })));
            }
        }
        assert_eq!(core.step(), Step::Commit);
        let late = core.handle(Input::Vote(net.vote(
            3,
            VoteKind::Precommit,
            0,
            Some(value),
        )));
        assert_eq!(dropped(&late).len(), 1);
    }

    #[test]
    fn a_double_vote_is_evidence_once_and_a_third_is_dropped() {
        let net = Net::new(4);
        let mut core = net.started_core(0);
        let first = net.vote(2, VoteKind::Prevote, 0, Some([1; 32]));
        let second = net.vote(2, VoteKind::Prevote, 0, Some([2; 32]));
        assert!(core.handle(Input::Vote(first.clone())).is_empty());
        let out = core.handle(Input::Vote(second.clone()));
        let evidence = Output::Evidence {
            first,
            second: second.clone(),
        };
        assert_eq!(out, vec![evidence]);
        assert!(core.handle(Input::Vote(second)).is_empty());
        let third = net.vote(2, VoteKind::Prevote, 0, None);
        let out = core.handle(Input::Vote(third));
        assert!(dropped(&out)[0].contains("a third vote"), "{out:?}");
    }

    #[test]
    fn an_equivocators_second_vote_still_counts_for_its_block() {
        // Validator 0 saw validator 3's prevote for `b` first; the others
        // locked on `a` with validator 3's other prevote. Validator 0 must
        // still see the prevotes of two thirds for `a`.
        let net = Net::new(4);
        let mut core = net.started_core(0);
        let (a, b) = ([1u8; 32], [2u8; 32]);
        core.handle(Input::Vote(net.vote(3, VoteKind::Prevote, 0, Some(b))));
        core.handle(net.timeout_propose(0));
        for i in [1, 2, 3] {
            core.handle(Input::Vote(net.vote(i, VoteKind::Prevote, 0, Some(a))));
        }
        net.end_round(&mut core, 0);
        let out = core.handle(net.proposal_input(1, a, Some(0), true));
        assert_eq!(broadcast_votes(&out), vec![(VoteKind::Prevote, 1, Some(a))]); // L28
    }

    #[test]
    fn bad_signature_stranger_and_far_round_are_dropped() {
        let net = Net::new(4);
        let mut core = net.started_core(0);
        let mut forged = net.vote(2, VoteKind::Prevote, 0, Some([1; 32]));
        forged.block_hash = Some([3; 32]);
        let stranger = Net::new(5).vote(4, VoteKind::Prevote, 0, None);
        let far = net.vote(2, VoteKind::Prevote, core.round() + 11, None);
        let wrong_height = net.vote_at(2, 2, VoteKind::Prevote, 0, None);
        for (vote, needle) in [
            (forged, "bad signature"),
            (stranger, "outside the validator set"),
            (far, "beyond round"),
            (wrong_height, "for height 2 dropped at height 1"),
        ] {
            let out = core.handle(Input::Vote(vote));
            let reasons = dropped(&out);
            assert_eq!(reasons.len(), 1, "{out:?}");
            assert!(reasons[0].contains(needle), "{} lacks {needle}", reasons[0]);
        }
    }

    #[test]
    fn nil_prevotes_of_two_thirds_make_a_nil_precommit() {
        let net = Net::new(4);
        let mut core = net.started_core(0);
        core.handle(net.timeout_propose(0));
        assert_eq!(core.step(), Step::Prevote);
        core.handle(Input::Vote(net.vote(1, VoteKind::Prevote, 0, None)));
        let out = core.handle(Input::Vote(net.vote(2, VoteKind::Prevote, 0, None)));
        assert_eq!(broadcast_votes(&out), vec![(VoteKind::Precommit, 0, None)]);
        assert_eq!(core.state().locked, None);
    }

    #[test]
    fn messages_from_a_third_in_a_later_round_skip_to_it() {
        let net = Net::new(4);
        let mut core = net.started_core(0);
        core.handle(Input::Vote(net.vote(1, VoteKind::Prevote, 3, None)));
        assert_eq!(core.round(), 0);
        let out = core.handle(Input::Vote(net.vote(2, VoteKind::Precommit, 3, None)));
        assert_eq!(core.round(), 3); // L55
        assert_eq!(last_persist(&out).map(|s| s.round), Some(3));
        // Validator 0 proposes round 3 at height 1.
        assert!(out.contains(&Output::RequestProposal {
            height: 1,
            round: 3
        }));
    }
}
