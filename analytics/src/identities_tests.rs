//! The identities among the figures: a grant to a few residents, and a
//! larger chain checked for every k from 1 to 12 — no identity left with
//! one withheld term, no ratio published on a withheld figure, and every
//! identity true on the figures' values.

use std::collections::BTreeMap;

use yui_ledger::receipt::MintSource;
use yui_ledger::{Event, MerchantClass};

use super::Key;
use crate::extra::Group;
use crate::figures::COMPLEMENT;
use crate::flows::{Figure, Flows, Period};
use crate::test_town::{a, mint};

const CITY: u8 = 200;
const OPERATOR: u8 = 201;
const BREAKAGE: u8 = 202;
const COORDINATOR: u8 = 203;
/// Residents are 1 ..= 40; merchants 101 ..= 100 + MERCHANTS.
const MERCHANTS: u8 = 12;
/// 2025-01-10, 12:00 UTC, and a month of 31 days.
const JAN: u64 = 1_736_510_400_000;
const DAY: u64 = 86_400_000;
const FEW: Option<&str> = Some("fewer than k accounts");

fn merchant(i: u8) -> u8 {
    101 + i % MERCHANTS
}

fn class(i: u8) -> MerchantClass {
    match i % 3 {
        0 => MerchantClass::SmallLocal,
        1 => MerchantClass::Large,
        _ => MerchantClass::Public,
    }
}

fn flows() -> Flows {
    let classes = (0..MERCHANTS).map(|i| (a(merchant(i)), class(i)));
    let mut f = Flows::new(
        Period::Month,
        jiff::tz::TimeZone::UTC,
        classes.collect(),
        [a(BREAKAGE)].into_iter().collect(),
    );
    f.set_institution(a(CITY), Group::Issuer);
    f.set_institution(a(OPERATOR), Group::Operator);
    f.set_institution(a(COORDINATOR), Group::Coordinator);
    f
}

fn grant(asset: &str, to: u8, amount: u64) -> Event {
    let reason = "festival".into();
    mint(asset, to, amount, MintSource::Grant { reason })
}

fn paid(payer: u8, merchant: u8, asset: &str, n: u64) -> Event {
    Event::Paid {
        merchant: a(merchant),
        payer: a(payer),
        invoice_id: "i".into(),
        parts: vec![(asset.into(), n)],
    }
}

fn redeemed(merchant: u8, asset: &str, amount: u64, fee: u64) -> Event {
    Event::Redeemed {
        merchant: a(merchant),
        asset: asset.into(),
        amount,
        fee,
        fee_account: a(OPERATOR),
        payout_ref: "p".into(),
    }
}

/// Every published figure and flow cell, by key: its value, or None when withheld.
fn published(f: &Flows, k: usize) -> BTreeMap<Key, Option<u64>> {
    let cells = f.flow_matrix(k).iter().map(|c| c.as_figure()).collect();
    [f.figures(k), cells]
        .concat()
        .into_iter()
        .map(|x: Figure| ((x.period, x.subject, x.metric), x.value))
        .collect()
}

fn key(period: &str, asset: &str, metric: &str) -> Key {
    (period.into(), asset.into(), metric.into())
}

/// The operands of each ratio of one period and asset (the float of the
/// asset's last period for velocity: `prev`).
fn operands(metric: &str, prev: Option<&str>) -> Vec<(bool, &'static str)> {
    let now = |m: &'static str| (false, m);
    match metric {
        "velocity_permille" => {
            let mut v = vec![now("spent"), now("float_end")];
            v.extend(prev.map(|_| (true, "float_end")));
            v
        }
        "utilisation_permille" => vec![
            now("spent"),
            now("issued_charge"),
            now("issued_bonus"),
            now("issued_grant"),
            now("issued_contract"),
        ],
        "local_share_permille" => vec![now("spent"), now("spent_small_local")],
        "merchant_respend_permille" => vec![now("merchant_respend")],
        // ∫ float dt: not a published figure, but of the float.
        "holding_hours_mean" | "transfer_velocity_permille" => vec![now("float_end")],
        _ => vec![],
    }
}

/// The privacy checks on one chain at one k: no identity has exactly one
/// withheld term that is not zero, in what is published; no ratio is
/// published while a figure it is made of is withheld; nothing withheld
/// carries a value. Returns how many figures were withheld as complements.
pub(crate) fn check(f: &Flows, k: usize) -> usize {
    let shown = published(f, k);
    let sheet = f.sheet(k);
    for id in &sheet.identities {
        let open: Vec<&Key> = id
            .terms
            .iter()
            .filter(|(i, _)| {
                let v = shown.get(&sheet.keys[*i]);
                assert!(
                    v.is_some(),
                    "k = {k}: {:?} is not published",
                    sheet.keys[*i]
                );
                v == Some(&None) && sheet.values[*i] > 0
            })
            .map(|(i, _)| &sheet.keys[*i])
            .collect();
        // One withheld term and no other published one that is not zero:
        // the identity says the withheld one is what it holds unpublished.
        let known = id
            .terms
            .iter()
            .any(|(i, _)| sheet.values[*i] > 0 && shown.get(&sheet.keys[*i]) != Some(&None));
        assert!(
            open.len() != 1 || !known,
            "k = {k}: {} identity solves {open:?}",
            id.what
        );
    }
    // The float identities written out here, independently of the sheet's.
    for terms in float_identities(&sheet.keys) {
        let value = |k: &Key| {
            sheet
                .keys
                .iter()
                .position(|x| x == k)
                .map(|i| sheet.values[i])
        };
        let open = terms
            .iter()
            .filter(|(k, _)| shown[k].is_none() && value(k) > Some(0))
            .count();
        let known = terms
            .iter()
            .any(|(k, _)| shown[k].is_some() && value(k) > Some(0));
        assert!(open != 1 || !known, "k = {k}: float {terms:?}");
    }
    // Ratios: per asset, periods in order.
    let mut last: BTreeMap<&str, &str> = BTreeMap::new();
    for (period, asset, metric) in shown.keys() {
        if metric != "float_end" {
            continue;
        }
        let prev = last.get(asset.as_str()).copied();
        for ratio in [
            "velocity_permille",
            "utilisation_permille",
            "local_share_permille",
            "merchant_respend_permille",
            "holding_hours_mean",
            "transfer_velocity_permille",
        ] {
            if shown[&key(period, asset, ratio)].is_none() {
                continue;
            }
            for (before, m) in operands(ratio, prev) {
                let p = if before {
                    prev.unwrap_or(period)
                } else {
                    period
                };
                assert!(
                    shown[&key(p, asset, m)].is_some(),
                    "k = {k}: {period} {asset} {ratio} published on a withheld {p} {m}"
                );
            }
        }
        last.insert(asset, period);
    }
    for ((period, subject, metric), v) in &shown {
        if metric == "campaign_cost_permille" && v.is_some() {
            for m in ["bonus_granted", "spent_after"] {
                assert!(shown[&key(period, subject, m)].is_some(), "k = {k}: {m}");
            }
        }
    }
    let figs = f.figures(k);
    assert!(
        figs.iter()
            .all(|x| x.withheld.is_none() || x.value.is_none())
    );
    assert_eq!(f.report(k), (figs.clone(), f.flow_matrix(k)));
    figs.iter()
        .filter(|x| x.withheld.as_deref() == Some(COMPLEMENT))
        .count()
}

/// The float identity of each period and asset, written out here from the
/// figures' names alone (not the sheet's list): the last float + issued −
/// redeemed + fees − burned − breakage − into escrow + out of escrow − the
/// float.
fn float_identities(keys: &[Key]) -> Vec<Vec<(Key, i128)>> {
    let mut out = Vec::new();
    let mut last: BTreeMap<&str, &str> = BTreeMap::new();
    let mut periods: Vec<(&str, &str)> = keys
        .iter()
        .filter(|(_, _, m)| m == "float_end")
        .map(|(p, a, _)| (p.as_str(), a.as_str()))
        .collect();
    periods.sort();
    for (period, asset) in periods {
        let mut t: Vec<(Key, i128)> = last
            .get(asset)
            .map(|p| (key(p, asset, "float_end"), 1))
            .into_iter()
            .collect();
        for (m, sign) in [
            ("issued_charge", 1),
            ("issued_bonus", 1),
            ("issued_grant", 1),
            ("issued_contract", 1),
            ("redeemed", -1),
            ("redeem_fees", 1),
            ("burned", -1),
            ("breakage", -1),
            ("float_end", -1),
        ] {
            t.push((key(period, asset, m), sign));
        }
        for k in keys {
            if k.0 == period && k.1 == asset {
                if k.2.starts_with("flow:") && k.2.ends_with(">escrow") {
                    t.push((k.clone(), -1));
                } else if k.2.starts_with("flow:escrow>") {
                    t.push((k.clone(), 1));
                }
            }
        }
        out.push(t);
        last.insert(asset, period);
    }
    out
}

/// Each identity holds on the figures' values: Σ sign × value = 0 (on
/// chains where nothing unpublished enters them: no transfers into a
/// breakage account or from an issuer, no transfers from residents to
/// merchants). Returns how many float identities were checked.
fn identities_hold(f: &Flows) -> usize {
    let sheet = f.sheet(1);
    let mut floats = 0;
    for id in &sheet.identities {
        if id.what == "matrix line" {
            continue; // its total is published elsewhere, not a term
        }
        let sum: i128 = id
            .terms
            .iter()
            .map(|(i, s)| i128::from(*s) * i128::from(sheet.values[*i]))
            .sum();
        let terms: Vec<_> = id.terms.iter().map(|(i, _)| &sheet.keys[*i]).collect();
        assert_eq!(sum, 0, "{} identity: {terms:?}", id.what);
    }
    let value: BTreeMap<&Key, u64> = sheet
        .keys
        .iter()
        .zip(sheet.values.iter().copied())
        .collect();
    for terms in float_identities(&sheet.keys) {
        let sum: i128 = terms
            .iter()
            .map(|(k, s)| s * i128::from(value.get(k).copied().unwrap_or(0)))
            .sum();
        assert_eq!(sum, 0, "float: {terms:?}");
        assert!(terms.iter().all(|(k, _)| value.contains_key(k)));
        floats += 1;
    }
    assert_eq!(
        floats,
        sheet
            .identities
            .iter()
            .filter(|id| id.what == "float")
            .count()
    );
    floats
}

/// Six residents charge and spend at the twelve shops every month; in February
/// two of them also get a grant, in March the grant is the month's only
/// issue.
fn grant_chain() -> Flows {
    let mut f = flows();
    for (m, extra) in [(0, vec![]), (1, vec![1, 2]), (2, vec![3, 4])] {
        let t = JAN + m * 31 * DAY;
        let mut events = vec![];
        for r in 1..=6u8 {
            if m < 2 {
                events.push(mint("coin", r, 1_000, MintSource::Charge));
            }
            for s in 0..MERCHANTS {
                events.push(paid(r, merchant(s), "coin", 20));
            }
        }
        for r in extra {
            events.push(grant("coin", r, 500));
        }
        if m < 2 {
            for s in [0, 3, 6] {
                let s = merchant(s);
                events.push(redeemed(s, "coin", 50, 1));
            }
        }
        f.observe(t, &events);
    }
    f
}

#[test]
fn a_grant_to_a_few_residents_is_not_the_float_less_the_other_figures() {
    let f = grant_chain();
    assert_eq!(identities_hold(&f), 3);
    let k = 3;
    let figs = f.figures(k);
    let get = |p: &str, m: &str| {
        let x = figs
            .iter()
            .find(|x| x.period == p && x.subject == "coin" && x.metric == m);
        assert!(x.is_some(), "no figure {p} {m}");
        x.map_or((None, None), |x| (x.value, x.withheld.as_deref()))
    };
    let (feb, mar) = ("2025-02", "2025-03");
    // Everything but the grant describes six residents and several shops.
    assert_eq!(get(feb, "spent"), (Some(6 * 12 * 20), None));
    assert_eq!(get(feb, "redeemed"), (Some(150), None));
    // (a) The grant: two residents.
    assert_eq!(get(feb, "issued_grant"), (None, FEW));
    assert_eq!(get(mar, "issued_grant"), (None, FEW));
    // (b) Another term of February's float identity is withheld with it:
    // of its flows, the smallest at least as large as the grant (1,000),
    // the charges (6,000). Not the redemption fees (3): the float's change
    // less the other flows would be the grant and the fees, so the grant
    // to within ¥3.
    assert_eq!(get(feb, "issued_charge"), (None, Some(COMPLEMENT)));
    assert_eq!(get(feb, "redeem_fees"), (Some(3), None));
    assert_eq!(get(feb, "redeemed"), (Some(150), None));
    // The issuer's cell to residents (six of them) is the charges and the
    // grant together: two withheld terms, so it is published.
    let issuer = f
        .flow_matrix(k)
        .into_iter()
        .find(|c| c.period == feb && c.asset == "coin" && c.from == "issuer")
        .map(|c| (c.value, c.withheld));
    assert_eq!(issuer, Some((7_000, None)));
    // In March the grant is the only issue and nothing is redeemed: the
    // float identity's only other terms are the floats, and one of them
    // is withheld.
    let floats = [get(feb, "float_end").1, get(mar, "float_end").1];
    assert!(floats.contains(&Some(COMPLEMENT)), "{floats:?}");
    assert_eq!(get(feb, "float_end"), (None, Some(COMPLEMENT)));
    assert_eq!(get(mar, "float_end").1, None);
    // (c) Spending is published, yet utilisation (÷ every source of
    // issue) is withheld with the grant, and velocity (÷ the mean of the
    // floats at the start and end) with the float.
    assert_eq!(get(mar, "spent"), (Some(6 * 12 * 20), None));
    assert_eq!(get(feb, "utilisation_permille").0, None);
    assert_eq!(get(mar, "utilisation_permille"), (None, FEW));
    assert_eq!(get(feb, "velocity_permille"), (None, Some(COMPLEMENT)));
    assert_eq!(get(mar, "velocity_permille"), (None, Some(COMPLEMENT)));
    // The float's holding time goes with it.
    assert_eq!(get(feb, "holding_hours_mean"), (None, Some(COMPLEMENT)));
    assert!(get(mar, "holding_hours_mean").0.is_some());
    // January has nothing to hide.
    assert!(get("2025-01", "utilisation_permille").0.is_some());
    assert!(get("2025-01", "velocity_permille").0.is_some());
    assert!(check(&f, k) >= 3);
    for k in 1..=12 {
        check(&f, k);
    }
    // With k = 1 nothing is withheld for the grant.
    assert!(get_all(&f.figures(1), feb, "issued_grant").is_some());
}

fn get_all(figs: &[Figure], period: &str, metric: &str) -> Option<u64> {
    figs.iter()
        .find(|x| x.period == period && x.subject == "coin" && x.metric == metric)
        .and_then(|x| x.value)
}

/// A small deterministic generator (a linear congruential one).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// Six spans of four weeks, a month apart from 10 January, of a town of 40 residents and 12 shops: charges, bonus
/// points and grants, payments, transfers, refunds, redemptions, burns,
/// expiry and jobs, some of them by a handful of accounts.
fn town() -> Flows {
    let mut f = flows();
    let mut rng = Lcg(7);
    let mut jobs = 0u32;
    for month in 0..6u64 {
        for week in 0..4u64 {
            let t = JAN + month * 31 * DAY + week * 7 * DAY;
            let mut ev = vec![];
            let chargers = 5 + rng.next(30) as u8;
            for r in 1..=chargers {
                ev.push(mint("coin", r, 100 + rng.next(900), MintSource::Charge));
                if rng.next(3) == 0 {
                    let campaign = "spring".into();
                    let n = 10 + rng.next(50);
                    ev.push(mint("point", r, n, MintSource::Bonus { campaign }));
                }
            }
            for _ in 0..rng.next(4) {
                ev.push(grant("coin", 1 + rng.next(40) as u8, 300 + rng.next(300)));
            }
            if rng.next(4) == 0 {
                let id = "c1".into();
                let to = merchant(rng.next(12) as u8);
                ev.push(mint(
                    "coin",
                    to,
                    200,
                    MintSource::Contract { contract_id: id },
                ));
            }
            for _ in 0..10 + rng.next(60) {
                let (r, s) = (1 + rng.next(u64::from(chargers)) as u8, rng.next(12) as u8);
                let asset = if rng.next(5) == 0 { "point" } else { "coin" };
                ev.push(paid(r, merchant(s), asset, 1 + rng.next(40)));
            }
            for _ in 0..rng.next(8) {
                let (from, to) = (1 + rng.next(30) as u8, 1 + rng.next(40) as u8);
                let amount = 1 + rng.next(30);
                ev.push(Event::Transferred {
                    asset: "coin".into(),
                    from: a(from),
                    to: a(to),
                    amount,
                });
            }
            let s = merchant(rng.next(12) as u8);
            ev.push(Event::Transferred {
                asset: "coin".into(),
                from: a(s),
                to: a(merchant(rng.next(12) as u8)),
                amount: 1 + rng.next(5),
            });
            if rng.next(3) == 0 {
                ev.push(Event::Refunded {
                    merchant: a(merchant(0)),
                    payer: a(1),
                    invoice_id: "i".into(),
                    parts: vec![("coin".into(), 1)],
                });
            }
            for _ in 0..rng.next(4) {
                let s = merchant(rng.next(12) as u8);
                ev.push(redeemed(s, "coin", 5 + rng.next(5), rng.next(2)));
            }
            if rng.next(3) == 0 {
                let from = a(1 + rng.next(5) as u8);
                let asset = "coin".into();
                ev.push(Event::Burned {
                    asset,
                    from,
                    amount: 1,
                });
            }
            if week == 3 {
                for r in 1..=1 + rng.next(15) as u8 {
                    ev.push(Event::Expired {
                        asset: "point".into(),
                        account: a(r),
                        amount: 1,
                        breakage_account: a(BREAKAGE),
                    });
                }
            }
            for _ in 0..rng.next(3) {
                jobs += 1;
                let job_id = format!("j{jobs}");
                let poster = a(1 + rng.next(10) as u8);
                ev.push(Event::JobPosted {
                    job_id: job_id.clone(),
                    poster,
                    coordinator: a(COORDINATOR),
                    asset: "coin".into(),
                    reward: 20,
                });
                ev.push(if rng.next(2) == 0 {
                    Event::JobPaid {
                        job_id,
                        poster,
                        worker: a(11 + rng.next(20) as u8),
                        asset: "coin".into(),
                        amount: 20,
                        rating: None,
                    }
                } else {
                    Event::JobExpired {
                        job_id,
                        poster,
                        asset: "coin".into(),
                        refunded: 20,
                    }
                });
            }
            f.observe(t, &ev);
        }
    }
    f
}

#[test]
fn no_identity_is_left_with_one_withheld_term_for_any_k() {
    let f = town();
    // Coins and points, January to July (the last weeks run into July).
    assert_eq!(identities_hold(&f), 14);
    let mut complements = Vec::new();
    for k in 1..=12 {
        complements.push(check(&f, k));
    }
    // The rules bite: at larger k more is withheld, some as complements.
    assert!(complements.iter().any(|n| *n > 0), "{complements:?}");
    let withheld = |k| f.figures(k).iter().filter(|x| x.value.is_none()).count();
    assert!(withheld(12) > withheld(1));
}

#[test]
fn the_pass_protects_a_withheld_float_in_the_next_period_too() {
    use super::{Identity, Sheet};
    // Two periods: float₁ = issued₁; float₂ = float₁ + issued₂. The first
    // float is withheld (few holders): each identity has it as its one
    // withheld term, and each withholds its smallest flow, never a float
    // while a flow is left.
    let mut s = Sheet::default();
    for (m, v, w, stock) in [
        ("issued_1", 100, None, false),
        ("float_1", 100, Some("fewer than k holders"), true),
        ("issued_2", 50, None, false),
        ("float_2", 150, None, true),
    ] {
        s.keys.push(key("p", "coin", m));
        s.values.push(v);
        s.withheld.push(w);
        s.stock.push(stock);
    }
    s.identities = vec![
        Identity {
            what: "float",
            terms: vec![(0, 1), (1, -1)],
        },
        Identity {
            what: "float",
            terms: vec![(1, 1), (2, 1), (3, -1)],
        },
    ];
    s.suppress();
    assert_eq!(s.withheld[0], Some(COMPLEMENT));
    assert_eq!(s.withheld[2], Some(COMPLEMENT), "a flow before the float");
    assert_eq!(s.withheld[3], None);
    assert!(s.open_identities().is_empty());
    // Nothing withheld: nothing to complement.
    assert_eq!(
        super::complement_of(&[(5, false, false), (7, false, true)]),
        None
    );
    // Two withheld: the identity has two unknowns.
    assert_eq!(
        super::complement_of(&[(5, true, false), (7, true, true), (1, false, false)]),
        None
    );
    // A withheld zero is no secret.
    assert_eq!(
        super::complement_of(&[(0, true, false), (7, false, false)]),
        None
    );
    assert_eq!(
        super::complement_of(&[(9, true, false), (7, false, true), (8, false, false)]),
        Some(2)
    );
    // The smallest at least as large as the withheld one: a ¥3 complement
    // would give ¥5 away to within ¥3.
    let line = [
        (5, true, false),
        (3, false, false),
        (100, false, false),
        (6, false, false),
    ];
    assert_eq!(super::complement_of(&line), Some(3));
    // None as large: the largest.
    let line = [(50, true, false), (3, false, false), (6, false, false)];
    assert_eq!(super::complement_of(&line), Some(2));
    assert_eq!(
        super::ratio_withheld([None, Some("a"), Some("b")]),
        Some("a")
    );
    assert_eq!(super::ratio_withheld([None, None]), None);
}
