//! Why the core drops an input. Each reason becomes an [`Output::Dropped`].
//!
//! [`Output::Dropped`]: crate::core::Output::Dropped

use crate::types::VerifyError;

/// Why an input from the network (or a late answer from the node) was dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("{what} for height {got} dropped at height {height}")]
    WrongHeight {
        what: &'static str,
        got: u64,
        height: u64,
    },
    #[error("{what} for round {got} dropped: beyond round {round} plus {max} at height {height}")]
    RoundTooFar {
        what: &'static str,
        got: u32,
        round: u32,
        max: u32,
        height: u64,
    },
    #[error("{what} at height {height} round {round} dropped: height already decided")]
    Decided {
        what: &'static str,
        height: u64,
        round: u32,
    },
    #[error("{what} at height {height} round {round} dropped: {source}")]
    Invalid {
        what: &'static str,
        height: u64,
        round: u32,
        source: VerifyError,
    },
    #[error(
        "proposal at height {height} round {round} from validator {got} dropped: the proposer is {expected}"
    )]
    NotProposer {
        height: u64,
        round: u32,
        got: u32,
        expected: u32,
    },
    #[error(
        "proposal at height {height} round {round} dropped: valid round {pol_round} is not before it"
    )]
    BadPolRound {
        height: u64,
        round: u32,
        pol_round: u32,
    },
    #[error("proposal at height {height} round {round} dropped: {max} proposals already kept")]
    TooManyProposals { height: u64, round: u32, max: usize },
    #[error(
        "vote of validator {validator} at height {height} round {round} dropped: a third vote of its kind"
    )]
    TooManyVotes {
        height: u64,
        round: u32,
        validator: u32,
    },
    #[error("proposal value for height {height} round {round} dropped: not expected now")]
    UnexpectedValue { height: u64, round: u32 },
}
