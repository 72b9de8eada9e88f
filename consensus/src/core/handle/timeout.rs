//! `Input::Timeout`: a timeout the core scheduled has expired.

use crate::core::Core;
use crate::core::io::{Output, Step, TimeoutKind};
use crate::types::VoteKind;

impl Core {
    /// `OnTimeoutPropose`, `OnTimeoutPrevote` and `OnTimeoutPrecommit`
    /// (L57-L67). A timeout of another height, round or step is stale and
    /// changes nothing.
    pub(crate) fn on_timeout(
        &mut self,
        kind: TimeoutKind,
        height: u64,
        round: u32,
        out: &mut Vec<Output>,
    ) {
        if height != self.state.height || round != self.state.round || self.step == Step::Commit {
            return;
        }
        match (kind, self.step) {
            (TimeoutKind::Propose, Step::Propose) => {
                self.vote_and_step(VoteKind::Prevote, None, Step::Prevote, out); // L57-L60
            }
            (TimeoutKind::Prevote, Step::Prevote) => {
                self.vote_and_step(VoteKind::Precommit, None, Step::Precommit, out); // L61-L64
            }
            (TimeoutKind::Precommit, _) => {
                let Some(next) = round.checked_add(1) else {
                    return;
                };
                self.start_round(next, out); // L65-L67
            }
            _ => return,
        }
        self.advance(self.state.round, out);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use crate::core::testkit::{Net, broadcast_votes};
    use crate::core::{Input, Output, Step, TimeoutKind};
    use crate::types::VoteKind;

    #[test]
    fn propose_timeout_prevotes_nil() {
        let net = Net::new(4);
        let mut core = net.started_core(0);
        let out = core.handle(net.timeout_propose(0));
        assert_eq!(broadcast_votes(&out), vec![(VoteKind::Prevote, 0, None)]);
        assert!(
            matches!(out.first(), Some(Output::Persist(_))),
            "persist comes first: {out:?}"
        );
        assert_eq!(core.step(), Step::Prevote);
    }

    #[test]
    fn prevote_timeout_precommits_nil_and_only_in_its_step() {
        let net = Net::new(4);
        let mut core = net.started_core(0);
        let timeout = Input::Timeout {
            kind: TimeoutKind::Prevote,
            height: 1,
            round: 0,
        };
        assert!(core.handle(timeout.clone()).is_empty());
        core.handle(net.timeout_propose(0));
        let out = core.handle(timeout);
        assert_eq!(broadcast_votes(&out), vec![(VoteKind::Precommit, 0, None)]);
    }

    #[test]
    fn precommit_timeout_starts_the_next_round_with_longer_timeouts() {
        let net = Net::new(4);
        let mut core = net.started_core(0);
        let out = core.handle(Input::Timeout {
            kind: TimeoutKind::Precommit,
            height: 1,
            round: 0,
        });
        assert_eq!(core.round(), 1);
        assert_eq!(core.step(), Step::Propose);
        let durations: Vec<u64> = out
            .iter()
            .filter_map(|o| match o {
                Output::ScheduleTimeout {
                    kind: TimeoutKind::Propose,
                    round: 1,
                    duration_ms,
                    ..
                } => Some(*duration_ms),
                _ => None,
            })
            .collect();
        assert_eq!(durations, vec![1250]);
        assert!(matches!(out.last(), Some(Output::Persist(s)) if s.round == 1));
    }

    #[test]
    fn stale_timeouts_change_nothing() {
        let net = Net::new(4);
        let mut core = net.started_core(0);
        for (height, round) in [(0, 0), (2, 0), (1, 1)] {
            let out = core.handle(Input::Timeout {
                kind: TimeoutKind::Precommit,
                height,
                round,
            });
            assert!(out.is_empty());
        }
        assert_eq!(core.round(), 0);
    }
}
