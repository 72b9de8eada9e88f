//! The flows between groups: per period and asset, the value that moved
//! from each group (residents, merchants by class, the issuer, the
//! operator, coordinators, other institutions, job escrow) to each group
//! (the same, and breakage, yen paid out on redemption, burned). Payments,
//! transfers, refunds, redemptions and their fees, minting (from the
//! issuer), expiry (to breakage) and job escrow in and out all count.
//!
//! Privacy (docs/metrics.md, "Flows"): a cell keeps the accounts on each
//! side with each one's part. A side of residents or merchants describing
//! fewer than `k` accounts withholds the cell, and so does one account
//! holding more than 80 % of it ([`Cell::withheld`]'s rules, applied to
//! each private side). The institutions' side is public.

use std::collections::BTreeMap;

use yui_ledger::{Address, Event};

use super::extra::Group;
use super::flows::{Cell, DOMINANCE_PCT, Figure, Flows, PerAccount, named2};
use super::identities::Sheet;

/// One cell of the matrix: what moved from one group to another in a
/// period, in one asset. A withheld cell carries no value and no count
/// (both 0): read `withheld` first.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct FlowCell {
    pub period: String,
    pub asset: String,
    /// A stable ASCII identifier of the group ([`Group::as_str`]).
    pub from: String,
    pub to: String,
    pub value: u64,
    /// Distinct residents or merchants on the cell's smaller private side
    /// (0 when neither side is residents or merchants).
    pub accounts: usize,
    pub withheld: Option<&'static str>,
}

/// What moved between two groups, with the accounts on each side.
#[derive(Debug, Default, Clone)]
pub(crate) struct Between {
    pub value: u64,
    pub from: PerAccount<u64>,
    pub to: PerAccount<u64>,
}

/// A side of a flow: its group and, when it is an account, the account.
type Side = (Group, Option<Address>);

/// The matrix as the replay fills it.
#[derive(Debug, Default)]
pub(crate) struct Matrix {
    /// Per (period, asset), found by borrowed names (`named2`): the cells
    /// by the groups value moved from and to.
    pub cells: BTreeMap<(String, String), BTreeMap<(Group, Group), Between>>,
}

impl Matrix {
    fn add(&mut self, period: &str, asset: &str, from: Side, to: Side, amount: u64) {
        if amount == 0 {
            return;
        }
        let c = named2(&mut self.cells, period, asset, BTreeMap::new)
            .entry((from.0, to.0))
            .or_default();
        c.value = c.value.saturating_add(amount);
        for (side, (group, who)) in [(&mut c.from, from), (&mut c.to, to)] {
            if let Some(a) = who.filter(|_| group.is_private()) {
                let v = side.entry(a).or_default();
                *v = v.saturating_add(amount);
            }
        }
    }

    /// Records the value one event moved between groups.
    pub fn event(&mut self, f: &Flows, period: &str, e: &Event) {
        let side = |a: &Address| (f.group(a), Some(*a));
        let escrow = (Group::Escrow, None);
        match e {
            Event::Minted {
                asset, to, amount, ..
            } => self.add(period, asset, (Group::Issuer, None), side(to), *amount),
            Event::Transferred {
                asset,
                from,
                to,
                amount,
            } => self.add(period, asset, side(from), side(to), *amount),
            Event::Paid {
                merchant,
                payer,
                parts,
                ..
            } => {
                for (asset, n) in parts {
                    self.add(period, asset, side(payer), side(merchant), *n);
                }
            }
            Event::Refunded {
                merchant,
                payer,
                parts,
                ..
            } => {
                for (asset, n) in parts {
                    self.add(period, asset, side(merchant), side(payer), *n);
                }
            }
            Event::Redeemed {
                merchant,
                asset,
                amount,
                fee,
                fee_account,
                ..
            } => {
                let out = amount.saturating_sub(*fee);
                self.add(period, asset, side(merchant), (Group::Redeemed, None), out);
                self.add(period, asset, side(merchant), side(fee_account), *fee);
            }
            Event::Burned {
                asset,
                from,
                amount,
            } => self.add(period, asset, side(from), (Group::Burned, None), *amount),
            Event::Expired {
                asset,
                account,
                amount,
                breakage_account,
            } => self.add(
                period,
                asset,
                side(account),
                (Group::Breakage, Some(*breakage_account)),
                *amount,
            ),
            Event::JobPosted {
                poster,
                asset,
                reward,
                ..
            } => self.add(period, asset, side(poster), escrow, *reward),
            Event::JobPaid {
                worker,
                asset,
                amount,
                ..
            }
            | Event::JobAutoReleased {
                worker,
                asset,
                amount,
                ..
            } => self.add(period, asset, escrow, side(worker), *amount),
            Event::JobResolved {
                poster,
                worker,
                asset,
                to_worker,
                to_poster,
                ..
            } => {
                self.add(period, asset, escrow, side(worker), *to_worker);
                self.add(period, asset, escrow, side(poster), *to_poster);
            }
            Event::JobCancelled {
                poster,
                asset,
                refunded,
                ..
            }
            | Event::JobExpired {
                poster,
                asset,
                refunded,
                ..
            } => self.add(period, asset, escrow, side(poster), *refunded),
            _ => {}
        }
    }
}

/// Why a side of residents or merchants may not be published: fewer than
/// `k` accounts, or one account above [`DOMINANCE_PCT`] % of the value.
pub(crate) fn side_withheld<'s>(
    group: Group,
    value: u64,
    side: impl IntoIterator<Item = (&'s Address, &'s u64)>,
    k: usize,
) -> Option<&'static str> {
    if !group.is_private() || value == 0 {
        return None;
    }
    let side: Vec<(Address, u64)> = side.into_iter().map(|(a, v)| (*a, *v)).collect();
    if matches!(group, Group::Merchant(_)) && side.len() < k {
        return Some("fewer than k merchants");
    }
    let cell = Cell {
        amount: value,
        accounts: side.iter().map(|(a, _)| *a).collect(),
        merchants: match group {
            Group::Merchant(_) => side.iter().copied().collect(),
            _ => Default::default(),
        },
    };
    cell.withheld(k).or_else(|| {
        let top = side.iter().map(|(_, v)| *v).max().unwrap_or(0);
        (u128::from(top) * 100 > u128::from(value) * u128::from(DOMINANCE_PCT))
            .then_some("one account dominates")
    })
}

impl FlowCell {
    /// The cell as a figure of figures.csv and figures.json: subject the
    /// asset, metric `flow:<from>><to>`.
    pub fn as_figure(&self) -> Figure {
        Figure {
            period: self.period.clone(),
            subject: self.asset.clone(),
            metric: format!("flow:{}>{}", self.from, self.to),
            value: self.withheld.is_none().then_some(self.value),
            withheld: self.withheld.map(String::from),
        }
    }
}

impl Between {
    /// Why the cell from `from` to `to` may not be published, if it may not.
    pub(crate) fn withheld(&self, from: Group, to: Group, k: usize) -> Option<&'static str> {
        side_withheld(from, self.value, &self.from, k)
            .or_else(|| side_withheld(to, self.value, &self.to, k))
    }

    /// Distinct accounts on the smaller private side.
    fn accounts(&self) -> usize {
        [self.from.len(), self.to.len()]
            .into_iter()
            .filter(|n| *n > 0)
            .min()
            .unwrap_or(0)
    }
}

impl Flows {
    /// The value that moved from each group to each group, per period and
    /// asset, ordered by period, asset, then the groups' order in
    /// [`Group`]; cells the privacy rules withhold say why and carry no
    /// value. Cells are withheld together with the figures
    /// ([`Flows::sheet`]): a cell that would be a published figure less
    /// other published cells is withheld too.
    pub fn flow_matrix(&self, k: usize) -> Vec<FlowCell> {
        self.flow_matrix_of(&self.sheet(k))
    }

    /// The cells as `s` withheld them.
    pub(crate) fn flow_matrix_of(&self, s: &Sheet) -> Vec<FlowCell> {
        self.extra
            .matrix
            .iter()
            .zip(&s.withheld[s.first_cell..])
            .map(|(((period, asset, from, to), c), withheld)| FlowCell {
                period: period.clone(),
                asset: asset.clone(),
                from: from.as_str().into(),
                to: to.as_str().into(),
                value: if withheld.is_some() { 0 } else { c.value },
                accounts: if withheld.is_some() { 0 } else { c.accounts() },
                withheld: *withheld,
            })
            .collect()
    }

    /// Every cell in order, with why the privacy rules withhold it on its own.
    pub(crate) fn matrix_primary(
        &self,
        k: usize,
    ) -> Vec<(Key<'_>, &Between, Option<&'static str>)> {
        self.extra
            .matrix
            .iter()
            .map(|(key, c)| (key, c, c.withheld(*key.2, *key.3, k)))
            .collect()
    }

    /// The matrix's lines whose totals other figures publish, as the
    /// indices of their cells in order: what one group paid each merchant
    /// class (the classes of `spent`), and what each merchant class paid
    /// one group (its redemptions, its re-spend). Withheld by
    /// [`Flows::sheet`] with the other identities.
    pub(crate) fn matrix_lines(&self) -> Vec<Vec<usize>> {
        let mut lines: BTreeMap<(&str, &str, bool, Group), Vec<usize>> = BTreeMap::new();
        for (i, ((period, asset, from, to), _)) in self.extra.matrix.iter().enumerate() {
            if matches!(to, Group::Merchant(_)) {
                lines
                    .entry((period, asset, true, *from))
                    .or_default()
                    .push(i);
            }
            if matches!(from, Group::Merchant(_)) {
                lines
                    .entry((period, asset, false, *to))
                    .or_default()
                    .push(i);
            }
        }
        lines.into_values().collect()
    }
}

/// A cell's period, asset and groups.
type Key<'m> = (&'m String, &'m String, &'m Group, &'m Group);

impl Matrix {
    /// Every cell, ordered by period, asset, then the groups.
    fn iter(&self) -> impl Iterator<Item = (Key<'_>, &Between)> {
        self.cells.iter().flat_map(|((period, asset), cells)| {
            cells
                .iter()
                .map(move |((from, to), c)| ((period, asset, from, to), c))
        })
    }
}

#[cfg(test)]
#[path = "matrix_tests.rs"]
mod tests;
