//! The limits and durations of the consensus core, in one place.

/// At most this many distinct proposals are kept per round. A correct proposer
/// signs one; keeping a second lets a validator still decide when a faulty
/// proposer equivocated and the network settled on its other block.
pub const PROPOSALS_PER_ROUND_MAX: usize = 2;

/// Timeouts and bounds of the consensus core. Durations are in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// How long a validator waits for the proposal of round 0.
    pub timeout_propose_ms: u64,
    /// How long a validator waits after seeing prevotes of two thirds in round 0.
    pub timeout_prevote_ms: u64,
    /// How long a validator waits after seeing precommits of two thirds in round 0.
    pub timeout_precommit_ms: u64,
    /// Added to every timeout once per round, so that after the network
    /// stabilises the timeouts eventually exceed the real message delay.
    pub timeout_delta_ms: u64,
    /// Proposals and votes for rounds beyond the current round plus this are
    /// dropped, which bounds the rounds kept in memory ahead of the current one.
    pub future_rounds_max: u32,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            timeout_propose_ms: 1000,
            timeout_prevote_ms: 500,
            timeout_precommit_ms: 500,
            timeout_delta_ms: 250,
            future_rounds_max: 10,
        }
    }
}

impl Params {
    /// The duration of a timeout of `base_ms` in `round`: the base plus one
    /// delta per round (the back-off the liveness argument needs).
    pub fn backoff_ms(&self, base_ms: u64, round: u32) -> u64 {
        base_ms.saturating_add(self.timeout_delta_ms.saturating_mul(u64::from(round)))
    }
}
