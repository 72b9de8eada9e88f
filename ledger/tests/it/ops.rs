//! Every operation's success path: balances, supply figures, records and events.

use yui_ledger::Event;
use yui_ledger::TxError;
use yui_ledger::receipt::MintSource;
use yui_ledger::state::Lot;

use crate::fixture::*;

#[test]
fn charge_mints_coins_and_campaign_bonus() {
    let mut c = Chain::new();
    let a = addr(&hana());
    let events = c.charge(&hana(), 1_000, "dep-1", Some(CAMPAIGN));
    let bonus_exp = Some(c.time_ms + u64::from(POINT_DAYS) * DAY);
    assert_eq!(
        events,
        vec![
            Event::Minted {
                asset: COIN.into(),
                to: a,
                amount: 1_000,
                source: MintSource::Charge,
                expires_at: None
            },
            Event::Minted {
                asset: POINT.into(),
                to: a,
                amount: 10,
                source: MintSource::Bonus {
                    campaign: CAMPAIGN.into()
                },
                expires_at: bonus_exp,
            },
        ]
    );
    assert_eq!(c.balance(&a, COIN), 1_000);
    assert_eq!(c.balance(&a, POINT), 10);
    assert_eq!(c.asset(COIN).issued, 1_000);
    assert_eq!(c.asset(POINT).issued, 10);
    assert_eq!(c.campaign(CAMPAIGN).budget_remaining, CAMPAIGN_BUDGET - 10);
    // Receiving value made no new account: Hana was in genesis. A new
    // receiver gets an account record.
    let newcomer = key(77).address();
    assert!(c.account(&newcomer).is_none());
    c.ok(&city(), charge_op(newcomer, 5, "dep-2", None));
    assert_eq!(c.account(&newcomer).map(|a| a.nonce), Some(0));
    assert_eq!(c.balance(&newcomer, COIN), 5);
}

#[test]
fn campaign_bonus_is_partial_when_budget_runs_out_then_stops() {
    let mut c = Chain::new();
    let a = addr(&hana());
    let b = addr(&taro());
    assert_eq!(CAMPAIGN_BUDGET, 150);
    c.charge(&hana(), 10_000, "d1", Some(CAMPAIGN)); // 100 of 150
    // 1% of 10,000 is 100, but only 50 is left: a partial bonus, then exhausted.
    let ev = c.charge(&taro(), 10_000, "d2", Some(CAMPAIGN));
    assert_eq!(ev.len(), 3);
    assert!(
        matches!(&ev[1], Event::Minted { asset, amount: 50, to, .. } if asset == POINT && *to == b)
    );
    assert_eq!(
        ev[2],
        Event::CampaignExhausted {
            campaign: CAMPAIGN.into()
        }
    );
    assert_eq!(c.campaign(CAMPAIGN).budget_remaining, 0);
    assert_eq!(c.balance(&b, POINT), 50);
    // Nothing more is granted, and the exhaustion is announced only once.
    let ev = c.charge(&hana(), 5_000, "d3", Some(CAMPAIGN));
    assert_eq!(ev.len(), 1);
    assert!(matches!(&ev[0], Event::Minted { asset, amount: 5_000, .. } if asset == COIN));
    assert_eq!(c.balance(&a, POINT), 100);
    assert_eq!(c.balance(&a, COIN), 15_000);
    assert_eq!(c.asset(POINT).issued, CAMPAIGN_BUDGET);
}

#[test]
fn bonus_rounds_down_and_charge_without_campaign_has_none() {
    let mut c = Chain::new();
    let a = addr(&hana());
    // 1% of 99 is 0.99: no bonus, budget untouched.
    let ev = c.charge(&hana(), 99, "d1", Some(CAMPAIGN));
    assert_eq!(ev.len(), 1);
    assert_eq!(c.campaign(CAMPAIGN).budget_remaining, CAMPAIGN_BUDGET);
    let ev = c.charge(&hana(), 1_000, "d2", None);
    assert_eq!(ev.len(), 1);
    assert_eq!(c.balance(&a, POINT), 0);
    assert_eq!(c.balance(&a, COIN), 1_099);
}

#[test]
fn grant_records_reason_and_event_once_per_person() {
    let mut c = Chain::new();
    let a = addr(&hana());
    let b = addr(&taro());
    let exp = Some(c.time_ms + BLOCK_MS + u64::from(POINT_DAYS) * DAY);
    let ev = c.ok(
        &city(),
        grant_op(
            a,
            POINT,
            300,
            "volunteering: river clean-up",
            Some("cleanup-2026"),
        ),
    );
    assert_eq!(
        ev,
        vec![Event::Minted {
            asset: POINT.into(),
            to: a,
            amount: 300,
            source: MintSource::Grant {
                reason: "volunteering: river clean-up".into()
            },
            expires_at: exp,
        }]
    );
    // Same event, another person: fine. Same person, another event: fine.
    c.ok(
        &city(),
        grant_op(b, POINT, 300, "volunteering", Some("cleanup-2026")),
    );
    c.ok(
        &city(),
        grant_op(a, POINT, 50, "health walk", Some("walk-2026")),
    );
    // Grants without an event may repeat; an empty reason reads "grant".
    let ev = c.ok(&city(), grant_op(a, POINT, 1, "", None));
    let Event::Minted { source, .. } = &ev[0] else {
        panic!("not a mint: {:?}", ev[0]);
    };
    assert_eq!(*source, MintSource::Grant { reason: "".into() });
    assert_eq!(source.label(), "grant");
    c.ok(&city(), grant_op(a, POINT, 1, "", None));
    assert_eq!(c.balance(&a, POINT), 352);
    assert_eq!(c.balance(&b, POINT), 300);
    assert_eq!(c.asset(POINT).issued, 652);
    // Vouchers are granted too, with the fixed expiry.
    let ev = c.ok(&city(), grant_op(a, VOUCHER, 13_000, "voucher set", None));
    assert!(matches!(&ev[0], Event::Minted { expires_at: Some(t), .. } if *t == VOUCHER_END));
}

#[test]
fn transfer_moves_value_and_reports_it() {
    let mut c = Chain::new();
    let (a, b) = (addr(&hana()), addr(&taro()));
    c.charge(&hana(), 500, "d1", None);
    let ev = c.ok(&hana(), transfer_op(b, COIN, 120));
    assert_eq!(
        ev,
        vec![Event::Transferred {
            asset: COIN.into(),
            from: a,
            to: b,
            amount: 120
        }]
    );
    assert_eq!(c.balance(&a, COIN), 380);
    assert_eq!(c.balance(&b, COIN), 120);
    // Transferring everything removes the holding record.
    c.ok(&hana(), transfer_op(b, COIN, 380));
    assert_eq!(c.holding(&a, COIN).lots, vec![]);
    assert_eq!(c.balance(&b, COIN), 500);
    assert_eq!(c.asset(COIN).issued, 500);
}

#[test]
fn pay_by_policy_order_draws_points_before_coins() {
    let mut c = Chain::new();
    let (a, m) = (addr(&hana()), addr(&mall()));
    c.charge(&hana(), 1_000, "d1", None);
    c.grant(&hana(), POINT, 30);
    let ev = c.ok(&hana(), pay_op(m, "inv-1", 100, &[]));
    let parts = vec![(POINT.to_string(), 30), (COIN.to_string(), 70)];
    assert_eq!(
        ev,
        vec![Event::Paid {
            merchant: m,
            payer: a,
            invoice_id: "inv-1".into(),
            parts: parts.clone()
        }]
    );
    assert_eq!(c.balance(&a, POINT), 0);
    assert_eq!(c.balance(&a, COIN), 930);
    assert_eq!(c.balance(&m, POINT), 30);
    assert_eq!(c.balance(&m, COIN), 70);
    let inv = c.invoice(&m, "inv-1").unwrap();
    assert_eq!(inv.payer, a);
    assert_eq!(inv.amount, 100);
    assert_eq!(inv.parts, parts);
    assert_eq!(inv.refunded, 0);
    assert_eq!(inv.paid_at_height, c.height);
}

#[test]
fn pay_in_wallet_named_order() {
    let mut c = Chain::new();
    let (a, m) = (addr(&hana()), addr(&mall()));
    c.charge(&hana(), 1_000, "d1", None);
    c.grant(&hana(), POINT, 30);
    let ev = c.ok(&hana(), pay_op(m, "inv-1", 1_010, &[COIN, POINT]));
    assert!(matches!(&ev[0], Event::Paid { parts, .. }
        if *parts == vec![(COIN.to_string(), 1_000), (POINT.to_string(), 10)]));
    assert_eq!(c.balance(&a, POINT), 20);
    // Naming only coins never touches points.
    c.charge(&hana(), 50, "d2", None);
    c.ok(&hana(), pay_op(m, "inv-2", 50, &[COIN]));
    assert_eq!(c.balance(&a, POINT), 20);
    assert_eq!(c.balance(&a, COIN), 0);
}

#[test]
fn pay_takes_earliest_expiring_lot_first() {
    let mut c = Chain::new();
    let (a, m) = (addr(&hana()), addr(&bakery()));
    c.grant(&hana(), POINT, 100);
    let first = c.time_ms + u64::from(POINT_DAYS) * DAY;
    c.advance_to(c.time_ms + 10 * DAY);
    c.grant(&hana(), POINT, 100);
    let second = c.time_ms + u64::from(POINT_DAYS) * DAY;
    assert_eq!(
        c.holding(&a, POINT).lots,
        vec![
            Lot {
                amount: 100,
                expires_at: Some(first)
            },
            Lot {
                amount: 100,
                expires_at: Some(second)
            }
        ]
    );
    c.ok(&hana(), pay_op(m, "inv-1", 150, &[]));
    assert_eq!(
        c.holding(&a, POINT).lots,
        vec![Lot {
            amount: 50,
            expires_at: Some(second)
        }]
    );
    // The merchant received the lots with their expiries.
    assert_eq!(
        c.holding(&m, POINT).lots,
        vec![
            Lot {
                amount: 100,
                expires_at: Some(first)
            },
            Lot {
                amount: 50,
                expires_at: Some(second)
            }
        ]
    );
}

#[test]
fn vouchers_pay_only_at_small_local_merchants() {
    let mut c = Chain::new();
    let a = addr(&hana());
    let (small, large, public) = (addr(&bakery()), addr(&mall()), addr(&library()));
    c.grant(&hana(), VOUCHER, 1_000);
    c.charge(&hana(), 1_000, "d1", None);
    // Policy order skips vouchers at a large merchant and at a public facility.
    let ev = c.ok(&hana(), pay_op(large, "l-1", 300, &[]));
    assert!(matches!(&ev[0], Event::Paid { parts, .. } if *parts == vec![(COIN.to_string(), 300)]));
    let ev = c.ok(&hana(), pay_op(public, "p-1", 100, &[]));
    assert!(matches!(&ev[0], Event::Paid { parts, .. } if *parts == vec![(COIN.to_string(), 100)]));
    assert_eq!(c.balance(&a, VOUCHER), 1_000);
    // At a small local shop vouchers go first (lowest pay_priority).
    let ev = c.ok(&hana(), pay_op(small, "s-1", 1_200, &[]));
    assert!(matches!(&ev[0], Event::Paid { parts, .. }
        if *parts == vec![(VOUCHER.to_string(), 1_000), (COIN.to_string(), 200)]));
    assert_eq!(c.balance(&small, VOUCHER), 1_000);
    assert_eq!(c.balance(&a, COIN), 400);
}

#[test]
fn points_are_spendable_at_any_merchant_class() {
    let mut c = Chain::new();
    c.grant(&hana(), POINT, 30);
    for (i, m) in [bakery(), mall(), library()].iter().enumerate() {
        c.ok(&hana(), pay_op(addr(m), "inv", 10, &[POINT]));
        assert_eq!(c.balance(&addr(m), POINT), 10);
        assert_eq!(c.balance(&addr(&hana()), POINT), 20 - 10 * i as u64);
    }
}

#[test]
fn refund_in_parts_last_drawn_first_never_above_paid() {
    let mut c = Chain::new();
    let (a, m) = (addr(&hana()), addr(&mall()));
    c.charge(&hana(), 1_000, "d1", None);
    c.grant(&hana(), POINT, 10);
    c.ok(&hana(), pay_op(m, "inv-1", 100, &[])); // 10 points, then 90 coins
    let ev = c.ok(&mall(), refund_op("inv-1", 50));
    assert_eq!(
        ev,
        vec![Event::Refunded {
            merchant: m,
            payer: a,
            invoice_id: "inv-1".into(),
            parts: vec![(COIN.to_string(), 50)]
        }]
    );
    assert_eq!(c.balance(&a, COIN), 960);
    let ev = c.ok(&mall(), refund_op("inv-1", 45));
    assert!(matches!(&ev[0], Event::Refunded { parts, .. }
        if *parts == vec![(COIN.to_string(), 40), (POINT.to_string(), 5)]));
    assert_eq!(c.balance(&a, COIN), 1_000);
    assert_eq!(c.balance(&a, POINT), 5);
    // Refunded points are received anew: a fresh lot expiring from now.
    assert_eq!(
        c.holding(&a, POINT).lots,
        vec![Lot {
            amount: 5,
            expires_at: Some(c.time_ms + 180 * DAY)
        }]
    );
    assert_eq!(c.invoice(&m, "inv-1").unwrap().refunded, 95);
    assert_eq!(
        c.refuse(&mall(), refund_op("inv-1", 6)),
        yui_ledger::TxError::RefundTooLarge { asked: 6, left: 5 }
    );
    let ev = c.ok(&mall(), refund_op("inv-1", 5));
    assert!(
        matches!(&ev[0], Event::Refunded { parts, .. } if *parts == vec![(POINT.to_string(), 5)])
    );
    assert_eq!(
        c.refuse(&mall(), refund_op("inv-1", 1)),
        yui_ledger::TxError::RefundTooLarge { asked: 1, left: 0 }
    );
    assert_eq!(c.balance(&m, COIN), 0);
    assert_eq!(c.balance(&m, POINT), 0);
    assert_eq!(c.balance(&a, POINT), 10);
    // A refunded invoice stays paid.
    assert_eq!(
        c.refuse(&hana(), pay_op(m, "inv-1", 1, &[])),
        yui_ledger::TxError::InvoiceAlreadyPaid("inv-1".into())
    );
}

#[test]
fn redeem_burns_coins_and_pays_the_fee_to_the_city() {
    let mut c = Chain::new();
    let (m, op) = (addr(&bakery()), addr(&city()));
    c.charge(&hana(), 20_000, "d1", None);
    c.ok(&hana(), pay_op(m, "inv-1", 10_000, &[]));
    let ev = c.ok(&bakery(), redeem_op(COIN, 10_000, "bank-0001"));
    assert_eq!(
        ev,
        vec![Event::Redeemed {
            merchant: m,
            asset: COIN.into(),
            amount: 10_000,
            fee: 150,
            fee_account: op,
            payout_ref: "bank-0001".into(),
        }]
    );
    assert_eq!(c.balance(&m, COIN), 0);
    assert_eq!(c.balance(&op, COIN), 150);
    let s = c.asset(COIN);
    assert_eq!((s.issued, s.burned), (20_000, 9_850));
    // The fee rounds down: 1.5% of 66 is 0.99.
    c.ok(&hana(), pay_op(m, "inv-2", 66, &[]));
    let ev = c.ok(&bakery(), redeem_op(COIN, 66, "bank-0002"));
    assert!(matches!(
        &ev[0],
        Event::Redeemed {
            fee: 0,
            amount: 66,
            ..
        }
    ));
    assert_eq!(c.asset(COIN).burned, 9_916);
    assert_eq!(c.balance(&op, COIN), 150);
    // A payout reference is used once.
    c.ok(&hana(), pay_op(m, "inv-3", 100, &[]));
    assert_eq!(
        c.refuse(&bakery(), redeem_op(COIN, 100, "bank-0001")),
        yui_ledger::TxError::PayoutReused("bank-0001".into())
    );
    assert_eq!(c.balance(&m, COIN), 100);
}

#[test]
fn vouchers_are_redeemable_without_fee() {
    let mut c = Chain::new();
    let m = addr(&bakery());
    c.grant(&hana(), VOUCHER, 500);
    c.ok(&hana(), pay_op(m, "inv-1", 500, &[VOUCHER]));
    let ev = c.ok(&bakery(), redeem_op(VOUCHER, 500, "v-1"));
    assert!(matches!(
        &ev[0],
        Event::Redeemed {
            fee: 0,
            amount: 500,
            ..
        }
    ));
    assert_eq!(c.asset(VOUCHER).burned, 500);
    assert_eq!(c.balance(&m, VOUCHER), 0);
}

#[test]
fn burn_destroys_value() {
    let mut c = Chain::new();
    let a = addr(&hana());
    c.charge(&hana(), 500, "d1", None);
    let ev = c.ok(&hana(), burn_op(COIN, 123));
    assert_eq!(
        ev,
        vec![Event::Burned {
            asset: COIN.into(),
            from: a,
            amount: 123
        }]
    );
    assert_eq!(c.balance(&a, COIN), 377);
    assert_eq!(c.asset(COIN).burned, 123);
    c.grant(&hana(), POINT, 7);
    c.ok(&hana(), burn_op(POINT, 7));
    assert_eq!(c.balance(&a, POINT), 0);
    assert_eq!(c.asset(POINT).burned, 7);
}

#[test]
fn receipts_name_tx_signer_height_and_index() {
    let mut c = Chain::new();
    let txs = vec![
        c.sign(&city(), charge_op(addr(&hana()), 100, "d1", None)),
        c.tx(&city(), 1, grant_op(addr(&taro()), POINT, 5, "x", None))
            .sign(&city()),
        c.sign(&hana(), transfer_op(addr(&taro()), COIN, 1_000)), // fails: she has 100
    ];
    let out = c.block(&txs);
    for (i, (r, t)) in out.receipts.iter().zip(&txs).enumerate() {
        assert_eq!(r.tx_hash, t.hash());
        assert_eq!(r.signer, t.tx.signer);
        assert_eq!(r.height, 1);
        assert_eq!(r.index, i as u32);
    }
    assert_eq!(out.receipts[0].error, None);
    assert_eq!(out.receipts[1].error, None);
    assert_eq!(
        out.receipts[2].error,
        Some(TxError::Insufficient {
            asset: COIN.into(),
            have: 100,
            need: 1_000,
        })
    );
    assert_eq!(c.nonce(&addr(&city())), 2);
    assert_eq!(c.nonce(&addr(&hana())), 1);
    assert_eq!(c.balance(&addr(&hana()), COIN), 100);
    // The block recorded its height and time.
    let info: yui_ledger::exec::BlockInfo =
        yui_ledger::state::read(&c.state, &yui_ledger::exec::block_info_key())
            .unwrap()
            .unwrap();
    assert_eq!((info.height, info.time_ms), (1, c.time_ms));
}

#[test]
fn a_failed_operation_does_not_stop_the_next_one_from_the_same_signer() {
    let mut c = Chain::new();
    c.charge(&hana(), 100, "d1", None);
    let a = addr(&hana());
    let n = c.nonce(&a);
    let txs = vec![
        c.tx(&hana(), n, burn_op(COIN, 1_000)).sign(&hana()),
        c.tx(&hana(), n + 1, burn_op(COIN, 40)).sign(&hana()),
    ];
    let out = c.block(&txs);
    assert!(out.receipts[0].error.is_some());
    assert_eq!(out.receipts[1].error, None);
    assert_eq!(c.balance(&a, COIN), 60);
    assert_eq!(c.nonce(&a), n + 2);
}
