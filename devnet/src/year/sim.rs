//! What the town does on each day of the year, as operations with a time
//! and a signer. Decisions that spend value read the state the chain holds
//! at the start of the day (less what the day has already spent), so almost
//! every transaction succeeds, as a real wallet's would.
//!
//! The rates are calibrated to published figures (see docs/town-year.md):
//! about 17,000 yen charged a month per user and 58 % of it spent
//! (Higashimurayama Ain Pay's first quarter: ¥723M issued, ¥420M spent by
//! 14,244 users at 404 shops), person-to-person transfers about a tenth of
//! payments, and merchants redeeming on the 10th and the 25th.

use std::collections::BTreeMap;

use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha20Rng;
use yui_ledger::asset::{DAY_MS, MerchantClass};
use yui_ledger::crypto::sha256;
use yui_ledger::state::{Holding, keys, read};
use yui_ledger::{Address, Operation, StateRead};

use super::people::*;

/// Who signs an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Signer {
    City,
    Resident(u32),
    Merchant(u32),
    Coordinator(u8),
}

#[derive(Debug, Clone)]
pub struct Action {
    pub at_ms: u64,
    pub signer: Signer,
    pub op: Operation,
}

/// What becomes of a job when it is posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    TimesOut,
    Cancelled,
    Approved,
    Disputed,
    Unanswered,
}

#[derive(Debug, Clone)]
struct JobPlan {
    id: String,
    poster: u32,
    worker: u32,
    coordinator: u8,
    reward: u64,
    fate: Fate,
    /// The next step and the day it happens.
    step: u8,
    day: u32,
}

struct Refund {
    day: u32,
    merchant: u32,
    invoice: String,
    amount: u64,
}

pub struct Sim<'a> {
    pub people: &'a People,
    rng: ChaCha20Rng,
    start_ms: u64,
    start: jiff::civil::Date,
    next_id: u64,
    jobs: Vec<JobPlan>,
    refunds: Vec<Refund>,
    /// What each account has left today, by asset: read from the state
    /// when first needed, then lowered by the day's own spending.
    left: BTreeMap<(Address, &'static str), u64>,
    volunteers: Vec<u32>,
    /// Residents who bought their voucher sets.
    bought_vouchers: std::collections::BTreeSet<u32>,
}

/// Mean payment by merchant class, yen.
fn payment_amount(rng: &mut ChaCha20Rng, class: MerchantClass) -> u64 {
    let yen = match class {
        MerchantClass::SmallLocal => rng.random_range(3..=30) * 100,
        MerchantClass::Large => rng.random_range(10..=60) * 100,
        MerchantClass::Public => rng.random_range(2..=15) * 100,
    };
    yen as u64
}

/// The mean of the payments a resident makes (the class mix of
/// [`People::generate`]'s weights), used to pace spending.
const MEAN_PAYMENT: u64 = 2_400;
/// Spent ÷ charged, Ain Pay's first quarter (¥420M of ¥723M).
const SPEND_SHARE: f64 = 0.58;

impl<'a> Sim<'a> {
    pub fn new(
        people: &'a People,
        rng: ChaCha20Rng,
        start: jiff::civil::Date,
        start_ms: u64,
    ) -> Self {
        let volunteers = people
            .residents
            .iter()
            .enumerate()
            .filter(|(_, r)| r.volunteer)
            .map(|(i, _)| i as u32)
            .collect();
        Self {
            people,
            rng,
            start_ms,
            start,
            next_id: 0,
            jobs: Vec::new(),
            refunds: Vec::new(),
            left: BTreeMap::new(),
            volunteers,
            bought_vouchers: Default::default(),
        }
    }

    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-{:07}", self.next_id)
    }

    /// A time on day `d` between `from_h` and `to_h` o'clock (JST; the day
    /// starts at midnight in Tokyo).
    fn at(&mut self, d: u32, from_h: u64, to_h: u64) -> u64 {
        let ms = self.rng.random_range(from_h * 3_600_000..to_h * 3_600_000);
        self.start_ms + u64::from(d) * DAY_MS + ms
    }

    fn balance<S: StateRead>(&mut self, state: &S, who: Address, asset: &'static str) -> u64 {
        *self.left.entry((who, asset)).or_insert_with(|| {
            read::<Holding, S>(state, &keys::holding(&who, asset))
                .ok()
                .flatten()
                .map_or(0, |h| h.total())
        })
    }

    fn take(&mut self, who: Address, asset: &'static str, amount: u64) {
        if let Some(v) = self.left.get_mut(&(who, asset)) {
            *v = v.saturating_sub(amount);
        }
    }

    fn resident(&self, i: u32) -> Address {
        self.people.residents[i as usize].key.address()
    }

    fn merchant(&self, i: u32) -> Address {
        self.people.merchants[i as usize].key.address()
    }

    /// The operations of day `d`, in time order.
    pub fn day<S: StateRead>(&mut self, state: &S, d: u32) -> Vec<Action> {
        self.left.clear();
        let date = self.start + jiff::Span::new().days(i64::from(d));
        let mut out = Vec::new();
        self.residents_day(state, d, date, &mut out);
        self.jobs_day(state, d, &mut out);
        self.merchants_day(state, d, date, &mut out);
        out.sort_by_key(|a| (a.at_ms, a.signer));
        out
    }

    fn residents_day<S: StateRead>(
        &mut self,
        state: &S,
        d: u32,
        date: jiff::civil::Date,
        out: &mut Vec<Action>,
    ) {
        let people = self.people;
        let event = (date.day() == 14).then(|| format!("event-{}", date.strftime("%Y-%m")));
        let festival =
            (date.month() == 8 && date.day() == 15).then(|| format!("festival-{}", date.year()));
        for (i, r) in people.residents.iter().enumerate() {
            let i = i as u32;
            if r.joins > d {
                continue;
            }
            let me = r.key.address();
            if r.joins == d {
                let kind = if r.digital {
                    "digital_resident"
                } else {
                    "resident"
                };
                let at = self.at(d, 8, 9);
                out.push(Action {
                    at_ms: at,
                    signer: Signer::City,
                    op: Operation::IssueCredential {
                        credential_id: format!("cred-{i:05}"),
                        subject: me,
                        kind: kind.into(),
                        valid_from_ms: at,
                        valid_until_ms: self.start_ms + 5 * 365 * DAY_MS,
                        claims_digest: sha256(format!("claims/{i}").as_bytes()),
                    },
                });
            }
            // Charges: about twice a month, and on the day they join.
            if r.joins == d || self.rng.random_bool(2.0 / 30.0) {
                let amount = (r.monthly_charge / 2).max(1_000);
                let campaign = if d < 45 { LAUNCH_BONUS } else { CHARGE_BONUS };
                let deposit_ref = self.id("dep");
                out.push(Action {
                    at_ms: self.at(d, 9, 19),
                    signer: Signer::City,
                    op: Operation::Charge {
                        to: me,
                        asset: COIN.into(),
                        amount,
                        deposit_ref,
                        campaign: Some(campaign.into()),
                    },
                });
            }
            // The premium voucher sale: the first half of July.
            if r.voucher_sets > 0
                && (91..106).contains(&d)
                && !self.bought_vouchers.contains(&i)
                && (d == 105 || self.rng.random_bool(0.1))
            {
                self.bought_vouchers.insert(i);
                // Paid in yen at the city hall; the chain records the grant,
                // once per person for the sale.
                out.push(Action {
                    at_ms: self.at(d, 10, 16),
                    signer: Signer::City,
                    op: Operation::Grant {
                        to: me,
                        asset: VOUCHER.into(),
                        amount: r.voucher_sets * VOUCHER_SET_VALUE,
                        reason: "voucher_sale".into(),
                        event_id: Some(format!("voucher-sale-{}", date.year())),
                    },
                });
            }
            // Points: the monthly event, the summer festival, health on the 1st,
            // and volunteering (yui points).
            let mut grant = |sim: &mut Self, amount, reason: &str, event_id: Option<String>| {
                let asset = if reason == "volunteer" { YUI } else { POINT };
                out.push(Action {
                    at_ms: sim.at(d, 10, 18),
                    signer: Signer::City,
                    op: Operation::Grant {
                        to: me,
                        asset: asset.into(),
                        amount,
                        reason: reason.into(),
                        event_id,
                    },
                });
            };
            if let Some(e) = &event
                && self.rng.random_bool(0.15)
            {
                grant(self, 300, "event", Some(e.clone()));
            }
            if let Some(e) = &festival
                && self.rng.random_bool(0.4)
            {
                grant(self, 1_000, "event", Some(e.clone()));
            }
            if date.day() == 1 && self.rng.random_bool(0.2) {
                grant(self, 200, "health", None);
            }
            if r.volunteer && self.rng.random_bool(1.0 / 15.0) {
                let amount = self.rng.random_range(5..=20) * 100;
                grant(self, amount, "volunteer", None);
            }
            // Payments at merchants, paced to spend 58 % of what is charged.
            let per_day = SPEND_SHARE * r.monthly_charge as f64 / MEAN_PAYMENT as f64 / 30.0;
            let mut n = per_day.floor() as u32 + u32::from(self.rng.random_bool(per_day.fract()));
            let holds_vouchers = self.balance(state, me, VOUCHER) > 0;
            if holds_vouchers && self.rng.random_bool(0.12) {
                n += 1;
            }
            for _ in 0..n {
                self.pay(state, d, i, holds_vouchers, out);
            }
            // Gifts between neighbours: about a tenth of payments.
            if self.rng.random_bool((per_day * 0.11).min(1.0)) {
                let to = self.rng.random_range(0..people.residents.len() as u32);
                let amount = self.rng.random_range(1..=10) * 500;
                if to != i && people.residents[to as usize].joins <= d {
                    let asset = if r.volunteer && self.balance(state, me, YUI) >= amount {
                        YUI
                    } else {
                        COIN
                    };
                    if self.balance(state, me, asset) >= amount {
                        self.take(me, asset, amount);
                        out.push(Action {
                            at_ms: self.at(d, 8, 22),
                            signer: Signer::Resident(i),
                            op: Operation::Transfer {
                                to: self.resident(to),
                                asset: asset.into(),
                                amount,
                            },
                        });
                    }
                }
            }
        }
    }

    fn pick_merchant(&mut self, small_local: bool) -> u32 {
        let ms = &self.people.merchants;
        let pool: Vec<(u32, u32)> = ms
            .iter()
            .enumerate()
            .filter(|(_, m)| !small_local || m.class == MerchantClass::SmallLocal)
            .map(|(i, m)| (i as u32, m.weight))
            .collect();
        pool.choose_weighted(&mut self.rng, |(_, w)| *w)
            .map_or(0, |(i, _)| *i)
    }

    fn pay<S: StateRead>(
        &mut self,
        state: &S,
        d: u32,
        i: u32,
        vouchers: bool,
        out: &mut Vec<Action>,
    ) {
        let me = self.resident(i);
        let small_local = vouchers && self.rng.random_bool(0.5);
        let m = self.pick_merchant(small_local);
        let class = self.people.merchants[m as usize].class;
        let want = payment_amount(&mut self.rng, class);
        // What the policy order may draw here: vouchers only at small local shops.
        let mut sources = vec![POINT, COIN];
        if class == MerchantClass::SmallLocal {
            sources.insert(0, VOUCHER);
        }
        let mut remaining = want;
        let mut draws = Vec::new();
        for a in sources {
            let have = self.balance(state, me, a);
            let take = have.min(remaining);
            if take > 0 {
                draws.push((a, take));
                remaining -= take;
            }
        }
        if remaining > 0 {
            return;
        }
        for (a, take) in draws {
            self.take(me, a, take);
        }
        let invoice = self.id("inv");
        if self.rng.random_bool(0.01) {
            self.refunds.push(Refund {
                day: d + self.rng.random_range(0..=3),
                merchant: m,
                invoice: invoice.clone(),
                amount: want,
            });
        }
        out.push(Action {
            at_ms: self.at(d, 9, 21),
            signer: Signer::Resident(i),
            op: Operation::Pay {
                merchant: self.merchant(m),
                invoice_id: invoice,
                amount: want,
                assets: vec![],
            },
        });
    }

    fn merchants_day<S: StateRead>(
        &mut self,
        state: &S,
        d: u32,
        date: jiff::civil::Date,
        out: &mut Vec<Action>,
    ) {
        let due: Vec<Refund> = {
            let (now, later) = std::mem::take(&mut self.refunds)
                .into_iter()
                .partition(|r| r.day <= d);
            self.refunds = later;
            now
        };
        for r in due {
            out.push(Action {
                at_ms: self.at(d, 21, 22),
                signer: Signer::Merchant(r.merchant),
                op: Operation::Refund {
                    invoice_id: r.invoice,
                    amount: r.amount,
                },
            });
        }
        let redemption_day = date.day() == 10 || date.day() == 25;
        let monday = date.weekday() == jiff::civil::Weekday::Monday;
        for m in 0..self.people.merchants.len() as u32 {
            let me = self.merchant(m);
            // Re-spend: on Mondays a shop pays a supplier in the network.
            if monday {
                let coin = self.balance(state, me, COIN);
                let supplier = self.pick_merchant(false);
                if coin >= 5_000 && supplier != m {
                    let amount = coin * self.rng.random_range(10..=30) / 100;
                    self.take(me, COIN, amount);
                    let invoice = self.id("supply");
                    out.push(Action {
                        at_ms: self.at(d, 7, 8),
                        signer: Signer::Merchant(m),
                        op: Operation::Pay {
                            merchant: self.merchant(supplier),
                            invoice_id: invoice,
                            amount,
                            assets: vec![COIN.into()],
                        },
                    });
                }
            }
            // Redemption cycles: the 10th and the 25th, after the shop closes.
            if redemption_day {
                for (asset, keep) in [(COIN, 20), (POINT, 0), (VOUCHER, 0)] {
                    let held = self.balance(state, me, asset);
                    let amount = held * (100 - keep) / 100;
                    if amount >= 1_000 {
                        self.take(me, asset, amount);
                        let payout_ref =
                            format!("payout-{m:03}-{}-{asset}", date.strftime("%Y%m%d"));
                        out.push(Action {
                            at_ms: self.at(d, 22, 23),
                            signer: Signer::Merchant(m),
                            op: Operation::Redeem {
                                asset: asset.into(),
                                amount,
                                payout_ref,
                            },
                        });
                    }
                }
            }
        }
    }

    /// Microwork: volunteers post small jobs paid in yui points; most are
    /// taken, done and approved, some are disputed and ruled on by a
    /// coordinator, some time out.
    fn jobs_day<S: StateRead>(&mut self, state: &S, d: u32, out: &mut Vec<Action>) {
        let posters: Vec<u32> = self
            .volunteers
            .iter()
            .copied()
            .filter(|&v| self.people.residents[v as usize].joins <= d)
            .collect();
        for &p in &posters {
            if !self.rng.random_bool(1.0 / 40.0) || posters.len() < 2 {
                continue;
            }
            let me = self.resident(p);
            let reward = self.rng.random_range(5..=30) * 100;
            if self.balance(state, me, YUI) < reward {
                continue;
            }
            self.take(me, YUI, reward);
            let worker = loop {
                let w = *posters.choose(&mut self.rng).unwrap_or(&p);
                if w != p {
                    break w;
                }
            };
            let fate = match self.rng.random_range(0..100) {
                0..10 => Fate::TimesOut,
                10..14 => Fate::Cancelled,
                14..84 => Fate::Approved,
                84..92 => Fate::Disputed,
                _ => Fate::Unanswered,
            };
            let id = self.id("job");
            let coordinator = self
                .rng
                .random_range(0..self.people.coordinators.len() as u8);
            let at = self.at(d, 8, 12);
            out.push(Action {
                at_ms: at,
                signer: Signer::Resident(p),
                op: Operation::PostJob {
                    job_id: id.clone(),
                    asset: YUI.into(),
                    reward,
                    coordinator: self.people.coordinators[coordinator as usize].address(),
                    accept_deadline_ms: at + 3 * DAY_MS,
                    required_credential: None,
                    description_hash: sha256(id.as_bytes()),
                },
            });
            let day = d + self.rng.random_range(1..=2);
            self.jobs.push(JobPlan {
                id,
                poster: p,
                worker,
                coordinator,
                reward,
                fate,
                step: 0,
                day,
            });
        }
        let mut keep = Vec::new();
        for mut j in std::mem::take(&mut self.jobs) {
            if j.day != d {
                keep.push(j);
                continue;
            }
            let at = self.at(d, 13, 20);
            let (signer, op, next) = match (j.fate, j.step) {
                (Fate::TimesOut, _) => continue,
                (Fate::Cancelled, _) => (
                    Signer::Resident(j.poster),
                    Operation::CancelJob {
                        job_id: j.id.clone(),
                    },
                    None,
                ),
                (_, 0) => (
                    Signer::Resident(j.worker),
                    Operation::AcceptJob {
                        job_id: j.id.clone(),
                    },
                    Some(self.rng.random_range(1..=3)),
                ),
                (_, 1) => (
                    Signer::Resident(j.worker),
                    Operation::SubmitJob {
                        job_id: j.id.clone(),
                        proof_hash: sha256(format!("proof/{}", j.id).as_bytes()),
                    },
                    (j.fate != Fate::Unanswered).then_some(1),
                ),
                (Fate::Approved, _) => (
                    Signer::Resident(j.poster),
                    Operation::ApproveJob {
                        job_id: j.id.clone(),
                        rating: Some(self.rng.random_range(3..=5)),
                    },
                    None,
                ),
                (Fate::Disputed, 2) => (
                    Signer::Resident(j.poster),
                    Operation::DisputeJob {
                        job_id: j.id.clone(),
                        reason_hash: sha256(format!("dispute/{}", j.id).as_bytes()),
                    },
                    Some(self.rng.random_range(1..=2)),
                ),
                (Fate::Disputed, _) => (
                    Signer::Coordinator(j.coordinator),
                    Operation::ResolveJob {
                        job_id: j.id.clone(),
                        to_worker: j.reward / 2,
                    },
                    None,
                ),
                (Fate::Unanswered, _) => continue,
            };
            out.push(Action {
                at_ms: at,
                signer,
                op,
            });
            if let Some(after) = next {
                j.step += 1;
                j.day = d + after;
                keep.push(j);
            }
        }
        self.jobs = keep;
    }
}
