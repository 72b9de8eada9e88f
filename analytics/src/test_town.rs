//! The small town the crate's tests build their chains in: accounts by
//! number, the dates of its blocks, and minting.

use yui_ledger::Address;
use yui_ledger::Event;
use yui_ledger::receipt::MintSource;

/// The account numbered `n`.
pub(crate) fn a(n: u8) -> Address {
    Address([n; 32])
}

/// Residents.
pub(crate) const A: u8 = 1;
pub(crate) const B: u8 = 2;
pub(crate) const C: u8 = 3;
pub(crate) const D: u8 = 4;
/// Merchants.
pub(crate) const M1: u8 = 11;
pub(crate) const M2: u8 = 12;
pub(crate) const M3: u8 = 13;
/// The issuer, and the breakage account.
pub(crate) const CITY: u8 = 20;
pub(crate) const BREAKAGE: u8 = 30;
/// 2025-01-10 and 2025-02-10, 12:00 UTC; one day.
pub(crate) const JAN: u64 = 1_736_510_400_000;
pub(crate) const FEB: u64 = 1_739_188_800_000;
pub(crate) const DAY: u64 = 86_400_000;

/// `amount` of `asset` minted to account `to` from `source`, never expiring.
pub(crate) fn mint(asset: &str, to: u8, amount: u64, source: MintSource) -> Event {
    Event::Minted {
        asset: asset.into(),
        to: a(to),
        amount,
        source,
        expires_at: None,
    }
}
