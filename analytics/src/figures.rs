//! The figures of the flows, per period and asset: each tally as a
//! published value or the reason it is withheld (docs/metrics.md, "Who may
//! see what"), the ratios made of them, and the complements that keep a
//! withheld part from being read off a published total.

use yui_ledger::MerchantClass;

use super::flows::{Cell, Figure, Flows};

/// Why a part is withheld with another: see [`complement`].
pub const COMPLEMENT: &str = "complement of a withheld figure";

/// Secondary suppression. In a line of parts whose total is published (the
/// classes of `spent`; the cells of a matrix line), one withheld part would
/// be the total less the others: the smallest other part that is published
/// and not zero is withheld with it. Returns that part's index. `parts`:
/// each part's value and whether it is withheld.
pub fn complement(parts: &[(u64, bool)]) -> Option<usize> {
    let withheld = parts.iter().filter(|(v, w)| *w && *v > 0).count();
    if withheld != 1 {
        return None;
    }
    parts
        .iter()
        .enumerate()
        .filter(|(_, (v, w))| !*w && *v > 0)
        .min_by_key(|(i, (v, _))| (*v, *i))
        .map(|(i, _)| i)
}

pub(crate) fn ratio_permille(num: u64, den: u64) -> Option<u64> {
    (den > 0).then(|| ((u128::from(num) * 1000 + u128::from(den) / 2) / u128::from(den)) as u64)
}

impl Flows {
    /// Every figure of every period, withheld where the privacy rules say so.
    pub fn figures(&self, k: usize) -> Vec<Figure> {
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
        for ((period, asset), p) in &self.assets {
            let mut cell =
                |metric: &str, c: &Cell| push(period, asset, metric, Some(c.amount), c.withheld(k));
            cell("issued_charge", &p.issued_charge);
            cell("issued_bonus", &p.issued_bonus);
            cell("issued_grant", &p.issued_grant);
            cell("issued_contract", &p.issued_contract);
            let spent = p.spent_total();
            cell("spent", &spent);
            cell("p2p", &p.p2p);
            cell("refunds", &p.refunds);
            cell("redeemed", &p.redeemed);
            cell("breakage", &p.breakage);
            cell("merchant_respend", &p.merchant_spend);
            // Spending by class: one withheld class is not to be read off
            // `spent` less the others.
            let classes = [
                MerchantClass::SmallLocal,
                MerchantClass::Large,
                MerchantClass::Public,
            ];
            let parts: Vec<Cell> = classes
                .iter()
                .map(|c| p.spent.get(c).cloned().unwrap_or_default())
                .collect();
            let mut why: Vec<Option<&str>> = parts.iter().map(|c| c.withheld(k)).collect();
            let line: Vec<(u64, bool)> = parts
                .iter()
                .zip(&why)
                .map(|(c, w)| (c.amount, w.is_some()))
                .collect();
            if let Some(i) = complement(&line) {
                why[i] = Some(COMPLEMENT);
            }
            for ((class, c), w) in classes.iter().zip(&parts).zip(&why) {
                let metric = format!("spent_{}", class.as_str());
                push(period, asset, &metric, Some(c.amount), *w);
            }
            let w_spent = spent.withheld(k);
            push(
                period,
                asset,
                "redeem_fees",
                Some(p.redeem_fees),
                p.redeemed.withheld(k),
            );
            let few_holders = ((p.holders_end as usize) < k).then_some("fewer than k holders");
            push(period, asset, "float_end", Some(p.float_end), few_holders);
            push(
                period,
                asset,
                "holders_end",
                Some(p.holders_end),
                few_holders,
            );
            let avg_float = (p.float_start + p.float_end) / 2;
            push(
                period,
                asset,
                "velocity_permille",
                ratio_permille(spent.amount, avg_float),
                w_spent,
            );
            push(
                period,
                asset,
                "utilisation_permille",
                ratio_permille(spent.amount, p.issued()),
                w_spent,
            );
            let local = p
                .spent
                .get(&MerchantClass::SmallLocal)
                .map_or(0, |c| c.amount);
            push(
                period,
                asset,
                "local_share_permille",
                ratio_permille(local, spent.amount),
                // The share times `spent` is the small local shops' total.
                w_spent.or(why[0]),
            );
            push(
                period,
                asset,
                "merchant_respend_permille",
                ratio_permille(p.merchant_spend.amount, p.merchant_received.amount),
                p.merchant_spend
                    .withheld(k)
                    .or(p.merchant_received.withheld(k)),
            );
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
        self.extra.figures(self, k, &mut out);
        out
    }
}
