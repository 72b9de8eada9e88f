//! The figures of the flows, per period and asset: each tally as a
//! published value or the reason it is withheld (docs/metrics.md, "Who may
//! see what"), and the ratios made of them; the complements that keep a
//! withheld figure from being read off published ones are withheld by the
//! identities among them (`identities.rs`).

use std::collections::BTreeMap;

use yui_ledger::MerchantClass;

use super::flows::{Cell, Figure, Flows};
use super::identities::{Sheet, complement_of, ratio_withheld};
use super::matrix::FlowCell;

/// Why a part is withheld with another: see [`complement`].
pub const COMPLEMENT: &str = "complement of a withheld figure";

/// Secondary suppression on a line of parts whose total is published (each
/// prepaid asset's unused balance on a base date; the hops' shares): one
/// withheld part would be the total less the others, so another published
/// part that is not zero is withheld with it, chosen as in the identities
/// ([`complement_of`]: the smallest at least as large as the withheld one,
/// else the largest). Returns that part's index. `parts`: each part's
/// value and whether it is withheld.
pub fn complement(parts: &[(u64, bool)]) -> Option<usize> {
    let terms: Vec<(u64, bool, bool)> = parts.iter().map(|(v, w)| (*v, *w, false)).collect();
    complement_of(&terms)
}

pub(crate) fn ratio_permille(num: u64, den: u64) -> Option<u64> {
    (den > 0).then(|| ((u128::from(num) * 1000 + u128::from(den) / 2) / u128::from(den)) as u64)
}

impl Flows {
    /// Every figure of every period, withheld where the privacy rules say
    /// so: each amount by the rules for it alone, then with the others
    /// through the identities among them ([`Flows::sheet`]); each ratio
    /// when a figure it is made of is withheld ([`ratio_withheld`]).
    pub fn figures(&self, k: usize) -> Vec<Figure> {
        self.figures_of(&self.sheet(k), k)
    }

    /// The figures and the flow matrix, withheld together from one
    /// [`Flows::sheet`]: what [`Flows::figures`] and [`Flows::flow_matrix`]
    /// return, for the cost of one.
    pub fn report(&self, k: usize) -> (Vec<Figure>, Vec<FlowCell>) {
        let s = self.sheet(k);
        (self.figures_of(&s, k), self.flow_matrix_of(&s))
    }

    fn figures_of(&self, s: &Sheet, k: usize) -> Vec<Figure> {
        let mut out = Vec::new();
        let mut push =
            |period: &str, subject: &str, metric: &str, v: Option<u64>, w: Option<&str>| {
                out.push(Figure {
                    period: period.into(),
                    subject: subject.into(),
                    metric: metric.into(),
                    value: if w.is_some() { None } else { v },
                    withheld: w.map(String::from),
                })
            };
        // Each asset's float at the end of its last period (none before its first).
        let mut last_float: BTreeMap<&str, usize> = BTreeMap::new();
        for (g, ((period, asset), p)) in self.assets.iter().enumerate() {
            for i in s.groups[g].clone() {
                push(
                    period,
                    asset,
                    &s.keys[i].2,
                    Some(s.values[i]),
                    s.withheld[i],
                );
            }
            let w = |metric: &str| s.find(g, metric).and_then(|i| s.withheld[i]);
            let spent = p.spent_total().amount;
            let avg_float = (p.float_start + p.float_end) / 2;
            let prev = last_float.get(asset.as_str()).and_then(|i| s.withheld[*i]);
            push(
                period,
                asset,
                "velocity_permille",
                ratio_permille(spent, avg_float),
                // The mean float times the ratio is `spent`, and the mean of
                // a published float and a withheld one gives the withheld one.
                ratio_withheld([w("spent"), w("float_end"), prev]),
            );
            push(
                period,
                asset,
                "utilisation_permille",
                ratio_permille(spent, p.issued()),
                ratio_withheld([
                    w("spent"),
                    w("issued_charge"),
                    w("issued_bonus"),
                    w("issued_grant"),
                    w("issued_contract"),
                ]),
            );
            let local = p
                .spent
                .get(&MerchantClass::SmallLocal)
                .map_or(0, |c| c.amount);
            push(
                period,
                asset,
                "local_share_permille",
                ratio_permille(local, spent),
                ratio_withheld([w("spent"), w("spent_small_local")]),
            );
            push(
                period,
                asset,
                "merchant_respend_permille",
                ratio_permille(p.merchant_spend.amount, p.merchant_received.amount),
                // What merchants received is not published by itself, but
                // the ratio would give it: it is held to the same rules.
                ratio_withheld([w("merchant_respend"), p.merchant_received.withheld(k)]),
            );
            if let Some(i) = s.find(g, "float_end") {
                last_float.insert(asset, i);
            }
        }
        for (period, accounts) in &self.active {
            let n = accounts.len();
            push(
                period,
                "accounts",
                "reach",
                Some(n as u64),
                (n < k).then_some("fewer than k accounts"),
            );
        }
        for (period, j) in &self.jobs {
            let mut cell = |metric: &str, c: &Cell| {
                push(period, "jobs", metric, Some(c.amount), c.withheld(k))
            };
            cell("posted", &j.posted);
            cell("completed", &j.completed);
            cell("disputed", &j.disputed);
            cell("timed_out", &j.timed_out);
            cell("cancelled", &j.cancelled);
            let mean_h = (!j.completion_ms.is_empty()).then(|| {
                j.completion_ms.iter().sum::<u64>() / j.completion_ms.len() as u64 / 3_600_000
            });
            push(
                period,
                "jobs",
                "hours_to_completion_mean",
                mean_h,
                j.completed.withheld(k),
            );
        }
        self.extra.figures(self, k, s, &mut out);
        out
    }
}
