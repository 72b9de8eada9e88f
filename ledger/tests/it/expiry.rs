//! Expiry: lots, fixed dates and rolling periods, moved to the breakage
//! account at the start of the first block whose time has reached them.

use yui_ledger::error::Rule;
use yui_ledger::state::Lot;
use yui_ledger::{Event, TxError};

use crate::fixture::*;

fn expired(asset: &str, account: yui_ledger::Address, amount: u64) -> Event {
    Event::Expired {
        asset: asset.into(),
        account,
        amount,
        breakage_account: breakage(),
    }
}

#[test]
fn a_lot_expires_at_the_first_block_at_or_after_its_time() {
    let mut c = Chain::new();
    let a = addr(&hana());
    c.grant(&hana(), POINT, 100);
    let at = c.time_ms + u64::from(POINT_DAYS) * DAY;
    assert_eq!(
        c.holding(&a, POINT).lots,
        vec![Lot {
            amount: 100,
            expires_at: Some(at)
        }]
    );
    assert_eq!(c.advance_to(at - 1), vec![]);
    assert_eq!(c.balance(&a, POINT), 100);
    assert_eq!(c.advance_to(at), vec![expired(POINT, a, 100)]);
    assert_eq!(c.balance(&a, POINT), 0);
    assert_eq!(c.balance(&breakage(), POINT), 100);
    assert_eq!(
        c.holding(&breakage(), POINT).lots,
        vec![Lot {
            amount: 100,
            expires_at: None
        }]
    );
    let s = c.asset(POINT);
    assert_eq!((s.issued, s.burned, s.expired), (100, 0, 100));
    // It happens once.
    assert_eq!(c.advance_to(at + 400 * DAY), vec![]);
    assert_eq!(c.balance(&breakage(), POINT), 100);
    assert_eq!(c.asset(POINT).expired, 100);
}

#[test]
fn a_jump_past_the_expiry_expires_at_the_next_block() {
    let mut c = Chain::new();
    let (a, b) = (addr(&hana()), addr(&taro()));
    c.grant(&hana(), POINT, 70);
    c.grant(&taro(), POINT, 30);
    let ev = c.advance_to(c.time_ms + 365 * DAY);
    // In (time, asset, account) order: hana's lot was granted first.
    assert_eq!(ev, vec![expired(POINT, a, 70), expired(POINT, b, 30)]);
    assert_eq!(c.balance(&breakage(), POINT), 100);
}

#[test]
fn value_expiring_in_a_block_is_gone_before_its_transactions() {
    let mut c = Chain::new();
    let a = addr(&hana());
    c.grant(&hana(), POINT, 100);
    let at = c.time_ms + u64::from(POINT_DAYS) * DAY;
    let stx = c.sign(&hana(), pay_op(addr(&bakery()), "inv-1", 10, &[POINT]));
    let out = c.block_at(at, &[stx]);
    assert_eq!(out.begin_events, vec![expired(POINT, a, 100)]);
    let want = TxError::InsufficientToPay { have: 0, need: 10 };
    assert_eq!(out.receipts[0].error, Some(want));
}

#[test]
fn lots_received_at_different_times_expire_separately() {
    let mut c = Chain::new();
    let a = addr(&hana());
    c.grant(&hana(), POINT, 100);
    let first = c.time_ms + u64::from(POINT_DAYS) * DAY;
    c.advance_to(c.time_ms + 30 * DAY);
    c.grant(&hana(), POINT, 50);
    let second = c.time_ms + u64::from(POINT_DAYS) * DAY;
    assert_eq!(c.holding(&a, POINT).lots.len(), 2);
    assert_eq!(c.advance_to(first), vec![expired(POINT, a, 100)]);
    assert_eq!(
        c.holding(&a, POINT).lots,
        vec![Lot {
            amount: 50,
            expires_at: Some(second)
        }]
    );
    assert_eq!(c.advance_to(second - 1), vec![]);
    assert_eq!(c.advance_to(second), vec![expired(POINT, a, 50)]);
    assert_eq!(c.asset(POINT).expired, 150);
}

#[test]
fn grants_in_the_same_block_time_share_a_lot() {
    let mut c = Chain::new();
    let a = addr(&hana());
    let txs = vec![
        c.tx(&city(), 0, grant_op(a, POINT, 10, "", None))
            .sign(&city()),
        c.tx(&city(), 1, grant_op(a, POINT, 20, "", None))
            .sign(&city()),
    ];
    c.block(&txs);
    assert_eq!(
        c.holding(&a, POINT).lots,
        vec![Lot {
            amount: 30,
            expires_at: Some(c.time_ms + 180 * DAY)
        }]
    );
}

#[test]
fn spending_takes_the_earliest_expiring_lot_so_less_expires() {
    let mut c = Chain::new();
    let (a, m) = (addr(&hana()), addr(&mall()));
    c.grant(&hana(), POINT, 100);
    let first = c.time_ms + u64::from(POINT_DAYS) * DAY;
    c.advance_to(c.time_ms + DAY);
    c.grant(&hana(), POINT, 100);
    let second = c.time_ms + u64::from(POINT_DAYS) * DAY;
    c.ok(&hana(), burn_op(POINT, 120));
    assert_eq!(
        c.holding(&a, POINT).lots,
        vec![Lot {
            amount: 80,
            expires_at: Some(second)
        }]
    );
    c.ok(&hana(), pay_op(m, "inv-1", 30, &[POINT]));
    // Nothing of hana's is due at the first lot's time.
    let ev = c.advance_to(first);
    assert!(
        ev.iter()
            .all(|e| !matches!(e, Event::Expired { account, .. } if *account == a))
    );
    // The merchant's points keep the expiry they had in hana's wallet.
    let ev = c.advance_to(second);
    assert_eq!(ev.len(), 2);
    assert!(ev.contains(&expired(POINT, a, 50)));
    assert!(ev.contains(&expired(POINT, m, 30)));
}

#[test]
fn fixed_date_expires_everything_at_once() {
    let mut c = Chain::new();
    let (a, b, m) = (addr(&hana()), addr(&taro()), addr(&bakery()));
    c.grant(&hana(), VOUCHER, 10_000);
    c.advance_to(T0 + 30 * DAY);
    c.grant(&taro(), VOUCHER, 5_000);
    c.ok(&hana(), pay_op(m, "inv-1", 4_000, &[VOUCHER]));
    for who in [a, b, m] {
        assert!(
            c.holding(&who, VOUCHER)
                .lots
                .iter()
                .all(|l| l.expires_at == Some(VOUCHER_END))
        );
    }
    assert_eq!(c.advance_to(VOUCHER_END - 1), vec![]);
    let ev = c.advance_to(VOUCHER_END);
    assert_eq!(ev.len(), 3);
    assert!(ev.contains(&expired(VOUCHER, a, 6_000)));
    assert!(ev.contains(&expired(VOUCHER, b, 5_000)));
    assert!(ev.contains(&expired(VOUCHER, m, 4_000)));
    assert_eq!(c.balance(&breakage(), VOUCHER), 15_000);
    assert_eq!(c.asset(VOUCHER).expired, 15_000);
}

#[test]
fn nothing_is_minted_past_a_fixed_date() {
    let mut c = Chain::new();
    c.grant(&hana(), VOUCHER, 10);
    c.advance_to(VOUCHER_END);
    let e = c.refuse(&city(), grant_op(addr(&hana()), VOUCHER, 1_000, "", None));
    assert_eq!(
        e,
        TxError::Policy {
            asset: VOUCHER.into(),
            rule: Rule::MintAfterFixedExpiry,
        }
    );
    let s = c.asset(VOUCHER);
    assert_eq!((s.issued, s.expired), (10, 10));
    // Lots and rolling periods start from now: minted, they are not due.
    c.grant(&hana(), POINT, 1);
    c.grant(&hana(), ROLLING, 1);
    assert!(c.advance_to(c.time_ms + 1).is_empty());
}

#[test]
fn breakage_account_ignores_the_holding_cap() {
    let mut c = Chain::new();
    for (i, k) in [hana(), taro(), emma()].iter().enumerate() {
        c.ok(
            &city(),
            grant_op(addr(k), VOUCHER, VOUCHER_CAP, "", Some(&format!("set-{i}"))),
        );
    }
    let ev = c.advance_to(VOUCHER_END);
    assert_eq!(ev.len(), 3);
    assert_eq!(c.balance(&breakage(), VOUCHER), 3 * VOUCHER_CAP);
}

#[test]
fn rolling_expiry_restarts_on_every_change() {
    let mut c = Chain::new();
    let (a, b) = (addr(&hana()), addr(&taro()));
    let period = u64::from(ROLLING_DAYS) * DAY;
    c.grant(&hana(), ROLLING, 100);
    let t1 = c.time_ms;
    assert_eq!(
        c.holding(&a, ROLLING).lots,
        vec![Lot {
            amount: 100,
            expires_at: Some(t1 + period)
        }]
    );
    // Receiving more at day 20 moves the whole holding's expiry.
    c.advance_to(t1 + 20 * DAY);
    c.grant(&hana(), ROLLING, 10);
    let t2 = c.time_ms;
    assert_eq!(
        c.holding(&a, ROLLING).lots,
        vec![Lot {
            amount: 110,
            expires_at: Some(t2 + period)
        }]
    );
    assert_eq!(c.holding(&a, ROLLING).last_change_ms, t2);
    assert_eq!(c.advance_to(t1 + period), vec![]);
    // Spending at day 45 moves it again, for the sender and the receiver.
    c.advance_to(t1 + 45 * DAY);
    c.ok(&hana(), transfer_op(b, ROLLING, 40));
    let t3 = c.time_ms;
    assert_eq!(
        c.holding(&a, ROLLING).lots,
        vec![Lot {
            amount: 70,
            expires_at: Some(t3 + period)
        }]
    );
    assert_eq!(
        c.holding(&b, ROLLING).lots,
        vec![Lot {
            amount: 40,
            expires_at: Some(t3 + period)
        }]
    );
    assert_eq!(c.advance_to(t2 + period), vec![]);
    assert_eq!(c.advance_to(t3 + period - 1), vec![]);
    let ev = c.advance_to(t3 + period);
    assert_eq!(ev.len(), 2);
    assert!(ev.contains(&expired(ROLLING, a, 70)));
    assert!(ev.contains(&expired(ROLLING, b, 40)));
    assert_eq!(c.asset(ROLLING).expired, 110);
}

#[test]
fn expired_value_is_never_lost() {
    let mut c = Chain::new();
    c.grant(&hana(), POINT, 100);
    c.grant(&taro(), ROLLING, 100);
    c.grant(&emma(), VOUCHER, 100);
    c.advance_to(T0 + 400 * DAY);
    for asset in [POINT, ROLLING, VOUCHER] {
        let s = c.asset(asset);
        assert_eq!(s.expired, 100, "{asset}");
        assert_eq!(c.balance(&breakage(), asset), s.issued - s.burned);
    }
}

#[test]
fn value_sent_to_the_breakage_account_is_not_counted_as_expired_again() {
    let mut c = Chain::new();
    let a = addr(&hana());
    let period = u64::from(ROLLING_DAYS) * DAY;
    c.grant(&hana(), ROLLING, 1_000);
    c.advance_to(c.time_ms + period);
    assert_eq!(c.asset(ROLLING).expired, 1_000);
    // Someone sends a little rolling value to the breakage account: under the
    // rolling policy the whole breakage holding gets a clock again.
    c.grant(&hana(), ROLLING, 5);
    c.ok(&hana(), transfer_op(breakage(), ROLLING, 5));
    assert_eq!(c.balance(&a, ROLLING), 0);
    let ev = c.advance_to(c.time_ms + 2 * period);
    assert!(
        ev.iter()
            .all(|e| !matches!(e, Event::Expired { account, .. } if *account == breakage())),
        "breakage expired into itself: {ev:?}"
    );
    let s = c.asset(ROLLING);
    assert_eq!(
        s.expired, 1_000,
        "expired counts only what left a holder by expiry"
    );
    assert_eq!(c.balance(&breakage(), ROLLING), 1_005);
    assert!(
        c.holding(&breakage(), ROLLING)
            .lots
            .iter()
            .all(|l| l.expires_at.is_none())
    );
    // Nothing remains queued: later blocks have no expiry work.
    assert_eq!(c.advance_to(c.time_ms + 10 * period), vec![]);
    assert_eq!(c.asset(ROLLING).expired, 1_000);
}

#[test]
fn a_holding_keeps_at_most_the_lot_limit_merging_into_the_latest() {
    use yui_ledger::limits::LOTS_PER_HOLDING_MAX;
    let mut c = Chain::new();
    let a = addr(&hana());
    for _ in 0..=LOTS_PER_HOLDING_MAX {
        c.grant(&hana(), POINT, 10);
    }
    let h = c.holding(&a, POINT);
    assert_eq!(h.lots.len(), LOTS_PER_HOLDING_MAX);
    assert_eq!(h.total(), 10 * (LOTS_PER_HOLDING_MAX as u64 + 1));
    // The extra grant joined the latest lot, which now expires with it.
    let last = h.lots[LOTS_PER_HOLDING_MAX - 1].clone();
    assert_eq!(
        last,
        Lot {
            amount: 20,
            expires_at: Some(c.time_ms + u64::from(POINT_DAYS) * DAY)
        }
    );
    assert!(h.lots.windows(2).all(|w| w[0].expires_at < w[1].expires_at));
    // Everything still expires, lot by lot, into breakage.
    c.advance_to(c.time_ms + 181 * DAY);
    assert_eq!(c.balance(&a, POINT), 0);
    assert_eq!(
        c.asset(POINT).expired,
        10 * (LOTS_PER_HOLDING_MAX as u64 + 1)
    );
}

mod due_scan {
    use proptest::prelude::*;
    use yui_ledger::state::{MemState, Overlay, StateRead, scan_due};

    fn key(tag: u8, t: u64, n: u16) -> Vec<u8> {
        let mut k = vec![tag];
        k.extend_from_slice(&t.to_be_bytes());
        k.extend_from_slice(&n.to_be_bytes());
        k
    }

    proptest! {
        /// Reading the queue in chunks up to the first entry not yet due gives
        /// what the block start used to take: the due entries among the
        /// queue's first `limit`, through an overlay that deletes and adds.
        #[test]
        fn due_entries_are_those_among_the_queue_head(
            times in proptest::collection::vec(0u64..400, 0..600),
            added in proptest::collection::vec(0u64..400, 0..40),
            deleted in proptest::collection::vec(any::<prop::sample::Index>(), 0..40),
            now in 0u64..450,
            limit in 1usize..300,
        ) {
            let mut base = MemState::default();
            // Neighbouring tags on both sides: the scan must stay inside its prefix.
            base.insert(key(b'w', 0, 0), vec![]);
            base.insert(key(b'y', 0, 0), vec![]);
            for (n, t) in times.iter().enumerate() {
                base.insert(key(b'x', *t, n as u16), vec![1]);
            }
            let keys: Vec<Vec<u8>> = base.keys().cloned().collect();
            let mut ov = Overlay::new(&base);
            for (n, t) in added.iter().enumerate() {
                ov.put(key(b'x', *t, 1000 + n as u16), vec![2]);
            }
            for i in &deleted {
                ov.delete(keys[i.index(keys.len())].clone());
            }
            let reference: Vec<_> = ov
                .scan(b"x", b"x", limit)
                .unwrap()
                .into_iter()
                .filter(|(k, _)| u64::from_be_bytes(k[1..9].try_into().unwrap()) <= now)
                .collect();
            prop_assert_eq!(scan_due(&ov, b"x", now, limit).unwrap(), reference);
        }
    }
}
