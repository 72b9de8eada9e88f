//! Every bound of the ledger, in one place, units last.

/// Largest encoded signed transaction accepted.
pub const TX_BYTES_MAX: usize = 4 * 1024;
/// Longest identifier (asset, campaign, invoice, reference, event).
pub const ID_LEN_MAX: usize = 64;
/// Longest free-text reason on a grant.
pub const REASON_LEN_MAX: usize = 256;
/// Most assets a wallet may name in one payment.
pub const PAY_ASSETS_MAX: usize = 8;
/// Most lots one holding keeps; a grant beyond it merges into the latest lot.
pub const LOTS_PER_HOLDING_MAX: usize = 64;
/// Most expiry-queue entries processed at the start of one block; the rest
/// wait for the next block (still in time order, so deterministic).
pub const EXPIRIES_PER_BLOCK_MAX: usize = 10_000;
/// Most transactions in one block.
pub const BLOCK_TXS_MAX: usize = 5_000;
/// Most job timeouts processed at the start of one block; the rest wait for
/// the next block (still in time order).
pub const JOB_TIMEOUTS_PER_BLOCK_MAX: usize = 1_000;
/// A timeout that cannot be carried out (the receiver's holding cap) is tried
/// again this long after.
pub const JOB_TIMEOUT_RETRY_MS: u64 = 86_400_000;
/// Largest voting power of one validator (keeps the set's total far from overflow).
pub const VALIDATOR_POWER_MAX: u64 = 1_000_000;
/// Most validators in the set.
pub const VALIDATORS_MAX: usize = 100;
/// Accesses kept in a consent record (the count covers all of them).
pub const ACCESSES_KEPT_MAX: usize = 64;
/// Most fuel the contract calls of one block may reserve together (the sum
/// of their limits): about a second of the interpreter on a slow core.
pub const BLOCK_FUEL_MAX: u64 = 100_000_000;
/// Most proposal expiries processed at the start of one block.
pub const PROPOSAL_EXPIRIES_PER_BLOCK_MAX: usize = 1_000;
