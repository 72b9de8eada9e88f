//! How long value stays in a holding. By Little's law the mean time a unit
//! spends in holdings is the value held on average ÷ the rate at which
//! value leaves holdings; over a period that is ∫ float dt ÷ the value that
//! left holdings in it. Transfer velocity is its inverse, per day.
//!
//! The float is what accounts hold (not the breakage account, not the
//! escrow of open jobs); value leaves a holding when it is paid, sent,
//! refunded, redeemed, burned, expires or is escrowed for a job.

use std::collections::BTreeMap;

use yui_ledger::Address;

use super::flows::{Cell, Figure, Flows, Period, named2};
use super::identities::{Sheet, ratio_withheld};

const HOUR_MS: u128 = 3_600_000;
const DAY_MS: u128 = 24 * HOUR_MS;

/// The time integral of the float and what left holdings, per period and asset.
#[derive(Debug, Default)]
pub(crate) struct Holding {
    /// The last block's time and period.
    last: Option<(u64, String)>,
    /// ∫ float dt, in units × milliseconds, per (period, asset).
    pub integral: BTreeMap<(String, String), u128>,
    /// Value that left holdings, with the accounts it left, per (period, asset).
    pub outflow: BTreeMap<(String, String), Cell>,
}

/// The start and end of the period `time_ms` falls in, in ms since the
/// epoch (the end is the next period's start).
pub fn period_bounds(period: Period, time_ms: u64, tz: &jiff::tz::TimeZone) -> (u64, u64) {
    let ts = jiff::Timestamp::from_millisecond(time_ms as i64).unwrap_or_default();
    let date = ts.to_zoned(tz.clone()).date();
    let (first, length) = match period {
        Period::Day => (date, jiff::Span::new().days(1)),
        Period::Week => {
            let back = i64::from(date.weekday().to_monday_zero_offset());
            let monday = date
                .checked_sub(jiff::Span::new().days(back))
                .unwrap_or(date);
            (monday, jiff::Span::new().weeks(1))
        }
        Period::Month => (date.first_of_month(), jiff::Span::new().months(1)),
    };
    let ms = |d: jiff::civil::Date| {
        d.to_zoned(tz.clone())
            .map(|z| z.timestamp().as_millisecond().max(0) as u64)
            .ok()
    };
    let start = ms(first).unwrap_or(time_ms).min(time_ms);
    let end = first
        .checked_add(length)
        .ok()
        .and_then(ms)
        .unwrap_or(time_ms)
        .max(time_ms);
    (start, end)
}

impl Holding {
    /// Counts the float from the last block to a block at `time_ms` in
    /// period `label`: up to its period's end for the last block's period,
    /// from its period's start for the block's; periods in between saw no
    /// block and have no figures.
    pub fn advance(&mut self, f: &Flows, label: &str, time_ms: u64) {
        if let Some((last, last_label)) = &self.last
            && time_ms > *last
        {
            let (before, after) = if last_label == label {
                (0, time_ms - last)
            } else {
                let (_, last_end) = period_bounds(f.period(), *last, f.tz());
                let (start, _) = period_bounds(f.period(), time_ms, f.tz());
                (last_end.min(time_ms) - last, time_ms - start.max(*last))
            };
            for (asset, (float, _)) in &f.float {
                let v = u128::from(*float);
                for (p, span) in [(last_label.as_str(), before), (label, after)] {
                    if span > 0 && v > 0 {
                        let i = self
                            .integral
                            .entry((p.to_string(), asset.clone()))
                            .or_default();
                        *i = i.saturating_add(v * u128::from(span));
                    }
                }
            }
        }
        if self.last.as_ref().is_none_or(|(t, _)| time_ms >= *t) {
            self.last = Some((time_ms, label.to_string()));
        }
    }

    pub fn left(&mut self, label: &str, asset: &str, from: Address, amount: u64) {
        named2(&mut self.outflow, label, asset, Default::default).add(amount, from);
    }

    /// `holding_hours_mean` and `transfer_velocity_permille` per period and
    /// asset, withheld with the value that left holdings and with the float
    /// (`sheet`: withheld by its holders or as a complement).
    pub fn figures(&self, f: &Flows, k: usize, sheet: &Sheet, out: &mut Vec<Figure>) {
        for (g, (period, asset)) in f.assets.keys().enumerate() {
            let key = (period.clone(), asset.clone());
            let integral = self.integral.get(&key).copied().unwrap_or(0);
            let left = self.outflow.get(&key).cloned().unwrap_or_default();
            let float = sheet.find(g, "float_end").and_then(|e| sheet.withheld[e]);
            let w = ratio_withheld([left.withheld(k), float]);
            let n = u128::from(left.amount);
            // Rounded; an integral near u128's end (never on a real chain)
            // saturates rather than wraps.
            let hours = (n > 0).then(|| integral.saturating_add(n * HOUR_MS / 2) / (n * HOUR_MS));
            let velocity =
                (integral > 0).then(|| (n * DAY_MS * 1000).saturating_add(integral / 2) / integral);
            for (metric, v) in [
                ("holding_hours_mean", hours),
                ("transfer_velocity_permille", velocity),
            ] {
                out.push(Figure {
                    period: period.clone(),
                    subject: asset.clone(),
                    metric: metric.into(),
                    value: if w.is_some() {
                        None
                    } else {
                        v.map(|v| u64::try_from(v).unwrap_or(u64::MAX))
                    },
                    withheld: w.map(String::from),
                });
            }
        }
    }
}
