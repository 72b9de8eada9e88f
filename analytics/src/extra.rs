//! What the report adds to the flows' per-period tallies: the groups value
//! moves between (`matrix`), how long value stays in a holding
//! (`holding`), how holdings are spread and the Payment Services Act's
//! base dates (`stocks`), bonus campaigns (`campaigns`), cycles and
//! re-spend chains (`cycles`); and the hooks [`super::flows::Flows`] calls
//! for every block and event. Each part keeps its own state; `Flows` owns
//! one [`Extra`].

use yui_ledger::{Address, Event, MerchantClass};

use super::campaigns::Campaigns;
use super::cycles::Cycles;
use super::flows::{Figure, Flows};
use super::holding::Holding;
use super::identities::Sheet;
use super::matrix::Matrix;
use super::stocks::Stocks;

/// Where value is, for the flows between groups. Residents and merchants
/// are private (the privacy rules protect them); the others are the town's
/// institutions, or where value goes when it leaves holdings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    /// Minted value comes from its issuer (the city); an account with an
    /// issuer role.
    Issuer,
    /// An account that keeps redemption fees.
    Operator,
    Coordinator,
    /// A consortium member or credential issuer with no other role (the
    /// chamber of commerce).
    Institution,
    /// Every other account: the town's people.
    Resident,
    Merchant(MerchantClass),
    /// Rewards of open jobs, between posting and payment or refund.
    Escrow,
    /// Expired value.
    Breakage,
    /// Paid out in yen to merchants that redeemed (less the fee).
    Redeemed,
    /// Burned by its holder.
    Burned,
}

impl Group {
    /// A stable ASCII identifier (pages render their own labels).
    pub fn as_str(&self) -> &'static str {
        match self {
            Group::Issuer => "issuer",
            Group::Operator => "operator",
            Group::Coordinator => "coordinator",
            Group::Institution => "institution",
            Group::Resident => "resident",
            Group::Merchant(MerchantClass::SmallLocal) => "merchant:small_local",
            Group::Merchant(MerchantClass::Large) => "merchant:large",
            Group::Merchant(MerchantClass::Public) => "merchant:public",
            Group::Escrow => "escrow",
            Group::Breakage => "breakage",
            Group::Redeemed => "redeemed",
            Group::Burned => "burned",
        }
    }

    /// Whether the privacy rules protect the accounts of this group.
    pub fn is_private(&self) -> bool {
        matches!(self, Group::Resident | Group::Merchant(_))
    }
}

/// The report's state beyond the per-period tallies.
#[derive(Default)]
pub struct Extra {
    pub(crate) matrix: Matrix,
    pub(crate) holding: Holding,
    pub(crate) stocks: Stocks,
    pub(crate) campaigns: Campaigns,
    pub(crate) cycles: Cycles,
    /// The last block's period.
    last_period: Option<String>,
}

impl Extra {
    /// A block at `time_ms` in period `label` begins (before its events).
    pub(crate) fn block_start(&mut self, f: &Flows, label: &str, time_ms: u64) {
        if let Some(last) = &self.last_period
            && last != label
        {
            self.stocks.close_period(f, last);
        }
        self.stocks
            .block_start(f, self.last_period.is_none(), time_ms);
        self.holding.advance(f, label, time_ms);
        self.last_period = Some(label.to_string());
    }

    /// `amount` of `asset` left `from`'s holding (paid, sent, redeemed,
    /// burned, expired or escrowed).
    pub(crate) fn left_holdings(&mut self, label: &str, asset: &str, from: Address, amount: u64) {
        self.holding.left(label, asset, from, amount);
    }

    /// One event, before the flows' own tallies see it.
    pub(crate) fn event(&mut self, f: &Flows, label: &str, time_ms: u64, e: &Event) {
        self.matrix.event(f, label, e);
        self.campaigns.event(f, time_ms, e);
        self.cycles.event(label, e);
        match e {
            Event::JobPosted { asset, reward, .. } => {
                self.stocks.escrowed(asset, i128::from(*reward))
            }
            Event::JobPaid { asset, amount, .. } | Event::JobAutoReleased { asset, amount, .. } => {
                self.stocks.escrowed(asset, -i128::from(*amount))
            }
            Event::JobResolved {
                asset,
                to_worker,
                to_poster,
                ..
            } => self
                .stocks
                .escrowed(asset, -i128::from(*to_worker) - i128::from(*to_poster)),
            Event::JobCancelled {
                asset, refunded, ..
            }
            | Event::JobExpired {
                asset, refunded, ..
            } => self.stocks.escrowed(asset, -i128::from(*refunded)),
            _ => {}
        }
    }

    /// The figures of every part, appended to the flows' own; `sheet`
    /// withheld the campaigns' grants with the other figures.
    pub(crate) fn figures(&self, f: &Flows, k: usize, sheet: &Sheet, out: &mut Vec<Figure>) {
        self.holding.figures(f, k, sheet, out);
        self.stocks.figures(f, self.last_period.as_deref(), k, out);
        self.campaigns.figures(k, sheet, out);
        self.cycles.figures(k, out);
    }
}

#[cfg(test)]
#[path = "extra_tests.rs"]
mod tests;
