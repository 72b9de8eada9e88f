//! Holding time, Gini, the half-deposit test and campaign cost on small
//! chains, every figure computed by hand (k = 2).

use yui_ledger::asset::AssetKind;
use yui_ledger::receipt::MintSource;
use yui_ledger::{Event, MerchantClass};

use super::Group;
use crate::flows::{Figure, Flows, Period};
use crate::test_town::*;

/// 2025-05-10, 12:00 UTC.
const MAY: u64 = 1_746_878_400_000;

fn flows(tz: jiff::tz::TimeZone) -> Flows {
    let mut f = Flows::new(
        Period::Month,
        tz,
        [(a(M1), MerchantClass::SmallLocal)].into_iter().collect(),
        [a(30)].into_iter().collect(),
    );
    f.set_institution(a(CITY), Group::Issuer);
    f.set_kind("coin", AssetKind::Coin);
    f.set_kind("voucher", AssetKind::Voucher);
    f.set_kind("point", AssetKind::Point);
    f
}

fn charge(asset: &str, to: u8, amount: u64) -> Event {
    mint(asset, to, amount, MintSource::Charge)
}

fn paid(payer: u8, asset: &str, n: u64) -> Event {
    Event::Paid {
        merchant: a(M1),
        payer: a(payer),
        invoice_id: "i".into(),
        parts: vec![(asset.into(), n)],
    }
}

fn get(figs: &[Figure], period: &str, subject: &str, metric: &str) -> Option<u64> {
    let f = figs
        .iter()
        .find(|f| f.period == period && f.subject == subject && f.metric == metric);
    assert!(f.is_some(), "no figure {period} {subject} {metric}");
    f.and_then(|f| f.value)
}

#[test]
fn holding_time_and_gini_match_the_hand_computation() {
    let mut f = flows(jiff::tz::TimeZone::UTC);
    f.observe(JAN, &[charge("coin", A, 1_000), charge("coin", B, 1_000)]);
    f.observe(JAN + DAY, &[paid(A, "coin", 500)]);
    f.observe(
        JAN + 3 * DAY,
        &[Event::Transferred {
            asset: "coin".into(),
            from: a(B),
            to: a(C),
            amount: 1_000,
        }],
    );
    f.observe(FEB, &[paid(C, "coin", 100)]);
    let figs = f.figures(2);
    // The float is 2,000 from 10 January noon on. January holds it for 3
    // days to the 13th, then 18.5 days to 1 February: 43,000 unit-days;
    // 1,500 left holdings (A's 500, B's 1,000): 28.67 days = 688 hours,
    // and 1,500 ÷ 43,000 = 0.0349 of the float a day.
    assert_eq!(
        get(&figs, "2025-01", "coin", "holding_hours_mean"),
        Some(688)
    );
    assert_eq!(
        get(&figs, "2025-01", "coin", "transfer_velocity_permille"),
        Some(35)
    );
    // February: C alone paid.
    assert_eq!(get(&figs, "2025-02", "coin", "holding_hours_mean"), None);
    // 31 January: A 500, M1 500, C 1,000 (B holds none): (2 × 4,500 −
    // 4 × 2,000) ÷ (3 × 2,000) = 0.167.
    assert_eq!(
        get(&figs, "2025-01", "coin", "holdings_gini_permille"),
        Some(167)
    );
    // The last period, at the last block: A 500, M1 600, C 900.
    assert_eq!(
        get(&figs, "2025-02", "coin", "holdings_gini_permille"),
        Some(133)
    );
    let figs = f.figures(4);
    assert_eq!(
        get(&figs, "2025-01", "coin", "holdings_gini_permille"),
        None
    ); // A block in May after none in March and April: February's float is
    // counted to its end, May's from its start, and January is unchanged.
    f.observe(MAY, &[charge("coin", B, 1_000)]);
    let integral = |p: &str| f.extra.holding.integral[&(p.to_string(), "coin".to_string())];
    let unit_days = |n: u128| n * u128::from(DAY) / 2;
    assert_eq!(integral("2025-01"), unit_days(2 * 43_000));
    // 10 February noon to 1 March: 18.5 days, after the 9.5 before it.
    assert_eq!(integral("2025-02"), unit_days(2 * 2_000 * 28));
    assert_eq!(integral("2025-05"), unit_days(2 * 2_000 * 19 / 2));
    assert!(
        !f.extra
            .holding
            .integral
            .contains_key(&("2025-03".into(), "coin".into()))
    );
    let figs = f.figures(2);
    assert_eq!(
        get(&figs, "2025-02", "coin", "holdings_gini_permille"),
        Some(133)
    );
    // A 500, M1 600, C 900, B 1,000: (2 × 8,400 − 5 × 3,000) ÷ (4 × 3,000).
    assert_eq!(
        get(&figs, "2025-05", "coin", "holdings_gini_permille"),
        Some(150)
    );
    // No identity left with one withheld term, no ratio on a withheld figure.
    for k in 1..=12 {
        crate::identities::tests::check(&f, k);
    }
}

/// 2025-03-31 14:00 UTC: 23:00 on the base date in Tokyo.
const MARCH_31_JST_23H: u64 = 1_743_429_600_000;

#[test]
fn the_half_deposit_test_reads_the_base_dates_in_the_towns_time_zone() {
    let tokyo = jiff::tz::TimeZone::get("Asia/Tokyo").expect("tz");
    let blocks = |f: &mut Flows| {
        f.observe(
            MARCH_31_JST_23H,
            &[
                charge("coin", A, 6_000_000),
                charge("coin", B, 4_000_001),
                charge("coin", CITY, 500),
                mint(
                    "voucher",
                    C,
                    13_000,
                    MintSource::Grant {
                        reason: "sale".into(),
                    },
                ),
                mint(
                    "point",
                    D,
                    1_000_000,
                    MintSource::Grant {
                        reason: "event".into(),
                    },
                ),
            ],
        );
        // 23:30 in Tokyo: still the base date.
        f.observe(MARCH_31_JST_23H + 1_800_000, &[paid(A, "coin", 1_000_000)]);
        // 00:30 on 1 April in Tokyo.
        f.observe(
            MARCH_31_JST_23H + 5_400_000,
            &[Event::Redeemed {
                merchant: a(M1),
                asset: "coin".into(),
                amount: 1_000_000,
                fee: 15_000,
                fee_account: a(CITY),
                payout_ref: "p".into(),
            }],
        );
        // 5 October: 30 September has passed.
        f.observe(MARCH_31_JST_23H + 188 * DAY, &[paid(B, "coin", 1)]);
    };
    let mut f = flows(tokyo);
    blocks(&mut f);
    let figs = f.figures(2);
    // 31 March: coins held by A, B and M1 (the city's own 500 is not a
    // liability), the voucher held by C; points are not prepaid.
    let one = f.figures(1);
    assert_eq!(
        get(&one, "2025-03-31", "coin", "psa_unused"),
        Some(10_000_001)
    );
    assert_eq!(
        get(&one, "2025-03-31", "voucher", "psa_unused"),
        Some(13_000)
    );
    assert_eq!(
        get(&figs, "2025-03-31", "prepaid", "psa_unused"),
        Some(10_013_001)
    );
    assert_eq!(
        get(&figs, "2025-03-31", "prepaid", "psa_over_threshold"),
        Some(1)
    );
    // Half of 10,013,001, rounded up.
    assert_eq!(
        get(&figs, "2025-03-31", "prepaid", "psa_deposit_required"),
        Some(5_006_501)
    );
    // 30 September: M1 redeemed its million: 9,013,001, under the threshold.
    assert_eq!(
        get(&figs, "2025-09-30", "prepaid", "psa_unused"),
        Some(9_013_001)
    );
    assert_eq!(
        get(&figs, "2025-09-30", "prepaid", "psa_over_threshold"),
        Some(0)
    );
    assert_eq!(
        get(&figs, "2025-09-30", "prepaid", "psa_deposit_required"),
        Some(0)
    );
    assert!(
        !figs
            .iter()
            .any(|f| f.subject == "point" && f.metric == "psa_unused")
    );
    // The voucher has one holder: withheld at k = 2, and the coins with it
    // (the total less the coins would be C's voucher); the total has four.
    let why = |asset: &str| {
        figs.iter()
            .find(|f| f.period == "2025-03-31" && f.subject == asset && f.metric == "psa_unused")
            .and_then(|f| f.withheld.clone())
    };
    assert_eq!(why("voucher").as_deref(), Some("fewer than k holders"));
    assert_eq!(
        why("coin").as_deref(),
        Some("complement of a withheld figure")
    );
    let figs = f.figures(5);
    assert_eq!(get(&figs, "2025-03-31", "prepaid", "psa_unused"), None);
    // In UTC the base date ends at 00:00 UTC on 1 April, after M1's
    // redemption at 15:30 UTC: the same chain is under the threshold.
    let mut f = flows(jiff::tz::TimeZone::UTC);
    blocks(&mut f);
    let figs = f.figures(2);
    assert_eq!(
        get(&figs, "2025-03-31", "prepaid", "psa_unused"),
        Some(9_013_001)
    );
    assert_eq!(
        get(&figs, "2025-03-31", "prepaid", "psa_over_threshold"),
        Some(0)
    );
    // No identity left with one withheld term, no ratio on a withheld figure.
    for k in 1..=12 {
        crate::identities::tests::check(&f, k);
    }
}

#[test]
fn campaign_cost_counts_the_recipients_coin_spending_in_the_window() {
    let mut f = flows(jiff::tz::TimeZone::UTC);
    let bonus = |to, n| {
        mint(
            "point",
            to,
            n,
            MintSource::Bonus {
                campaign: "launch".into(),
            },
        )
    };
    f.observe(
        JAN,
        &[
            charge("coin", A, 10_000),
            charge("coin", B, 10_000),
            charge("coin", C, 10_000),
            bonus(A, 200),
            bonus(B, 100),
        ],
    );
    f.observe(JAN + DAY, &[paid(A, "coin", 1_000), paid(A, "point", 50)]);
    f.observe(
        JAN + 10 * DAY,
        &[paid(B, "coin", 300), paid(C, "coin", 999)],
    );
    // 40 days after B's bonus: outside the window.
    f.observe(JAN + 40 * DAY, &[paid(B, "coin", 500)]);
    let figs = f.figures(2);
    let get = |m| get(&figs, "all", "campaign:launch", m);
    assert_eq!(get("bonus_granted"), Some(300));
    // A's 1,000 and B's 300 coins; not A's points, not C, not B's late 500.
    assert_eq!(get("spent_after"), Some(1_300));
    assert_eq!(get("campaign_cost_permille"), Some(231));
    let figs = f.figures(3);
    assert!(
        figs.iter()
            .filter(|f| f.subject == "campaign:launch")
            .all(|f| f.value.is_none()),
        "two recipients"
    );
    // No identity left with one withheld term, no ratio on a withheld figure.
    for k in 1..=12 {
        crate::identities::tests::check(&f, k);
    }
}
