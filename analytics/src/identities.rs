//! Secondary suppression over the identities among the published figures
//! (docs/metrics.md, rule 9).
//!
//! Many figures are tied by definitions: the float at a period's end is the
//! float at the last one's plus what was issued less what was redeemed
//! (net of the fee), burned, expired or put in jobs' escrow; `spent` is its
//! classes; a figure that sums flows between groups is the sum of those
//! cells of the matrix. When every term of such an identity but one is
//! published, the one withheld is the others' signed sum, whatever the
//! rule that withheld it. So all the figures of every period and asset and
//! all the cells of the matrix are withheld together: after the rules that
//! withhold a figure on its own (k accounts, k merchants, dominance, k
//! holders), while an identity has exactly one withheld term that is not
//! zero, a published term that is not zero is withheld with it
//! ([`COMPLEMENT`]; [`complement_of`] chooses: a flow before a float, and
//! the smallest at least as large as the withheld one). A float withheld
//! is a term of the next period's identity too, which the pass then
//! protects in turn.
//!
//! An identity's terms are the figures it ties; what it holds besides them
//! that no figure publishes (the transfers into a breakage account, say) is
//! taken to be known to whoever reads the report, so that a withheld term
//! is protected by another withheld figure, never by something unpublished.

use std::collections::{BTreeMap, VecDeque};
use std::ops::Range;

use yui_ledger::MerchantClass;

use super::extra::Group;
use super::figures::COMPLEMENT;
use super::flows::{AssetPeriod, Flows};

/// A figure's key: period, subject (the asset) and metric; a cell of the
/// matrix is the figure `flow:<from>><to>` ([`super::matrix::FlowCell::as_figure`]).
pub type Key = (String, String, String);

/// The merchant classes, in the order of the `spent_<class>` figures.
pub(crate) const CLASSES: [MerchantClass; 3] = [
    MerchantClass::SmallLocal,
    MerchantClass::Large,
    MerchantClass::Public,
];

/// A linear identity among figures: Σ sign × value of its terms is zero,
/// less what it holds that no figure publishes (a matrix line's terms add
/// up to a total published elsewhere, taken as known; their signs are all
/// +1).
#[derive(Debug, Clone)]
pub struct Identity {
    /// What it says ("float", "spent", "issued", "matrix line", …).
    pub what: &'static str,
    /// Each term's entry in the sheet and its sign.
    pub terms: Vec<(usize, i8)>,
}

/// Every figure of every period and asset and every cell of the matrix, as
/// the identities see them: each one's true value and why it is withheld.
#[derive(Debug, Default)]
pub struct Sheet {
    pub keys: Vec<Key>,
    pub values: Vec<u64>,
    pub withheld: Vec<Option<&'static str>>,
    /// A stock (the float, its holders), withheld as a complement only when
    /// no flow of the identity can be.
    pub stock: Vec<bool>,
    pub identities: Vec<Identity>,
    /// The entries of each period and asset's figures, in `Flows::assets`' order.
    pub(crate) groups: Vec<Range<usize>>,
    /// The first entry of the matrix's cells, in `flow_matrix`'s order.
    pub(crate) first_cell: usize,
    /// Each bonus campaign's `bonus_granted`, by campaign id.
    pub(crate) campaigns: Range<usize>,
}

/// Of an identity's terms (value, withheld, stock), the one to withhold
/// with its one withheld term, if it has exactly one withheld term that is
/// not zero: of the published terms that are not zero, a flow before a
/// float; the smallest that is at least the withheld one, else the
/// largest. (All figures are at least zero, so the identity still bounds
/// the withheld term by the complement: a complement much smaller than it
/// would give it away to within the complement.)
pub fn complement_of(terms: &[(u64, bool, bool)]) -> Option<usize> {
    let mut withheld = terms.iter().filter(|(v, w, _)| *w && *v > 0);
    let secret = match (withheld.next(), withheld.next()) {
        (Some((v, _, _)), None) => *v,
        _ => return None,
    };
    terms
        .iter()
        .enumerate()
        .filter(|(_, (v, w, _))| !*w && *v > 0)
        .min_by_key(|(i, (v, _, stock))| {
            let covers = *v >= secret;
            (*stock, !covers, if covers { *v } else { u64::MAX - *v }, *i)
        })
        .map(|(i, _)| i)
}

/// Why a ratio is withheld: the reason of the first figure it is made of
/// that is withheld. A ratio published beside all but one of its operands
/// would give that one to within rounding.
pub fn ratio_withheld<'a>(operands: impl IntoIterator<Item = Option<&'a str>>) -> Option<&'a str> {
    operands.into_iter().flatten().next()
}

impl Sheet {
    fn push(&mut self, key: Key, value: u64, withheld: Option<&'static str>, stock: bool) -> usize {
        self.keys.push(key);
        self.values.push(value);
        self.withheld.push(withheld);
        self.stock.push(stock);
        self.keys.len() - 1
    }

    /// The entry of a figure of one period and asset, by metric.
    pub(crate) fn find(&self, group: usize, metric: &str) -> Option<usize> {
        self.groups
            .get(group)
            .and_then(|r| r.clone().find(|i| self.keys[*i].2 == metric))
    }

    /// Withholds complements until no identity has exactly one withheld
    /// term that is not zero. Each identity is looked at again whenever one
    /// of its terms is withheld, so this ends after at most one step per
    /// entry; the order is the identities', so the result is the same on
    /// every machine.
    pub fn suppress(&mut self) {
        let mut of_entry: Vec<Vec<usize>> = vec![Vec::new(); self.keys.len()];
        for (n, id) in self.identities.iter().enumerate() {
            for (i, _) in &id.terms {
                of_entry[*i].push(n);
            }
        }
        let mut queue: VecDeque<usize> = (0..self.identities.len()).collect();
        let mut queued = vec![true; self.identities.len()];
        while let Some(n) = queue.pop_front() {
            queued[n] = false;
            let terms = &self.identities[n].terms;
            let parts: Vec<(u64, bool, bool)> = terms
                .iter()
                .map(|(i, _)| (self.values[*i], self.withheld[*i].is_some(), self.stock[*i]))
                .collect();
            let Some(j) = complement_of(&parts) else {
                continue;
            };
            let e = terms[j].0;
            self.withheld[e] = Some(COMPLEMENT);
            for m in &of_entry[e] {
                if !queued[*m] {
                    queued[*m] = true;
                    queue.push_back(*m);
                }
            }
        }
    }

    /// The identities that give a withheld figure away: exactly one
    /// withheld term that is not zero, and another term published and not
    /// zero (none after [`Sheet::suppress`]; with no such other term the
    /// withheld one is what the identity holds unpublished).
    pub fn open_identities(&self) -> Vec<&Identity> {
        self.identities
            .iter()
            .filter(|id| {
                let parts: Vec<(u64, bool, bool)> = id
                    .terms
                    .iter()
                    .map(|(i, _)| (self.values[*i], self.withheld[*i].is_some(), self.stock[*i]))
                    .collect();
                complement_of(&parts).is_some()
            })
            .collect()
    }
}

/// Per period and asset, the matrix's cells: (from, to, entry in the sheet).
type CellsOf<'a> = BTreeMap<(&'a str, &'a str), Vec<(Group, Group, usize)>>;

/// The groups that hold value and are not merchants.
fn holder(g: Group) -> bool {
    matches!(
        g,
        Group::Issuer | Group::Operator | Group::Coordinator | Group::Institution | Group::Resident
    )
}

impl Flows {
    /// The amounts of one period and asset, in the order they are
    /// published: each one's value and why the privacy rules withhold it
    /// on its own.
    fn amounts(p: &AssetPeriod, k: usize) -> Vec<(String, u64, Option<&'static str>)> {
        let mut out: Vec<(String, u64, Option<&'static str>)> = Vec::new();
        let spent = p.spent_total();
        for (metric, c) in [
            ("issued_charge", &p.issued_charge),
            ("issued_bonus", &p.issued_bonus),
            ("issued_grant", &p.issued_grant),
            ("issued_contract", &p.issued_contract),
            ("spent", &spent),
            ("p2p", &p.p2p),
            ("refunds", &p.refunds),
            ("redeemed", &p.redeemed),
            ("burned", &p.burned),
            ("breakage", &p.breakage),
            ("merchant_respend", &p.merchant_spend),
        ] {
            out.push((metric.into(), c.amount, c.withheld(k)));
        }
        for class in CLASSES {
            let c = p.spent.get(&class).cloned().unwrap_or_default();
            out.push((format!("spent_{}", class.as_str()), c.amount, c.withheld(k)));
        }
        out.push(("redeem_fees".into(), p.redeem_fees, p.redeemed.withheld(k)));
        let few_holders = ((p.holders_end as usize) < k).then_some("fewer than k holders");
        out.push(("float_end".into(), p.float_end, few_holders));
        out.push(("holders_end".into(), p.holders_end, few_holders));
        out
    }

    /// Every amount of every period and asset and every cell of the
    /// matrix, withheld by the rules for each alone and then by the
    /// identities among them ([`Sheet::suppress`]).
    pub fn sheet(&self, k: usize) -> Sheet {
        let mut s = Sheet::default();
        for ((period, asset), p) in &self.assets {
            let start = s.keys.len();
            for (metric, v, w) in Self::amounts(p, k) {
                let stock = metric == "float_end" || metric == "holders_end";
                s.push((period.clone(), asset.clone(), metric), v, w, stock);
            }
            s.groups.push(start..s.keys.len());
        }
        // The campaigns' grants, whose sum is every period's bonus.
        let start = s.keys.len();
        for (id, c) in &self.extra.campaigns.by_id {
            let key = (
                "all".into(),
                format!("campaign:{id}"),
                "bonus_granted".into(),
            );
            s.push(key, c.granted.amount, c.granted.withheld(k), false);
        }
        s.campaigns = start..s.keys.len();
        let mut bonus: Vec<(usize, i8)> = s.campaigns.clone().map(|e| (e, -1)).collect();
        bonus.extend((0..s.groups.len()).filter_map(|g| s.find(g, "issued_bonus").map(|e| (e, 1))));
        s.identities.push(Identity {
            what: "bonus",
            terms: bonus,
        });
        s.first_cell = s.keys.len();
        // The cells of each period and asset: (from, to, entry).
        let mut cells: CellsOf = BTreeMap::new();
        let mut entries = Vec::new();
        for ((period, asset, from, to), c, w) in self.matrix_primary(k) {
            let metric = format!("flow:{}>{}", from.as_str(), to.as_str());
            let e = s.push((period.clone(), asset.clone(), metric), c.value, w, false);
            cells
                .entry((period, asset))
                .or_default()
                .push((*from, *to, e));
            entries.push(e);
        }
        for line in self.matrix_lines() {
            s.identities.push(Identity {
                what: "matrix line",
                terms: line.iter().map(|i| (entries[*i], 1)).collect(),
            });
        }
        let mut last_float: BTreeMap<&str, usize> = BTreeMap::new();
        for (g, (period, asset)) in self.assets.keys().enumerate() {
            let none = Vec::new();
            let line = cells
                .get(&(period.as_str(), asset.as_str()))
                .unwrap_or(&none);
            let f = |m: &str| s.find(g, m).unwrap_or(usize::MAX);
            let cells_where = |sign: i8, keep: &dyn Fn(Group, Group) -> bool| -> Vec<(usize, i8)> {
                line.iter()
                    .filter(|(from, to, _)| keep(*from, *to))
                    .map(|(_, _, e)| (*e, sign))
                    .collect()
            };
            let issued = [
                (f("issued_charge"), 1),
                (f("issued_bonus"), 1),
                (f("issued_grant"), 1),
                (f("issued_contract"), 1),
            ];
            let mut ids: Vec<Identity> = Vec::new();
            let mut spent = vec![(f("spent"), 1)];
            for class in CLASSES {
                spent.push((f(&format!("spent_{}", class.as_str())), -1));
            }
            ids.push(Identity {
                what: "spent",
                terms: spent,
            });
            // Δ float = issued − (redeemed − fees) − burned − breakage −
            // escrowed + released from escrow.
            let mut float: Vec<(usize, i8)> = last_float
                .get(asset.as_str())
                .map(|e| (*e, 1))
                .into_iter()
                .collect();
            float.extend(issued);
            float.extend([
                (f("redeemed"), -1),
                (f("redeem_fees"), 1),
                (f("burned"), -1),
                (f("breakage"), -1),
                (f("float_end"), -1),
            ]);
            float.extend(cells_where(-1, &|_, to| to == Group::Escrow));
            float.extend(cells_where(1, &|from, _| from == Group::Escrow));
            ids.push(Identity {
                what: "float",
                terms: float,
            });
            let mut t = issued.to_vec();
            t.extend(cells_where(-1, &|from, _| from == Group::Issuer));
            ids.push(Identity {
                what: "issued",
                terms: t,
            });
            for (what, metric, to) in [
                ("breakage", "breakage", Group::Breakage),
                ("burned", "burned", Group::Burned),
            ] {
                let mut t = vec![(f(metric), 1)];
                t.extend(cells_where(-1, &|_, into| into == to));
                ids.push(Identity { what, terms: t });
            }
            let mut t = vec![(f("redeemed"), 1), (f("redeem_fees"), -1)];
            t.extend(cells_where(-1, &|_, to| to == Group::Redeemed));
            ids.push(Identity {
                what: "redeemed",
                terms: t,
            });
            // What merchants paid, sent, refunded and redeemed.
            let mut t = vec![
                (f("merchant_respend"), 1),
                (f("refunds"), 1),
                (f("redeemed"), 1),
            ];
            t.extend(cells_where(-1, &|from, to| {
                matches!(from, Group::Merchant(_))
                    && !matches!(to, Group::Escrow | Group::Burned | Group::Breakage)
            }));
            ids.push(Identity {
                what: "merchants' outflow",
                terms: t,
            });
            let mut t = vec![(f("p2p"), 1)];
            t.extend(cells_where(-1, &|from, to| {
                from != Group::Issuer && holder(from) && holder(to)
            }));
            ids.push(Identity {
                what: "p2p",
                terms: t,
            });
            for class in CLASSES {
                let mut t = vec![(f(&format!("spent_{}", class.as_str())), 1)];
                // Not from the issuer: its cells are mostly mints.
                t.extend(cells_where(-1, &|from, to| {
                    from != Group::Issuer && holder(from) && to == Group::Merchant(class)
                }));
                ids.push(Identity {
                    what: "spent by class",
                    terms: t,
                });
            }
            let end = f("float_end");
            // Every metric is in every group; a missing one is left out.
            for mut id in ids {
                id.terms.retain(|(i, _)| *i < s.keys.len());
                s.identities.push(id);
            }
            last_float.insert(asset.as_str(), end);
        }
        s.suppress();
        s
    }
}

#[cfg(test)]
#[path = "identities_tests.rs"]
pub(crate) mod tests;
