//! What a bonus campaign cost for the spending that followed it: the points
//! a campaign granted ÷ the coins its recipients spent at merchants from
//! their first bonus of the campaign until [`WINDOW_DAYS`] days after their
//! last. Coins are the assets bought with yen. Spending by recipients in
//! the window is counted whole, whether or not the bonus caused it: the
//! figure is the campaign's cost per yen of its recipients' spending, not
//! of extra spending.

use std::collections::BTreeMap;

use yui_ledger::asset::AssetKind;
use yui_ledger::receipt::MintSource;
use yui_ledger::{Address, Event};

use super::flows::{Cell, Figure, Flows, ratio_permille};
use super::identities::Sheet;

/// Spending up to this many days after a recipient's last bonus follows it.
pub const WINDOW_DAYS: u64 = 30;
const DAY_MS: u64 = 86_400_000;

#[derive(Debug, Default, Clone)]
pub(crate) struct Campaign {
    /// Bonus points granted, to whom.
    pub granted: Cell,
    /// Coins the recipients spent at merchants in their windows.
    pub spent: Cell,
    /// Each recipient's first and last bonus (ms).
    recipients: BTreeMap<Address, (u64, u64)>,
}

#[derive(Debug, Default)]
pub(crate) struct Campaigns {
    pub by_id: BTreeMap<String, Campaign>,
}

impl Campaigns {
    pub fn event(&mut self, f: &Flows, time_ms: u64, e: &Event) {
        match e {
            Event::Minted {
                to,
                amount,
                source: MintSource::Bonus { campaign },
                ..
            } => {
                let c = self.by_id.entry(campaign.clone()).or_default();
                c.granted.add(*amount, *to);
                let w = c.recipients.entry(*to).or_insert((time_ms, time_ms));
                w.1 = time_ms;
            }
            Event::Paid { payer, parts, .. } => {
                let coins: u64 = parts
                    .iter()
                    .filter(|(a, _)| f.kinds.get(a) == Some(&AssetKind::Coin))
                    .map(|(_, n)| *n)
                    .fold(0, u64::saturating_add);
                if coins == 0 {
                    return;
                }
                for c in self.by_id.values_mut() {
                    if let Some((first, last)) = c.recipients.get(payer)
                        && *first <= time_ms
                        && time_ms <= last.saturating_add(WINDOW_DAYS * DAY_MS)
                    {
                        c.spent.add(coins, *payer);
                    }
                }
            }
            _ => {}
        }
    }

    /// Per campaign (subject `campaign:<id>`, period `all`): `bonus_granted`,
    /// `spent_after` and `campaign_cost_permille`. The grants are withheld
    /// with the other figures (`sheet`: together they are every period's
    /// `issued_bonus`).
    pub fn figures(&self, k: usize, sheet: &Sheet, out: &mut Vec<Figure>) {
        for ((id, c), e) in self.by_id.iter().zip(sheet.campaigns.clone()) {
            let subject = format!("campaign:{id}");
            let w_granted = sheet.withheld[e];
            let w_spent = c.spent.withheld(k);
            for (metric, v, w) in [
                ("bonus_granted", Some(c.granted.amount), w_granted),
                ("spent_after", Some(c.spent.amount), w_spent),
                (
                    "campaign_cost_permille",
                    ratio_permille(c.granted.amount, c.spent.amount),
                    w_granted.or(w_spent),
                ),
            ] {
                out.push(Figure {
                    period: "all".into(),
                    subject: subject.clone(),
                    metric: metric.into(),
                    value: if w.is_some() { None } else { v },
                    withheld: w.map(String::from),
                });
            }
        }
    }
}
