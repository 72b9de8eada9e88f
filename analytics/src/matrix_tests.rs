//! The flows between groups of a small chain, computed by hand (k = 2), and
//! attempts to read a few accounts off the matrix.

use std::collections::BTreeMap;

use yui_ledger::receipt::MintSource;
use yui_ledger::{Event, MerchantClass};

use super::FlowCell;
use crate::extra::Group;
use crate::flows::{Flows, Period};
use crate::test_town::*;

fn flows() -> Flows {
    let classes = [
        (a(M1), MerchantClass::SmallLocal),
        (a(M2), MerchantClass::Large),
        (a(M3), MerchantClass::SmallLocal),
    ];
    let mut f = Flows::new(
        Period::Month,
        jiff::tz::TimeZone::UTC,
        classes.into_iter().collect(),
        [a(BREAKAGE)].into_iter().collect(),
    );
    f.set_institution(a(CITY), Group::Issuer);
    f
}

fn mint(asset: &str, to: u8, amount: u64) -> Event {
    Event::Minted {
        asset: asset.into(),
        to: a(to),
        amount,
        source: MintSource::Charge,
        expires_at: None,
    }
}

fn paid(payer: u8, merchant: u8, asset: &str, n: u64) -> Event {
    Event::Paid {
        merchant: a(merchant),
        payer: a(payer),
        invoice_id: "i".into(),
        parts: vec![(asset.into(), n)],
    }
}

fn transfer(asset: &str, from: u8, to: u8, amount: u64) -> Event {
    Event::Transferred {
        asset: asset.into(),
        from: a(from),
        to: a(to),
        amount,
    }
}

fn post(id: &str, poster: u8, reward: u64) -> Event {
    Event::JobPosted {
        job_id: id.into(),
        poster: a(poster),
        coordinator: a(CITY),
        asset: "yui".into(),
        reward,
    }
}

/// (from, to) → (value, accounts, withheld) of one period and asset.
fn cells(
    m: &[FlowCell],
    asset: &str,
) -> BTreeMap<(String, String), (u64, usize, Option<&'static str>)> {
    m.iter()
        .filter(|c| c.period == "2025-01" && c.asset == asset)
        .map(|c| {
            (
                (c.from.clone(), c.to.clone()),
                (c.value, c.accounts, c.withheld),
            )
        })
        .collect()
}

fn key(from: &str, to: &str) -> (String, String) {
    (from.into(), to.into())
}

const FEW: Option<&str> = Some("fewer than k accounts");
const FEW_SHOPS: Option<&str> = Some("fewer than k merchants");
const COMPLEMENT: Option<&str> = Some("complement of a withheld figure");

#[test]
fn the_matrix_of_a_small_chain_matches_the_hand_computation() {
    let mut f = flows();
    f.observe(
        JAN,
        &[
            mint("coin", A, 1_000),
            mint("coin", B, 500),
            mint("coin", C, 300),
            paid(A, M1, "coin", 300),
            paid(B, M3, "coin", 200),
            paid(C, M1, "coin", 100),
            paid(A, M2, "coin", 100),
            transfer("coin", A, B, 50),
            transfer("coin", B, C, 60),
            Event::Redeemed {
                merchant: a(M1),
                asset: "coin".into(),
                amount: 400,
                fee: 6,
                fee_account: a(CITY),
                payout_ref: "p".into(),
            },
            Event::Expired {
                asset: "coin".into(),
                account: a(C),
                amount: 40,
                breakage_account: a(BREAKAGE),
            },
            mint("yui", A, 100),
            mint("yui", B, 100),
            post("j1", A, 100),
            post("j2", B, 100),
            Event::JobPaid {
                job_id: "j1".into(),
                poster: a(A),
                worker: a(C),
                asset: "yui".into(),
                amount: 100,
                rating: None,
            },
            Event::JobExpired {
                job_id: "j2".into(),
                poster: a(B),
                asset: "yui".into(),
                refunded: 100,
            },
        ],
    );
    let m = f.flow_matrix(2);
    let coin = cells(&m, "coin");
    let expected = [
        // A 1,000, B 500, C 300: three receivers, the largest 56 %.
        (key("issuer", "resident"), (1_800, 3, None)),
        // Transfers A→B 50 and B→C 60: two senders, two receivers.
        (key("resident", "resident"), (110, 2, None)),
        // A 300 + C 100 at M1, B 200 at M3: M1 has 67 %, but `spent` (700)
        // less it would be A's 100 at M2.
        (key("resident", "merchant:small_local"), (0, 0, COMPLEMENT)),
        // A alone at M2.
        (key("resident", "merchant:large"), (0, 0, FEW)),
        // C alone expired 40.
        (key("resident", "breakage"), (0, 0, FEW)),
        // M1 alone redeemed: 394 paid out, 6 to the city.
        (key("merchant:small_local", "issuer"), (0, 0, FEW_SHOPS)),
        (key("merchant:small_local", "redeemed"), (0, 0, FEW_SHOPS)),
    ];
    assert_eq!(coin, expected.into_iter().collect());
    let yui = cells(&m, "yui");
    let expected = [
        (key("issuer", "resident"), (200, 2, None)),
        // A and B posted 100 each.
        (key("resident", "escrow"), (200, 2, None)),
        // 100 paid to C, 100 refunded to B: two residents.
        (key("escrow", "resident"), (200, 2, None)),
    ];
    assert_eq!(yui, expected.into_iter().collect());
    // Ordered by period, asset, then group.
    let order: Vec<_> = m
        .iter()
        .map(|c| (c.asset.as_str(), c.from.as_str(), c.to.as_str()))
        .collect();
    assert_eq!(order[0], ("coin", "issuer", "resident"));
    assert_eq!(order[1], ("coin", "resident", "resident"));
    assert_eq!(order[7], ("yui", "issuer", "resident"));
    // The flows' own balances follow the escrow: C holds the reward.
    assert_eq!(f.balances["yui"][&a(C)], 100);
    assert_eq!(f.balances["yui"][&a(A)], 0);
    // No identity left with one withheld term, no ratio on a withheld figure.
    for k in 1..=12 {
        crate::identities::tests::check(&f, k);
    }
}

#[test]
fn one_dominant_payer_or_shop_withholds_the_cell() {
    let mut f = flows();
    f.observe(
        JAN,
        &[
            mint("coin", A, 10_000),
            mint("coin", B, 10_000),
            mint("coin", C, 10_000),
            // A pays 900 of 1,000 at large stores: one resident dominates.
            paid(A, M2, "coin", 900),
            paid(B, M2, "coin", 100),
            // Three payers at small local shops, but M1 takes 850 of 1,000.
            paid(A, M1, "coin", 300),
            paid(B, M1, "coin", 300),
            paid(C, M1, "coin", 250),
            paid(C, M3, "coin", 150),
        ],
    );
    let coin = cells(&f.flow_matrix(2), "coin");
    assert_eq!(
        coin[&key("resident", "merchant:large")].2,
        Some("one account dominates")
    );
    assert_eq!(
        coin[&key("resident", "merchant:small_local")],
        (0, 0, Some("one merchant dominates"))
    );
    // With k = 3 the large stores' cell is also one shop.
    let coin = cells(&f.flow_matrix(3), "coin");
    assert_eq!(coin[&key("resident", "merchant:large")].2, FEW);
    assert_eq!(coin[&key("issuer", "resident")], (30_000, 3, None));
    // No identity left with one withheld term, no ratio on a withheld figure.
    for k in 1..=12 {
        crate::identities::tests::check(&f, k);
    }
}

#[test]
fn a_cell_of_fewer_than_k_accounts_is_withheld_and_carries_nothing() {
    let mut f = flows();
    let mut events = vec![];
    for p in [A, B, C, D] {
        events.push(mint("coin", p, 1_000));
        events.push(paid(p, if p == D { M3 } else { M1 }, "coin", 100));
    }
    // The city pays the breakage account: no resident or merchant on
    // either side, so nothing to protect.
    events.push(mint("coin", CITY, 50));
    events.push(transfer("coin", CITY, BREAKAGE, 50));
    f.observe(JAN, &events);
    for k in 1..=5 {
        let m = f.flow_matrix(k);
        let coin = cells(&m, "coin");
        let (value, accounts, w) = coin[&key("resident", "merchant:small_local")];
        if k <= 2 {
            // Four payers, two shops: M1 has 75 %.
            assert_eq!((value, accounts, w), (400, 2, None), "k = {k}");
        } else {
            assert_eq!((value, accounts), (0, 0), "k = {k}");
            assert!(w.is_some(), "k = {k}");
        }
        let issued = coin[&key("issuer", "resident")];
        assert_eq!(issued.2.is_none(), k <= 4, "four residents, k = {k}");
        assert_eq!(coin[&key("issuer", "issuer")], (50, 0, None), "k = {k}");
        assert_eq!(coin[&key("issuer", "breakage")], (50, 0, None), "k = {k}");
        // Nothing withheld carries a value, and no cell names an account.
        assert!(m.iter().all(|c| c.withheld.is_none() || c.value == 0));
        let text = serde_json::to_string(&m).expect("json");
        assert!(!text.contains(&hex::encode([A; 32])));
    }
    // No identity left with one withheld term, no ratio on a withheld figure.
    for k in 1..=12 {
        crate::identities::tests::check(&f, k);
    }
}

#[test]
fn one_withheld_class_is_not_the_total_less_the_others() {
    let mut f = flows();
    let mut events: Vec<Event> = [A, B, C, D]
        .iter()
        .map(|p| mint("coin", *p, 1_000))
        .collect();
    events.extend([
        paid(A, M1, "coin", 100),
        paid(B, M3, "coin", 100),
        paid(C, M1, "coin", 100),
        paid(D, M3, "coin", 100),
        // A alone at the one large store.
        paid(A, M2, "coin", 50),
    ]);
    for (m, n) in [(M1, 200), (M3, 200), (M2, 50)] {
        events.push(Event::Redeemed {
            merchant: a(m),
            asset: "coin".into(),
            amount: n,
            fee: 0,
            fee_account: a(CITY),
            payout_ref: "p".into(),
        });
    }
    f.observe(JAN, &events);
    let coin = cells(&f.flow_matrix(2), "coin");
    // Four payers at two shops would be published, but `spent` (450) less
    // it is A's 50 at M2; the small shops' 400 redeemed less `redeemed`
    // is M2's 50.
    assert_eq!(coin[&key("resident", "merchant:large")].2, FEW);
    assert_eq!(coin[&key("resident", "merchant:small_local")].2, COMPLEMENT);
    assert_eq!(coin[&key("merchant:large", "redeemed")].2, FEW_SHOPS);
    assert_eq!(coin[&key("merchant:small_local", "redeemed")].2, COMPLEMENT);
    // The figures follow the same rule, and the local share with them.
    let figs = f.figures(2);
    let get = |m: &str| {
        figs.iter()
            .find(|x| x.period == "2025-01" && x.subject == "coin" && x.metric == m)
            .map(|x| (x.value, x.withheld.clone()))
    };
    assert_eq!(get("spent"), Some((Some(450), None)));
    assert_eq!(
        get("spent_small_local"),
        Some((None, COMPLEMENT.map(String::from)))
    );
    assert_eq!(get("spent_large"), Some((None, FEW.map(String::from))));
    assert_eq!(
        get("local_share_permille"),
        Some((None, COMPLEMENT.map(String::from)))
    );
    // At k = 1 the large store is still one shop holding its whole class.
    let coin = cells(&f.flow_matrix(1), "coin");
    assert_eq!(
        coin[&key("resident", "merchant:large")].2,
        Some("one account dominates")
    );
    // No identity left with one withheld term, no ratio on a withheld figure.
    for k in 1..=12 {
        crate::identities::tests::check(&f, k);
    }
}
