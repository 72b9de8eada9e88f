//! Every refusal: the exact `TxError`, its `kind`, and that nothing changes
//! but (for an operation failing inside a block) the signer's nonce.

use yui_ledger::crypto::SignatureError;
use yui_ledger::error::{Field, Quantity, RoleNeeded, Rule};
use yui_ledger::limits::{ID_LEN_MAX, PAY_ASSETS_MAX, REASON_LEN_MAX, TX_BYTES_MAX};
use yui_ledger::{
    BlockExecutor, ErrorKind, Expiry, Operation, SignedTransaction, TxError, check_tx,
};

use crate::fixture::*;

/// Checks a transaction refused before its operation runs (signature, chain,
/// nonce, expiry, signer): `check_tx` refuses it, a block holding it is
/// invalid, and a block builder leaves it out without changing anything.
fn refused_before_op(c: &Chain, stx: &SignedTransaction) -> TxError {
    let ctx = c.next_ctx();
    let before = c.state.clone();
    let err = check_tx(&c.state, &ctx, stx).unwrap_err();
    assert_eq!(c.state, before);
    let (i, e) = c
        .try_block_at(ctx.time_ms, std::slice::from_ref(stx))
        .unwrap_err();
    assert_eq!((i, &e), (0, &err));
    let mut ex = BlockExecutor::begin(&c.state, ctx.clone()).unwrap();
    assert_eq!(ex.push(stx, false).unwrap_err(), err);
    assert!(ex.is_empty());
    let empty = BlockExecutor::begin(&c.state, ctx).unwrap().finish();
    assert_eq!(ex.finish(), empty);
    err
}

#[test]
fn wrong_chain_id() {
    let c = Chain::new();
    let mut tx = c.tx(&hana(), 0, burn_op(COIN, 1));
    tx.chain_id = "another-town".into();
    let e = refused_before_op(&c, &tx.sign(&hana()));
    assert_eq!(
        e,
        TxError::WrongChain {
            expected: CHAIN_ID.into(),
            got: "another-town".into()
        }
    );
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
}

#[test]
fn bad_signature() {
    let c = Chain::new();
    // Hana's transaction signed by Taro.
    let stx = c.tx(&hana(), 0, burn_op(COIN, 1)).sign(&taro());
    let e = refused_before_op(&c, &stx);
    assert_eq!(e, TxError::BadSignature(SignatureError::Invalid));
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    // A signer that is not a curve point.
    let mut tx = c.tx(&hana(), 0, burn_op(COIN, 1));
    tx.signer = yui_ledger::Address([0xff; 32]);
    let e = refused_before_op(&c, &tx.sign(&hana()));
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
}

#[test]
fn replayed_nonce() {
    let mut c = Chain::new();
    c.charge(&hana(), 100, "d1", None);
    let stx = c.sign(&hana(), burn_op(COIN, 1));
    c.block(std::slice::from_ref(&stx));
    assert_eq!(c.balance(&addr(&hana()), COIN), 99);
    let e = refused_before_op(&c, &stx);
    assert_eq!(
        e,
        TxError::NonceUsed {
            expected: 1,
            got: 0
        }
    );
    assert_eq!(e.kind(), ErrorKind::AlreadyExists);
    // The same transaction twice in one block: the second is refused.
    let stx = c.sign(&hana(), burn_op(COIN, 1));
    let (i, e) = c
        .try_block_at(c.time_ms + BLOCK_MS, &[stx.clone(), stx])
        .unwrap_err();
    assert_eq!(
        (i, e),
        (
            1,
            TxError::NonceUsed {
                expected: 2,
                got: 1
            }
        )
    );
}

#[test]
fn nonce_gap_waits_in_the_mempool_but_not_in_a_block() {
    let c = Chain::new();
    let stx = c.tx(&hana(), 5, burn_op(COIN, 1)).sign(&hana());
    let ctx = c.next_ctx();
    assert_eq!(check_tx(&c.state, &ctx, &stx), Ok(()));
    let (i, e) = c.try_block_at(ctx.time_ms, &[stx]).unwrap_err();
    assert_eq!(i, 0);
    assert_eq!(
        e,
        TxError::NonceGap {
            expected: 0,
            got: 5
        }
    );
    assert_eq!(e.kind(), ErrorKind::FailedPrecondition);
}

#[test]
fn expired_by_height_and_by_time() {
    let mut c = Chain::new();
    c.charge(&hana(), 100, "d1", None); // height 1
    let ctx = c.next_ctx(); // height 2
    let mut tx = c.tx(&hana(), 0, burn_op(COIN, 1));
    tx.expiry = Expiry::Height(1);
    let e = refused_before_op(&c, &tx.clone().sign(&hana()));
    assert_eq!(e, TxError::Expired(Expiry::Height(1)));
    assert_eq!(e.kind(), ErrorKind::FailedPrecondition);
    tx.expiry = Expiry::Time(ctx.time_ms - 1);
    let e = refused_before_op(&c, &tx.clone().sign(&hana()));
    assert_eq!(e, TxError::Expired(Expiry::Time(ctx.time_ms - 1)));
    // At exactly the bound it is still valid.
    tx.expiry = Expiry::Time(ctx.time_ms);
    assert_eq!(check_tx(&c.state, &ctx, &tx.clone().sign(&hana())), Ok(()));
    tx.expiry = Expiry::Height(2);
    c.block(&[tx.sign(&hana())]);
    assert_eq!(c.balance(&addr(&hana()), COIN), 99);
}

#[test]
fn unknown_signer_account() {
    let c = Chain::new();
    let stx = c.tx(&stranger(), 0, burn_op(COIN, 1)).sign(&stranger());
    let e = refused_before_op(&c, &stx);
    assert_eq!(e, TxError::UnknownAccount(addr(&stranger())));
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

#[test]
fn unknown_asset_campaign_and_invoice() {
    let mut c = Chain::new();
    c.charge(&hana(), 100, "d1", None);
    let e = c.refuse(&hana(), transfer_op(addr(&taro()), "gold", 1));
    assert_eq!(e, TxError::UnknownAsset("gold".into()));
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let e = c.refuse(&hana(), burn_op("gold", 1));
    assert_eq!(e, TxError::UnknownAsset("gold".into()));
    let e = c.refuse(&hana(), pay_op(addr(&bakery()), "i", 1, &["gold"]));
    assert_eq!(e, TxError::UnknownAsset("gold".into()));

    let e = c.refuse(&city(), charge_op(addr(&hana()), 100, "d2", Some("summer")));
    assert_eq!(e, TxError::UnknownCampaign("summer".into()));
    assert_eq!(e.kind(), ErrorKind::NotFound);
    // Nothing of the refused charge stuck: its deposit reference is still free.
    assert_eq!(c.balance(&addr(&hana()), COIN), 100);
    c.charge(&hana(), 100, "d2", None);

    let e = c.refuse(&bakery(), refund_op("no-such-invoice", 1));
    assert_eq!(e, TxError::UnknownInvoice("no-such-invoice".into()));
    assert_eq!(e.kind(), ErrorKind::NotFound);
    // Paying an account that does not exist.
    let e = c.refuse(&hana(), pay_op(addr(&stranger()), "i", 1, &[]));
    assert_eq!(e, TxError::UnknownAccount(addr(&stranger())));
}

#[test]
fn missing_roles() {
    let mut c = Chain::new();
    c.charge(&hana(), 1_000, "d1", None);
    let a = addr(&hana());
    let e = c.refuse(&hana(), charge_op(a, 100, "d2", None));
    assert_eq!(
        e,
        TxError::MissingRole {
            account: a,
            role: RoleNeeded::Issuer(COIN.into())
        }
    );
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    let e = c.refuse(&bakery(), grant_op(a, POINT, 100, "", None));
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    let e = c.refuse(&hana(), redeem_op(COIN, 100, "p1"));
    assert_eq!(
        e,
        TxError::MissingRole {
            account: a,
            role: RoleNeeded::Merchant
        }
    );
    let b = addr(&taro());
    let e = c.refuse(&hana(), pay_op(b, "inv-1", 100, &[]));
    assert_eq!(
        e,
        TxError::MissingRole {
            account: b,
            role: RoleNeeded::Merchant
        }
    );
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert_eq!(c.balance(&a, COIN), 1_000);
}

#[test]
fn overspend() {
    let mut c = Chain::new();
    let a = addr(&hana());
    c.charge(&hana(), 100, "d1", None);
    c.grant(&hana(), POINT, 20);
    let e = c.refuse(&hana(), transfer_op(addr(&taro()), COIN, 101));
    assert_eq!(
        e,
        TxError::Insufficient {
            asset: COIN.into(),
            have: 100,
            need: 101
        }
    );
    assert_eq!(e.kind(), ErrorKind::FailedPrecondition);
    let e = c.refuse(&hana(), burn_op(POINT, 21));
    assert_eq!(
        e,
        TxError::Insufficient {
            asset: POINT.into(),
            have: 20,
            need: 21
        }
    );
    // A payment checks the sum of what may be spent at this merchant.
    let e = c.refuse(&hana(), pay_op(addr(&bakery()), "inv-1", 121, &[]));
    assert_eq!(
        e,
        TxError::InsufficientToPay {
            have: 120,
            need: 121
        }
    );
    // Nothing was drawn by the failed payment.
    assert_eq!((c.balance(&a, COIN), c.balance(&a, POINT)), (100, 20));
    let e = c.refuse(&hana(), pay_op(addr(&bakery()), "inv-1", 101, &[COIN]));
    assert_eq!(
        e,
        TxError::InsufficientToPay {
            have: 100,
            need: 101
        }
    );
    // A merchant cannot refund what it no longer holds.
    c.ok(&hana(), pay_op(addr(&bakery()), "inv-1", 50, &[COIN]));
    c.ok(&bakery(), redeem_op(COIN, 50, "p1"));
    let e = c.refuse(&bakery(), refund_op("inv-1", 10));
    assert_eq!(
        e,
        TxError::Insufficient {
            asset: COIN.into(),
            have: 0,
            need: 10
        }
    );
    let e = c.refuse(&bakery(), redeem_op(COIN, 1, "p2"));
    assert_eq!(
        e,
        TxError::Insufficient {
            asset: COIN.into(),
            have: 0,
            need: 1
        }
    );
}

#[test]
fn amount_overflow_is_refused_never_wrapped() {
    let mut c = Chain::new();
    let (a, b) = (addr(&hana()), addr(&taro()));
    c.ok(&city(), grant_op(a, POINT, u64::MAX, "", None));
    assert_eq!(c.balance(&a, POINT), u64::MAX);
    let e = c.refuse(&city(), grant_op(a, POINT, u64::MAX, "", None));
    assert_eq!(e, TxError::Overflow(Quantity::IssuedSupply));
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    let e = c.refuse(&city(), grant_op(b, POINT, 1, "", None));
    assert_eq!(e, TxError::Overflow(Quantity::IssuedSupply));
    assert_eq!(c.asset(POINT).issued, u64::MAX);
    assert_eq!(c.balance(&b, POINT), 0);
    // Coins: a charge of u64::MAX with the campaign, then one more coin.
    // (With the campaign the bonus points would overflow their supply.)
    assert_eq!(
        c.refuse(&city(), charge_op(b, u64::MAX, "d0", Some(CAMPAIGN))),
        TxError::Overflow(Quantity::IssuedSupply)
    );
    c.ok(&city(), charge_op(b, u64::MAX, "d1", None));
    assert_eq!(c.balance(&b, COIN), u64::MAX);
    let e = c.refuse(&city(), charge_op(a, 1, "d2", None));
    assert_eq!(e, TxError::Overflow(Quantity::IssuedSupply));
    // Spending the whole u64 balance works and leaves nothing.
    c.ok(&taro(), burn_op(COIN, u64::MAX));
    assert_eq!(c.balance(&b, COIN), 0);
    assert_eq!(c.asset(COIN).burned, u64::MAX);
}

#[test]
fn holding_cap() {
    let mut c = Chain::new();
    let a = addr(&hana());
    assert_eq!(VOUCHER_CAP, 65_000);
    c.grant(&hana(), VOUCHER, 55_000);
    let e = c.refuse(&city(), grant_op(a, VOUCHER, 20_000, "", None));
    assert_eq!(
        e,
        TxError::CapExceeded {
            asset: VOUCHER.into(),
            cap: VOUCHER_CAP,
            would: 75_000
        }
    );
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    c.grant(&hana(), VOUCHER, 10_000); // exactly at the cap
    assert_eq!(c.balance(&a, VOUCHER), VOUCHER_CAP);
    assert_eq!(c.asset(VOUCHER).issued, VOUCHER_CAP);
}

#[test]
fn the_holding_cap_binds_people_not_the_merchants_they_pay() {
    let mut c = Chain::new();
    let m = addr(&bakery());
    // Three residents spend a full cap each at one small shop.
    for (i, k) in [hana(), taro(), emma()].iter().enumerate() {
        c.ok(
            &city(),
            grant_op(
                addr(k),
                VOUCHER,
                VOUCHER_CAP,
                "voucher sets",
                Some(&format!("sets-{i}")),
            ),
        );
        c.ok(k, pay_op(m, &format!("inv-{i}"), VOUCHER_CAP, &[VOUCHER]));
    }
    assert_eq!(c.balance(&m, VOUCHER), 3 * VOUCHER_CAP);
    // And may be refunded.
    c.ok(&bakery(), refund_op("inv-0", 1_000));
    assert_eq!(c.balance(&addr(&hana()), VOUCHER), 1_000);
    // A resident is still bound.
    let e = c.refuse(
        &city(),
        grant_op(addr(&hana()), VOUCHER, VOUCHER_CAP, "", None),
    );
    assert_eq!(
        e,
        TxError::CapExceeded {
            asset: VOUCHER.into(),
            cap: VOUCHER_CAP,
            would: VOUCHER_CAP + 1_000
        }
    );
}

#[test]
fn things_done_once() {
    let mut c = Chain::new();
    let (a, m) = (addr(&hana()), addr(&bakery()));
    c.charge(&hana(), 1_000, "bank-tx-1", None);
    let e = c.refuse(&city(), charge_op(addr(&taro()), 1_000, "bank-tx-1", None));
    assert_eq!(e, TxError::DepositReused("bank-tx-1".into()));
    assert_eq!(e.kind(), ErrorKind::AlreadyExists);

    c.ok(&hana(), pay_op(m, "inv-7", 100, &[]));
    let e = c.refuse(&hana(), pay_op(m, "inv-7", 100, &[]));
    assert_eq!(e, TxError::InvoiceAlreadyPaid("inv-7".into()));
    assert_eq!(e.kind(), ErrorKind::AlreadyExists);
    // Another merchant may use the same invoice id.
    c.ok(&hana(), pay_op(addr(&mall()), "inv-7", 100, &[]));

    c.ok(&city(), grant_op(a, POINT, 10, "festival", Some("matsuri")));
    let e = c.refuse(&city(), grant_op(a, POINT, 10, "festival", Some("matsuri")));
    assert_eq!(e, TxError::AlreadyGranted("matsuri".into()));
    assert_eq!(e.kind(), ErrorKind::AlreadyExists);
    assert_eq!(c.balance(&a, POINT), 10);

    c.ok(&bakery(), redeem_op(COIN, 100, "payout-1"));
    c.ok(&hana(), pay_op(m, "inv-8", 100, &[]));
    let e = c.refuse(&bakery(), redeem_op(COIN, 100, "payout-1"));
    assert_eq!(e, TxError::PayoutReused("payout-1".into()));
    assert_eq!(e.kind(), ErrorKind::AlreadyExists);
}

#[test]
fn refund_too_large() {
    let mut c = Chain::new();
    c.charge(&hana(), 1_000, "d1", None);
    c.ok(&hana(), pay_op(addr(&bakery()), "inv-1", 100, &[]));
    let e = c.refuse(&bakery(), refund_op("inv-1", 101));
    assert_eq!(
        e,
        TxError::RefundTooLarge {
            asked: 101,
            left: 100
        }
    );
    assert_eq!(e.kind(), ErrorKind::FailedPrecondition);
    // Only the merchant that was paid can refund: for another it is unknown.
    let e = c.refuse(&mall(), refund_op("inv-1", 1));
    assert_eq!(e, TxError::UnknownInvoice("inv-1".into()));
}

#[test]
fn policy_refusals() {
    let mut c = Chain::new();
    let a = addr(&hana());
    c.grant(&hana(), POINT, 100);
    c.grant(&hana(), VOUCHER, 100);
    c.charge(&hana(), 100, "d1", None);
    // Points and vouchers are not transferable.
    for asset in [POINT, VOUCHER] {
        let e = c.refuse(&hana(), transfer_op(addr(&taro()), asset, 1));
        assert_eq!(
            e,
            TxError::Policy {
                asset: asset.into(),
                rule: Rule::NotTransferable
            }
        );
        assert_eq!(e.kind(), ErrorKind::FailedPrecondition);
    }
    // A voucher named for a large merchant.
    let e = c.refuse(&hana(), pay_op(addr(&mall()), "inv-1", 10, &[VOUCHER]));
    assert_eq!(
        e,
        TxError::Policy {
            asset: VOUCHER.into(),
            rule: Rule::NotSpendableAtClass
        }
    );
    // Only coins are charged; points are not redeemable.
    let e = c.refuse(
        &city(),
        Operation::Charge {
            to: a,
            asset: POINT.into(),
            amount: 1,
            deposit_ref: "d2".into(),
            campaign: None,
        },
    );
    assert_eq!(
        e,
        TxError::Policy {
            asset: POINT.into(),
            rule: Rule::OnlyCoinsCharged
        }
    );
    c.ok(&hana(), pay_op(addr(&bakery()), "inv-2", 10, &[POINT]));
    let e = c.refuse(&bakery(), redeem_op(POINT, 10, "p1"));
    assert_eq!(
        e,
        TxError::Policy {
            asset: POINT.into(),
            rule: Rule::NotRedeemable
        }
    );
    // Coins are bought with yen: they are charged against a deposit, never granted.
    let e = c.refuse(&city(), grant_op(a, COIN, 1_000, "gift", None));
    assert_eq!(
        e,
        TxError::Policy {
            asset: COIN.into(),
            rule: Rule::CoinsAreCharged
        }
    );
    assert_eq!(c.asset(COIN).issued, 100);
    // Self-transfer and self-payment are malformed.
    let e = c.refuse(&hana(), transfer_op(a, COIN, 1));
    assert_eq!(e, TxError::Malformed(Rule::SelfTransfer));
    c.ok(&hana(), pay_op(addr(&bakery()), "inv-3", 10, &[COIN]));
    let e = c.refuse(&bakery(), pay_op(addr(&bakery()), "inv-4", 1, &[]));
    assert_eq!(e, TxError::Malformed(Rule::MerchantPaysItself));
    assert_eq!(e.kind(), ErrorKind::Malformed);
}

#[test]
fn oversize_and_malformed_bytes() {
    let c = Chain::new();
    let e = SignedTransaction::from_bytes(&vec![0u8; TX_BYTES_MAX + 1]).unwrap_err();
    assert_eq!(
        e,
        TxError::TooLarge {
            size: TX_BYTES_MAX as u64 + 1,
            max: TX_BYTES_MAX as u64
        }
    );
    assert_eq!(e.kind(), ErrorKind::TooLarge);
    // A transaction whose encoding is over the limit.
    let stx = c
        .tx(
            &city(),
            0,
            grant_op(addr(&hana()), POINT, 1, &"x".repeat(TX_BYTES_MAX), None),
        )
        .sign(&city());
    let bytes = stx.to_bytes();
    assert!(bytes.len() > TX_BYTES_MAX);
    assert_eq!(
        SignedTransaction::from_bytes(&bytes).unwrap_err().kind(),
        ErrorKind::TooLarge
    );
    let e = refused_before_op(&c, &stx);
    assert_eq!(
        e,
        TxError::TooLarge {
            size: bytes.len() as u64,
            max: TX_BYTES_MAX as u64
        }
    );

    for junk in [&[][..], &[1, 2, 3][..], &[0xff; 200][..]] {
        let e = SignedTransaction::from_bytes(junk).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed);
    }
}

#[test]
fn malformed_fields() {
    let c = Chain::new();
    let a = addr(&hana());
    let long = "x".repeat(ID_LEN_MAX + 1);
    let ok_id = "x".repeat(ID_LEN_MAX);
    let zero = TxError::Malformed(Rule::ZeroAmount);
    let id = |f| TxError::length(f, 1, ID_LEN_MAX);
    let cases = vec![
        (charge_op(a, 0, "d", None), zero.clone()),
        (grant_op(a, POINT, 0, "", None), zero.clone()),
        (transfer_op(a, COIN, 0), zero.clone()),
        (pay_op(a, "i", 0, &[]), zero.clone()),
        (refund_op("i", 0), zero.clone()),
        (redeem_op(COIN, 0, "p"), zero.clone()),
        (burn_op(COIN, 0), zero),
        (charge_op(a, 1, &long, None), id(Field::DepositRef)),
        (charge_op(a, 1, "", None), id(Field::DepositRef)),
        (charge_op(a, 1, "d", Some(&long)), id(Field::Campaign)),
        (grant_op(a, &long, 1, "", None), id(Field::Asset)),
        (grant_op(a, POINT, 1, "", Some(&long)), id(Field::EventId)),
        (grant_op(a, POINT, 1, "", Some("")), id(Field::EventId)),
        (
            grant_op(a, POINT, 1, &"r".repeat(REASON_LEN_MAX + 1), None),
            TxError::length(Field::Reason, 0, REASON_LEN_MAX),
        ),
        (transfer_op(a, "", 1), id(Field::Asset)),
        (pay_op(a, &long, 1, &[]), id(Field::InvoiceId)),
        (pay_op(a, "i", 1, &[&long]), id(Field::Asset)),
        (
            pay_op(a, "i", 1, &[COIN; PAY_ASSETS_MAX + 1]),
            TxError::Malformed(Rule::TooManyPayAssets),
        ),
        (refund_op(&long, 1), id(Field::InvoiceId)),
        (redeem_op(COIN, 1, &long), id(Field::PayoutRef)),
        (redeem_op(&long, 1, "p"), id(Field::Asset)),
        (burn_op(&long, 1), id(Field::Asset)),
    ];
    for (op, want) in cases {
        let stx = c.tx(&city(), 0, op.clone()).sign(&city());
        let e = refused_before_op(&c, &stx);
        assert_eq!(e, want, "{op:?}");
        assert_eq!(e.kind(), ErrorKind::Malformed);
    }
    // The bounds themselves are allowed.
    for op in [
        grant_op(a, POINT, 1, &"r".repeat(REASON_LEN_MAX), Some(&ok_id)),
        pay_op(addr(&bakery()), &ok_id, 1, &[COIN; PAY_ASSETS_MAX]),
    ] {
        assert_eq!(
            c.tx(&city(), 0, op).sign(&city()).check_stateless(CHAIN_ID),
            Ok(())
        );
    }
}

#[test]
fn a_block_with_a_refused_transaction_is_invalid_at_its_index() {
    let mut c = Chain::new();
    c.charge(&hana(), 100, "d1", None);
    let good = c.sign(&hana(), burn_op(COIN, 1));
    let bad = c.tx(&taro(), 0, burn_op(COIN, 1)).sign(&hana());
    let (i, e) = c
        .try_block_at(c.time_ms + BLOCK_MS, &[good, bad])
        .unwrap_err();
    assert_eq!(i, 1);
    assert_eq!(e, TxError::BadSignature(SignatureError::Invalid));
}

#[test]
fn check_tx_dry_runs_without_changing_state() {
    let mut c = Chain::new();
    c.charge(&hana(), 100, "d1", None);
    let before = c.state.clone();
    let stx = c.sign(&hana(), burn_op(COIN, 100));
    assert_eq!(check_tx(&c.state, &c.next_ctx(), &stx), Ok(()));
    assert_eq!(c.state, before);
    // The same transaction then runs in a block.
    c.block(&[stx]);
    assert_eq!(c.balance(&addr(&hana()), COIN), 0);
}

#[test]
fn a_block_holds_at_most_the_transaction_limit() {
    use yui_ledger::limits::BLOCK_TXS_MAX;
    let c = Chain::new();
    let mut ex = BlockExecutor::begin(&c.state, c.next_ctx()).unwrap();
    let k = hana();
    for n in 0..BLOCK_TXS_MAX as u64 {
        // Each fails (hana holds nothing) but is included and uses its nonce.
        let stx = c.tx(&k, n, burn_op(COIN, 1)).sign(&k);
        assert!(ex.push(&stx, true).unwrap().error.is_some());
    }
    assert_eq!(ex.len(), BLOCK_TXS_MAX);
    let stx = c.tx(&k, BLOCK_TXS_MAX as u64, burn_op(COIN, 1)).sign(&k);
    assert_eq!(
        ex.push(&stx, true).unwrap_err(),
        TxError::Malformed(Rule::BlockFull)
    );
    let out = ex.finish();
    assert_eq!(out.receipts.len(), BLOCK_TXS_MAX);
    let mut s = c.state.clone();
    s.apply(&out.writes);
    let acct: yui_ledger::state::Account =
        yui_ledger::state::read(&s, &yui_ledger::state::keys::account(&k.address()))
            .unwrap()
            .unwrap();
    assert_eq!(acct.nonce, BLOCK_TXS_MAX as u64);
}

#[test]
fn value_goes_only_to_keys_that_can_sign() {
    let mut c = Chain::new();
    c.charge(&hana(), 100, "d1", None);
    // Not a curve point, the identity (small order), and a non-canonical
    // encoding of a small-order point: value sent there would be lost.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut non_canonical = [0xffu8; 32];
    non_canonical[0] = 0xec;
    non_canonical[31] = 0x7f;
    for bytes in [[0xffu8; 32], identity, non_canonical] {
        let to = yui_ledger::Address(bytes);
        let e = c.refuse(&hana(), transfer_op(to, COIN, 1));
        assert_eq!(e, TxError::Malformed(Rule::ReceiverCannotSign));
        assert_eq!(e.kind(), ErrorKind::Malformed);
        let e = c.refuse(
            &city(),
            Operation::Grant {
                to,
                asset: POINT.into(),
                amount: 1,
                reason: "clean-up".into(),
                event_id: None,
            },
        );
        assert_eq!(e, TxError::Malformed(Rule::ReceiverCannotSign));
    }
    // A fresh key that can sign receives.
    let fresh = addr(&key(200));
    c.ok(&hana(), transfer_op(fresh, COIN, 1));
    assert_eq!(c.balance(&fresh, COIN), 1);
}
