//! Cycles and re-spend chains on a small chain, computed by hand, and a
//! small component hidden in a large share.

use std::collections::BTreeMap;

use yui_ledger::receipt::MintSource;
use yui_ledger::{Event, MerchantClass};

use super::{Gens, take};
use crate::flows::{Figure, Flows, Period};
use crate::test_town::*;

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
        Default::default(),
    )
}

fn mint(to: u8, amount: u64) -> Event {
    Event::Minted {
        asset: "coin".into(),
        to: a(to),
        amount,
        source: MintSource::Charge,
        expires_at: None,
    }
}

fn paid(payer: u8, merchant: u8, n: u64) -> Event {
    Event::Paid {
        merchant: a(merchant),
        payer: a(payer),
        invoice_id: "i".into(),
        parts: vec![("coin".into(), n)],
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

/// metric → (value, withheld) of January's coins.
fn coin(figs: &[Figure]) -> BTreeMap<String, (Option<u64>, Option<String>)> {
    figs.iter()
        .filter(|f| f.period == "2025-01" && f.subject == "coin")
        .map(|f| (f.metric.clone(), (f.value, f.withheld.clone())))
        .collect()
}

#[test]
fn take_draws_in_proportion_and_counts_the_untracked_as_new() {
    let mut b: Gens = [1_000, 50, 0, 0, 0, 0];
    // 30 × 1000/1050 = 28.57 → 28, 30 × 50/1050 = 1.43 → 1; the last unit
    // from the most-travelled value.
    assert_eq!(take(&mut b, 30), [28, 2, 0, 0, 0, 0]);
    assert_eq!(b, [972, 48, 0, 0, 0, 0]);
    let mut b: Gens = [0, 10, 0, 0, 0, 0];
    assert_eq!(take(&mut b, 15), [5, 10, 0, 0, 0, 0]);
    assert_eq!(b, [0; 6]);
}

#[test]
fn cycles_and_chains_of_a_small_chain_match_the_hand_computation() {
    let (a_, b, c, d, e) = (1, 2, 3, 4, 5);
    let mut f = flows();
    let mut events: Vec<Event> = [a_, b, c, d, e].iter().map(|p| mint(*p, 1_000)).collect();
    events.extend([
        paid(a_, M1, 300),     // hop 1
        transfer(M1, M2, 200), // hop 2: M1 holds A's 300 at hop 1
        paid(M2, M1, 100),     // hop 3: M2 holds M1's 200 at hop 2
        transfer(b, c, 50),    // hop 1
        transfer(c, b, 30),    // C holds 1,000 new and 50 at hop 1: 28 at hop 1, 2 at hop 2
        paid(d, M1, 100),      // hop 1
        paid(e, M3, 100),      // hop 1
    ]);
    f.observe(JAN, &events);
    let got = coin(&f.figures(2));
    let shown = |m: &str| got[m].0;
    // Edges: 300 + 200 + 100 + 50 + 30 + 100 + 100 = 880; {M1, M2}: 200 +
    // 100 and {B, C}: 50 + 30 in cycles; A, D and E only send.
    assert_eq!(shown("cycle_share_permille"), Some(432));
    assert_eq!(shown("cycle_accounts"), Some(4));
    assert_eq!(shown("cycle_components"), Some(2));
    assert_eq!(shown("cycle_largest_accounts"), Some(2));
    // Hop 1: 300 + 50 + 28 + 100 + 100 = 578 of 880; hop 2: M1's 200 and
    // C's 2 (M1 dominates); hop 3: M2 alone.
    assert_eq!(shown("respend_hop_1_permille"), Some(657));
    assert_eq!(
        got["respend_hop_2_permille"].1.as_deref(),
        Some("one account dominates")
    );
    assert_eq!(
        got["respend_hop_3_permille"].1.as_deref(),
        Some("fewer than k accounts")
    );
    assert_eq!(shown("respend_hop_4_permille"), Some(0));
    // (578 + 2 × 202 + 3 × 100) ÷ 880 = 1.457, but with the shares it would
    // solve for hops 2 and 3.
    assert_eq!(
        got["respend_hops_mean_permille"].1.as_deref(),
        Some("complement of a withheld figure")
    );
    // k = 3: four accounts in cycles still, but no component of three.
    let got = coin(&f.figures(3));
    assert_eq!(got["cycle_share_permille"].0, Some(432));
    assert_eq!(got["cycle_components"].0, Some(0));
    assert_eq!(got["cycle_largest_accounts"].0, None);
    // k = 5: the cycles are four accounts: nothing about them is published.
    let got = coin(&f.figures(5));
    for m in ["cycle_share_permille", "cycle_accounts"] {
        assert_eq!(got[m], (None, Some("fewer than k accounts".into())), "{m}");
    }
    assert_eq!(got["respend_hop_1_permille"].0, Some(657), "five senders");
}

#[test]
fn a_small_component_counts_in_the_share_but_is_never_described() {
    let mut f = flows();
    let mut events: Vec<Event> = (21..=32).map(|p| mint(p, 5_000)).collect();
    // A ring of ten residents, 100 each.
    for p in 21..=30u8 {
        events.push(transfer(p, if p == 30 { 21 } else { p + 1 }, 100));
    }
    // Two residents pay each other 1,000 each way.
    events.push(transfer(31, 32, 1_000));
    events.push(transfer(32, 31, 1_000));
    f.observe(JAN, &events);
    let figs = f.figures(10);
    let got = coin(&figs);
    // Every transfer is in a cycle: the pair's 2,000 counts.
    assert_eq!(got["cycle_share_permille"].0, Some(1_000));
    assert_eq!(got["cycle_accounts"].0, Some(12));
    assert_eq!(got["cycle_components"].0, Some(1), "only the ring");
    assert_eq!(got["cycle_largest_accounts"].0, Some(10));
    // Most payments spend value new to their sender (the second of each
    // pair of hands passes on a little of what it just received).
    assert!(
        got["respend_hop_1_permille"].0.is_some_and(|v| v > 900),
        "{:?}",
        got["respend_hop_1_permille"]
    );
    // No figure is the pair's: not its 2,000, not its two accounts.
    for fig in figs.iter().filter(|f| f.metric.starts_with("cycle")) {
        assert_ne!(fig.value, Some(2_000), "{}", fig.metric);
        assert_ne!(fig.value, Some(2), "{}", fig.metric);
    }
    // Without the ring the pair alone is withheld.
    let mut f = flows();
    f.observe(
        JAN,
        &[
            mint(31, 5_000),
            mint(32, 5_000),
            transfer(31, 32, 1_000),
            transfer(32, 31, 1_000),
        ],
    );
    let got = coin(&f.figures(10));
    assert_eq!(got["cycle_share_permille"].0, None);
    assert_eq!(got["cycle_accounts"].0, None);
    assert_eq!(got["cycle_components"].0, Some(0));
}
