//! The flows of a small chain, every figure computed by hand (k = 2 so that
//! both published and withheld figures appear).

use super::*;
use crate::test_town::*;
use yui_ledger::receipt::MintSource;

fn paid(payer: u8, merchant: u8, parts: &[(&str, u64)]) -> Event {
    Event::Paid {
        merchant: a(merchant),
        payer: a(payer),
        invoice_id: "i".into(),
        parts: parts.iter().map(|(s, n)| (s.to_string(), *n)).collect(),
    }
}

fn transfer(from: u8, to: u8, amount: u64) -> Event {
    Event::Transferred {
        asset: "coin".into(),
        from: a(from),
        to: a(to),
        amount,
    }
}

fn flows() -> Flows {
    let classes = [
        (a(M1), MerchantClass::SmallLocal),
        (a(M2), MerchantClass::Large),
        (a(M3), MerchantClass::SmallLocal),
    ];
    Flows::new(
        Period::Month,
        jiff::tz::TimeZone::UTC,
        classes.into_iter().collect(),
        [a(BREAKAGE)].into_iter().collect(),
    )
}

fn figure(
    figs: &[Figure],
    period: &str,
    subject: &str,
    metric: &str,
) -> (Option<u64>, Option<String>) {
    let f = figs
        .iter()
        .find(|f| f.period == period && f.subject == subject && f.metric == metric);
    assert!(f.is_some(), "no figure {period} {subject} {metric}");
    f.map_or((None, None), |f| (f.value, f.withheld.clone()))
}

#[test]
fn every_figure_of_a_small_chain_matches_the_hand_computation() {
    let mut f = flows();
    f.observe(
        JAN,
        &[
            mint("coin", A, 1_000, MintSource::Charge),
            mint("coin", B, 500, MintSource::Charge),
            mint(
                "point",
                A,
                100,
                MintSource::Bonus {
                    campaign: "c".into(),
                },
            ),
            paid(A, M1, &[("coin", 300)]),
            paid(B, M2, &[("coin", 200)]),
            paid(A, M3, &[("coin", 100), ("point", 50)]),
            transfer(A, C, 100),
            Event::Redeemed {
                merchant: a(M1),
                asset: "coin".into(),
                amount: 300,
                fee: 5,
                fee_account: a(CITY),
                payout_ref: "p".into(),
            },
            transfer(M2, M1, 50),
            Event::Expired {
                asset: "point".into(),
                account: a(A),
                amount: 50,
                breakage_account: a(BREAKAGE),
            },
        ],
    );
    f.observe(
        FEB,
        &[
            mint("coin", C, 200, MintSource::Charge),
            paid(C, M1, &[("coin", 150)]),
        ],
    );
    let figs = f.figures(2);
    let shown = |p, s, m| figure(&figs, p, s, m).0;
    let hidden = |p, s, m| figure(&figs, p, s, m).1;
    let few = Some("fewer than k accounts".to_string());
    let complement = Some(COMPLEMENT.to_string());
    // January, coins.
    assert_eq!(shown("2025-01", "coin", "issued_charge"), Some(1_500));
    assert_eq!(shown("2025-01", "coin", "issued_bonus"), Some(0));
    assert_eq!(shown("2025-01", "coin", "spent"), Some(600));
    assert_eq!(
        hidden("2025-01", "coin", "spent_small_local"),
        few,
        "one payer (A)"
    );
    assert_eq!(
        hidden("2025-01", "coin", "spent_large"),
        few,
        "one payer (B)"
    );
    assert_eq!(shown("2025-01", "coin", "spent_public"), Some(0));
    assert_eq!(hidden("2025-01", "coin", "p2p"), few);
    assert_eq!(
        hidden("2025-01", "coin", "redeemed"),
        few,
        "one merchant redeemed"
    );
    assert_eq!(hidden("2025-01", "coin", "redeem_fees"), few);
    assert_eq!(hidden("2025-01", "coin", "merchant_respend"), few);
    // 1,500 charged − 300 redeemed + 5 fee kept by the operator: but
    // February's float less January's would be C's charge alone, so
    // January's float (the smallest term of February's float identity) is
    // withheld with it.
    assert_eq!(shown("2025-01", "coin", "float_end"), None);
    assert_eq!(hidden("2025-01", "coin", "float_end"), complement.clone());
    let sheet = f.sheet(2);
    let float = sheet
        .keys
        .iter()
        .position(|key| *key == ("2025-01".into(), "coin".into(), "float_end".into()));
    assert_eq!(float.map(|i| sheet.values[i]), Some(1_205));
    // A, B, C, M2, M3, M1 (50 from M2) and the operator's fee account.
    assert_eq!(shown("2025-01", "coin", "holders_end"), Some(7));
    // 600 spent ÷ (0 + 1,205) / 2 = 602 average float (997 ‰): withheld
    // with the float, which it would give.
    assert_eq!(hidden("2025-01", "coin", "velocity_permille"), complement);
    assert_eq!(shown("2025-01", "coin", "utilisation_permille"), Some(400));
    // 400 at small local shops of 600 would be A's spending there.
    assert_eq!(hidden("2025-01", "coin", "local_share_permille"), few);
    // January, points: everything describes A alone, and only M3 holds some.
    assert_eq!(hidden("2025-01", "point", "issued_bonus"), few);
    assert_eq!(hidden("2025-01", "point", "breakage"), few);
    assert_eq!(
        hidden("2025-01", "point", "float_end"),
        Some("fewer than k holders".into())
    );
    // February: C alone.
    assert_eq!(hidden("2025-02", "coin", "issued_charge"), few);
    assert_eq!(hidden("2025-02", "coin", "spent"), few);
    assert_eq!(shown("2025-02", "coin", "float_end"), Some(1_405));
    assert_eq!(hidden("2025-02", "coin", "velocity_permille"), few);
    // Reach: A, B and M2 sent value in January; C alone in February.
    assert_eq!(shown("2025-01", "accounts", "reach"), Some(3));
    assert_eq!(hidden("2025-02", "accounts", "reach"), few);
    // No figure names an account.
    let text = serde_json::to_string(&figs).expect("json");
    assert!(!text.contains(&hex::encode([A; 32])));
    // No identity left with one withheld term, no ratio on a withheld figure.
    for k in 1..=12 {
        crate::identities::tests::check(&f, k);
    }
}

#[test]
fn a_class_total_one_shop_dominates_is_withheld() {
    let mut f = flows();
    f.observe(
        JAN,
        &[
            mint("coin", A, 1_000, MintSource::Charge),
            mint("coin", B, 1_000, MintSource::Charge),
            paid(A, M1, &[("coin", 900)]),
            paid(B, M3, &[("coin", 50)]),
            paid(B, M2, &[("coin", 50)]),
        ],
    );
    let figs = f.figures(2);
    // Small local: A and B paid, M1 and M3 received, but M1 has 900 of 950.
    assert_eq!(
        figure(&figs, "2025-01", "coin", "spent_small_local").1,
        Some("one merchant dominates".into())
    );
    // With k = 1 the large class (one shop) is published: k is the only other rule.
    let figs1 = f.figures(1);
    assert_eq!(figure(&figs1, "2025-01", "coin", "spent_large").0, None);
    assert_eq!(
        figure(&figs1, "2025-01", "coin", "spent_large").1,
        Some("one merchant dominates".into()),
        "a class of one shop is that shop's turnover"
    );
    // No identity left with one withheld term, no ratio on a withheld figure.
    for k in 1..=12 {
        crate::identities::tests::check(&f, k);
    }
}

#[test]
fn jobs_are_counted_and_timed() {
    let mut f = flows();
    let post = |id: &str, poster: u8| Event::JobPosted {
        job_id: id.into(),
        poster: a(poster),
        coordinator: a(CITY),
        asset: "yui".into(),
        reward: 100,
    };
    f.observe(JAN, &[post("j1", A), post("j2", B), post("j3", C)]);
    f.observe(
        JAN + 5 * 3_600_000,
        &[
            Event::JobPaid {
                job_id: "j1".into(),
                poster: a(A),
                worker: a(B),
                asset: "yui".into(),
                amount: 100,
                rating: Some(5),
            },
            Event::JobAutoReleased {
                job_id: "j2".into(),
                poster: a(B),
                worker: a(C),
                asset: "yui".into(),
                amount: 100,
            },
            Event::JobExpired {
                job_id: "j3".into(),
                poster: a(C),
                asset: "yui".into(),
                refunded: 100,
            },
        ],
    );
    let figs = f.figures(2);
    let shown = |m| figure(&figs, "2025-01", "jobs", m).0;
    assert_eq!(shown("posted"), Some(3));
    assert_eq!(shown("completed"), Some(2));
    assert_eq!(shown("hours_to_completion_mean"), Some(5));
    assert_eq!(
        figure(&figs, "2025-01", "jobs", "timed_out").1,
        Some("fewer than k accounts".into())
    );
    // No identity left with one withheld term, no ratio on a withheld figure.
    for k in 1..=12 {
        crate::identities::tests::check(&f, k);
    }
}
