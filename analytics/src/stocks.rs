//! What is held at a point in time: how holdings are spread among holders
//! at each period's end (the Gini coefficient), and the Payment Services
//! Act's base dates (資金決済法, the half-deposit test: 基準日 31 March and
//! 30 September).
//!
//! Prepaid payment instruments (前払式支払手段) are the assets bought with
//! yen: coins and premium vouchers. On each base date an issuer whose
//! unused balance (基準日未使用残高) exceeds ¥10,000,000 must deposit at
//! least half of it (発行保証金, Article 14). The unused balance is the
//! face value held at the base date's end by residents, merchants and
//! institutions other than the asset's issuer and operator, plus the
//! escrow of open jobs; one unit is one yen.

use std::collections::{BTreeMap, BTreeSet};

use yui_ledger::Address;
use yui_ledger::asset::AssetKind;

use super::extra::Group;
use super::flows::{COMPLEMENT, Figure, Flows, complement};

/// The unused balance above which half must be deposited, in yen.
pub const PSA_THRESHOLD_YEN: u64 = 10_000_000;

/// What a base date found for one asset: the unused balance and its holders.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct BaseDate {
    pub unused: u64,
    pub holders: BTreeSet<Address>,
}

#[derive(Debug, Default)]
pub(crate) struct Stocks {
    /// Per (period, asset): the Gini coefficient in thousandths over the
    /// residents and merchants holding some at the period's end, and their number.
    pub gini: BTreeMap<(String, String), (u64, usize)>,
    /// Per base date ("2026-03-31") and prepaid asset.
    pub base_dates: BTreeMap<(String, String), BaseDate>,
    /// The end of the next base date after the last block seen (ms), and its label.
    next_base: Option<(u64, String)>,
    /// Open jobs' escrow per asset.
    pub escrow: BTreeMap<String, i128>,
}

/// The Gini coefficient of `values` (each > 0), in thousandths:
/// Σᵢ Σⱼ |xᵢ − xⱼ| ÷ (2 n² mean), from the values sorted ascending as
/// (2 Σᵢ i·xᵢ) ÷ (n Σ x) − (n + 1) ÷ n, i from 1.
pub fn gini_permille(values: &mut [u128]) -> Option<u64> {
    values.sort_unstable();
    let n = values.len() as u128;
    let total: u128 = values.iter().sum();
    if n == 0 || total == 0 {
        return None;
    }
    let weighted: u128 = values
        .iter()
        .enumerate()
        .map(|(i, x)| (i as u128 + 1) * x)
        .sum();
    // 1000 × (2 Σ i·x − (n + 1) Σ x) ÷ (n Σ x), rounded.
    let num = (2 * weighted).saturating_sub((n + 1) * total) * 1000;
    let den = n * total;
    Some(((num + den / 2) / den) as u64)
}

/// The end (the next day's start, ms) of the first base date, 31 March
/// or 30 September in `tz`, ending after `time_ms`; and its label.
fn next_base_date(time_ms: u64, tz: &jiff::tz::TimeZone) -> Option<(u64, String)> {
    let ts = jiff::Timestamp::from_millisecond(time_ms as i64).ok()?;
    let year = ts.to_zoned(tz.clone()).year();
    for y in [year, year + 1] {
        for (m, d) in [(3, 31), (9, 30)] {
            let day = jiff::civil::Date::new(y, m, d).ok()?;
            let end = day.tomorrow().ok()?.to_zoned(tz.clone()).ok()?;
            let end_ms = end.timestamp().as_millisecond();
            if end_ms > time_ms as i64 {
                return Some((end_ms.max(0) as u64, day.to_string()));
            }
        }
    }
    None
}

impl Stocks {
    /// The period `label` ended: how each asset's holdings are spread.
    pub fn close_period(&mut self, f: &Flows, label: &str) {
        let mut per_asset: BTreeMap<&str, Vec<u128>> = BTreeMap::new();
        for (asset, balances) in &f.balances {
            for (who, b) in balances {
                if *b > 0 && f.group(who).is_private() {
                    per_asset.entry(asset).or_default().push(*b as u128);
                }
            }
        }
        for (asset, mut values) in per_asset {
            let n = values.len();
            if let Some(g) = gini_permille(&mut values) {
                self.gini
                    .insert((label.to_string(), asset.to_string()), (g, n));
            }
        }
    }

    /// A block at `time_ms` begins: every base date that ended since the
    /// last block records the unused balance as the last block left it.
    pub fn block_start(&mut self, f: &Flows, first: bool, time_ms: u64) {
        if first {
            self.next_base = next_base_date(time_ms, f.tz());
            return;
        }
        while let Some((end, label)) = self.next_base.clone()
            && end <= time_ms
        {
            self.record_base_date(f, &label);
            self.next_base = next_base_date(end, f.tz());
        }
    }

    fn record_base_date(&mut self, f: &Flows, label: &str) {
        for (asset, kind) in &f.kinds {
            if !matches!(kind, AssetKind::Coin | AssetKind::Voucher) {
                continue;
            }
            let mut d = BaseDate::default();
            let mut unused: i128 = self.escrow.get(asset).copied().unwrap_or(0).max(0);
            let held = f.balances.get(asset).into_iter().flatten();
            for (who, b) in held {
                let g = f.group(who);
                if *b > 0 && !matches!(g, Group::Issuer | Group::Operator | Group::Breakage) {
                    unused = unused.saturating_add(*b);
                    d.holders.insert(*who);
                }
            }
            d.unused = u64::try_from(unused).unwrap_or(u64::MAX);
            self.base_dates
                .insert((label.to_string(), asset.clone()), d);
        }
    }

    /// Value into (`+`) or out of (`−`) a job's escrow.
    pub fn escrowed(&mut self, asset: &str, delta: i128) {
        let e = self.escrow.entry(asset.to_string()).or_default();
        *e = e.saturating_add(delta);
    }

    /// `holdings_gini_permille` per period and asset (withheld below k
    /// holders), and the half-deposit test per base date: `psa_unused` per
    /// prepaid asset and, over all of them (subject `prepaid`),
    /// `psa_unused`, `psa_over_threshold` (1 or 0) and `psa_deposit_required`.
    pub fn figures(&self, f: &Flows, last: Option<&str>, k: usize, out: &mut Vec<Figure>) {
        let mut gini = self.gini.clone();
        if let Some(label) = last {
            let mut s = Stocks::default();
            s.close_period(f, label);
            gini.extend(s.gini);
        }
        let mut push = |period: &str, subject: &str, metric: &str, v: u64, w: Option<&str>| {
            out.push(Figure {
                period: period.into(),
                subject: subject.into(),
                metric: metric.into(),
                value: w.is_none().then_some(v),
                withheld: w.map(String::from),
            })
        };
        let few = |n: usize| (n < k).then_some("fewer than k holders");
        for ((period, asset), (g, n)) in &gini {
            push(period, asset, "holdings_gini_permille", *g, few(*n));
        }
        let mut totals: BTreeMap<&str, BaseDate> = BTreeMap::new();
        let mut lines: BTreeMap<&str, Vec<(&str, &BaseDate)>> = BTreeMap::new();
        for ((date, asset), d) in &self.base_dates {
            lines.entry(date).or_default().push((asset, d));
            let t = totals.entry(date).or_default();
            t.unused = t.unused.saturating_add(d.unused);
            t.holders.extend(d.holders.iter().copied());
        }
        // One asset withheld is not to be read off the total less the others.
        for (date, line) in &lines {
            let parts: Vec<(u64, bool)> = line
                .iter()
                .map(|(_, d)| (d.unused, d.holders.len() < k))
                .collect();
            let also = complement(&parts);
            for (i, (asset, d)) in line.iter().enumerate() {
                let w = few(d.holders.len()).or((also == Some(i)).then_some(COMPLEMENT));
                push(date, asset, "psa_unused", d.unused, w);
            }
        }
        for (date, t) in totals {
            let few = few(t.holders.len());
            let over = t.unused > PSA_THRESHOLD_YEN;
            push(date, "prepaid", "psa_unused", t.unused, few);
            push(date, "prepaid", "psa_over_threshold", u64::from(over), few);
            let deposit = if over { t.unused.div_ceil(2) } else { 0 };
            push(date, "prepaid", "psa_deposit_required", deposit, few);
        }
    }
}
