//! Refusal codes `transfer` and `grant` return, mirroring
//! `yui_wasm_contracts::refusal`: 1–255 have these shared meanings, 256 and
//! up are the ledger's own rules.

/// The contract's account holds too little of the asset.
pub const INSUFFICIENT_BALANCE: u32 = 1;
/// The budget governance allotted to the contract is spent.
pub const BUDGET_EXHAUSTED: u32 = 2;
/// The asset does not exist.
pub const UNKNOWN_ASSET: u32 = 3;
/// The asset's policy does not allow this movement.
pub const NOT_PERMITTED: u32 = 4;
/// The amount is zero or would overflow.
pub const BAD_AMOUNT: u32 = 5;
/// A refusal with no shared meaning.
pub const OTHER: u32 = 255;
