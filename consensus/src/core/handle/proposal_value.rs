//! `Input::ProposalValue`: the block this node built as proposer.

use crate::core::Core;
use crate::core::error::Rejection;
use crate::core::io::{Output, Step};
use crate::core::state::SignStep;
use crate::types::Hash;

impl Core {
    /// Proposes the block the node built after [`Output::RequestProposal`]
    /// (L18, L19), if it is still wanted.
    pub(crate) fn on_proposal_value(
        &mut self,
        height: u64,
        round: u32,
        block_hash: Hash,
        out: &mut Vec<Output>,
    ) {
        let wanted = height == self.state.height
            && round == self.state.round
            && self.step == Step::Propose
            && self.is_proposer()
            && self.state.valid.is_none()
            && self.state.may_sign(round, SignStep::Propose);
        if !wanted {
            let rejection = Rejection::UnexpectedValue { height, round };
            out.push(Output::Dropped {
                reason: rejection.to_string(),
            });
            return;
        }
        self.propose(block_hash, None, out);
        self.advance(round, out);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use crate::core::testkit::{Net, broadcast_votes, commits, dropped};
    use crate::core::{Input, Output, Step, TimeoutKind};
    use crate::types::{Message, VoteKind};

    #[test]
    fn a_single_validator_commits_alone() {
        let net = Net::new(1);
        let mut core = net.core(0);
        let out = core.start();
        assert!(out.contains(&Output::RequestProposal {
            height: 1,
            round: 0
        }));
        // As in the paper, the proposer arms no propose timeout: the node may
        // take its time to fill a block.
        let armed = out.iter().any(|o| {
            matches!(
                o,
                Output::ScheduleTimeout {
                    kind: TimeoutKind::Propose,
                    ..
                }
            )
        });
        assert!(!armed, "{out:?}");
        let value = [7u8; 32];
        let out = core.handle(Input::ProposalValue {
            height: 1,
            round: 0,
            block_hash: value,
        });
        assert!(matches!(out.first(), Some(Output::Persist(_))));
        assert!(matches!(
            out.get(1),
            Some(Output::Broadcast(Message::Proposal(_)))
        ));
        assert_eq!(
            broadcast_votes(&out),
            vec![
                (VoteKind::Prevote, 0, Some(value)),
                (VoteKind::Precommit, 0, Some(value))
            ]
        );
        let certs = commits(&out);
        assert_eq!(certs.len(), 1);
        assert_eq!(certs[0].verify(&net.chain_id, &net.set), Ok(()));
        assert_eq!(core.step(), Step::Commit);
        let next = core.next_height(net.set.clone());
        assert_eq!(
            (next.height(), next.round(), next.step()),
            (2, 0, Step::Propose)
        );
    }

    #[test]
    fn a_value_nobody_asked_for_is_dropped() {
        let net = Net::new(4);
        let mut core = net.started_core(0); // Validator 1 proposes round 0.
        let out = core.handle(Input::ProposalValue {
            height: 1,
            round: 0,
            block_hash: [1; 32],
        });
        assert_eq!(dropped(&out).len(), 1);
        let mut proposer = net.started_core(1);
        let value = Input::ProposalValue {
            height: 1,
            round: 0,
            block_hash: [1; 32],
        };
        assert_eq!(broadcast_votes(&proposer.handle(value.clone())).len(), 1);
        assert_eq!(dropped(&proposer.handle(value)).len(), 1);
    }
}
