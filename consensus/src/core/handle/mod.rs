//! One handler per kind of input. Each checks the input, records it, and lets
//! [`Core::advance`](crate::core::Core) fire the rules it enables.

mod proposal;
mod proposal_value;
mod timeout;
mod vote;

use crate::core::error::Rejection;
use crate::core::{Core, Step};

impl Core {
    /// The checks shared by proposals and votes: the current height, an
    /// undecided height, and a round not too far ahead.
    fn admit(&self, what: &'static str, height: u64, round: u32) -> Result<(), Rejection> {
        if height != self.state.height {
            return Err(Rejection::WrongHeight {
                what,
                got: height,
                height: self.state.height,
            });
        }
        if self.step == Step::Commit {
            return Err(Rejection::Decided {
                what,
                height,
                round,
            });
        }
        let max = self.params.future_rounds_max;
        if round > self.state.round.saturating_add(max) {
            return Err(Rejection::RoundTooFar {
                what,
                got: round,
                round: self.state.round,
                max,
                height,
            });
        }
        Ok(())
    }
}
