//! Transactions admitted here travel to peers in batches: one gossip
//! message every few milliseconds rather than one per transaction.

/// Most transactions in one gossiped batch.
pub const TX_BATCH_MAX: usize = 512;
/// How long an admitted transaction waits to be batched. Most transactions
/// reach the next proposer through a batch, so this wait is part of every
/// payment's latency; at 25 ms the devnet's median at 250 tx/s was about
/// 5 ms higher, for about a tenth less CPU per transaction (BENCHMARKS.md).
pub const TX_BATCH_MS: u64 = 10;
/// The wait while this node gossips many transactions: each message costs
/// every peer its framing, decryption and relaying whatever it carries, and
/// at such rates a payment waits hundreds of milliseconds for its block
/// anyway. At 5,000 offered the devnet committed 3-4 % more with 25 ms
/// batches (BENCHMARKS.md).
pub const TX_BATCH_BUSY_MS: u64 = 25;
/// Batches go to [`TX_BATCH_BUSY_MS`] from this many transactions a second
/// gossiped by this node, and back to [`TX_BATCH_MS`] below
/// [`TX_BATCH_CALM_PER_S`] (apart, so that a rate in between does not
/// switch back and forth).
pub const TX_BATCH_BUSY_PER_S: u64 = 2_000;
pub const TX_BATCH_CALM_PER_S: u64 = 1_000;

/// Whether this node counts as busy after `count` transactions in
/// `elapsed_ms`: from [`TX_BATCH_BUSY_PER_S`] a second, and no longer
/// below [`TX_BATCH_CALM_PER_S`]; in between it stays as it was. Gossip
/// batches and wallets' admission batches (`api/admission.rs`) wait longer
/// while busy.
pub fn busy_after(busy: bool, count: u64, elapsed_ms: u64) -> bool {
    let per_s = count * 1_000 / elapsed_ms.max(1);
    if per_s >= TX_BATCH_BUSY_PER_S {
        true
    } else if per_s < TX_BATCH_CALM_PER_S {
        false
    } else {
        busy
    }
}

/// The wait before the next batch, given the last one: `sent`
/// transactions after waiting `period_ms`.
pub fn next_batch_ms(period_ms: u64, sent: usize) -> u64 {
    if busy_after(period_ms == TX_BATCH_BUSY_MS, sent as u64, period_ms) {
        TX_BATCH_BUSY_MS
    } else {
        TX_BATCH_MS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_wait_longer_only_while_many_transactions_are_gossiped() {
        // 250 and 1,000 tx/s: every 10 ms.
        assert_eq!(next_batch_ms(TX_BATCH_MS, 2), TX_BATCH_MS);
        assert_eq!(next_batch_ms(TX_BATCH_MS, 10), TX_BATCH_MS);
        // 2,000 tx/s and more: every 25 ms.
        assert_eq!(next_batch_ms(TX_BATCH_MS, 20), TX_BATCH_BUSY_MS);
        assert_eq!(next_batch_ms(TX_BATCH_MS, 512), TX_BATCH_BUSY_MS);
        // In between (1,000 to 2,000 tx/s) the wait stays as it is.
        assert_eq!(next_batch_ms(TX_BATCH_BUSY_MS, 30), TX_BATCH_BUSY_MS);
        assert_eq!(next_batch_ms(TX_BATCH_MS, 15), TX_BATCH_MS);
        // Below 1,000 tx/s, or an empty tick: back to 10 ms.
        assert_eq!(next_batch_ms(TX_BATCH_BUSY_MS, 24), TX_BATCH_MS);
        assert_eq!(next_batch_ms(TX_BATCH_BUSY_MS, 0), TX_BATCH_MS);
        assert_eq!(next_batch_ms(0, 5), TX_BATCH_BUSY_MS, "no division by zero");
    }
}
