//! Refusal codes for transfers and grants that contracts can rely on.
//!
//! `transfer` and `grant` return 0 or the ledger's refusal code, so a
//! contract can react to a refusal (end a campaign when its budget is spent)
//! instead of failing. For that the codes that matter to contracts must mean
//! the same thing on every chain: 1–255 are reserved for the meanings below,
//! and the ledger maps its own rules onto them; a rule with no shared meaning
//! may use its own number from 256 upward. The SDK mirrors these constants.

use core::num::NonZeroU32;

/// The paying account (the contract's own) holds too little of the asset.
pub const INSUFFICIENT_BALANCE: u32 = 1;
/// The budget governance allotted to the contract for this asset is spent.
pub const BUDGET_EXHAUSTED: u32 = 2;
/// The asset does not exist.
pub const UNKNOWN_ASSET: u32 = 3;
/// The asset's policy does not allow this movement (scope, holder, expiry).
pub const NOT_PERMITTED: u32 = 4;
/// The amount is zero or would overflow a balance or supply.
pub const BAD_AMOUNT: u32 = 5;
/// A refusal with no shared meaning (also what a code of 0 becomes).
pub const OTHER: u32 = 255;

/// [`OTHER`] as a non-zero value.
pub(crate) const OTHER_NONZERO: NonZeroU32 = NonZeroU32::MIN.saturating_add(OTHER - 1);
